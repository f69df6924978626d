#include "reactor/event_loop.hpp"
#include "reactor/udp_socket.hpp"

#include <netinet/in.h>
#include <catch2/catch.hpp>

#include <string>

#include "helpers.hpp"

using namespace checkers::reactor;
using namespace std::chrono_literals;

namespace {
std::span<const std::uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
}  // namespace

TEST_CASE("udp: sendto/recvfrom between two bound sockets", "[udp]") {
  EventLoop loop;
  UdpSocket a = UdpSocket::bind(loop, "127.0.0.1", 0, false);
  UdpSocket b = UdpSocket::bind(loop, "127.0.0.1", 0, true);
  REQUIRE(a.local_port() != 0);
  std::vector<std::string> got;
  std::string from;
  b.set_read_callback([&] {
    while (auto d = b.receive()) {
      got.emplace_back(d->data.begin(), d->data.end());
      from = d->from_address();
    }
  });
  const sockaddr_in to = test::loopback(b.local_port());
  for (const char* m : {"one", "two", "three"}) {
    REQUIRE(a.send_to(bytes(m), reinterpret_cast<const sockaddr*>(&to), sizeof to));
  }
  REQUIRE(test::run_until(loop, [&] { return got.size() == 3; }));
  CHECK(got == std::vector<std::string>{"one", "two", "three"});
  CHECK(from == "127.0.0.1:" + std::to_string(a.local_port()));
  CHECK_FALSE(b.receive().has_value());  // drained: EAGAIN, not blocking
  a.enable_broadcast();
}

TEST_CASE("udp: dual-stack socket on :: receives IPv4; moves keep the registration", "[udp]") {
  EventLoop loop;
  std::optional<UdpSocket> server;
  try {
    server.emplace(UdpSocket::bind(loop, "", 0, true));
  } catch (const std::exception& e) {
    WARN(e.what());
    return;
  }
  UdpSocket moved = std::move(*server);
  server.reset();
  int count = 0;
  moved.set_read_callback([&] {
    while (moved.receive()) ++count;
  });
  UdpSocket client = UdpSocket::bind(loop, "127.0.0.1", 0, false);
  const sockaddr_in to = test::loopback(moved.local_port());
  REQUIRE(client.send_to(bytes("hi"), reinterpret_cast<const sockaddr*>(&to), sizeof to));
  REQUIRE(test::run_until(loop, [&] { return count == 1; }));
  if (moved.family() == AF_INET6) {
    CHECK_FALSE(moved.join_ipv6_multicast("not-a-group", 0));
    moved.set_multicast_loop(true);
    moved.set_multicast_hops(1);
  }
}

TEST_CASE("udp: bind failure names the address; interfaces enumerate", "[udp]") {
  EventLoop loop;
  UdpSocket a = UdpSocket::bind(loop, "127.0.0.1", 0, false);
  try {
    UdpSocket b = UdpSocket::bind(loop, "127.0.0.1", a.local_port(), false);
    FAIL("second bind succeeded");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find("127.0.0.1:" + std::to_string(a.local_port())) !=
          std::string::npos);
  }
  for (const auto& itf : broadcast_interfaces()) {
    CHECK_FALSE(itf.name.empty());
    CHECK_FALSE(itf.broadcast.empty());
  }
}
