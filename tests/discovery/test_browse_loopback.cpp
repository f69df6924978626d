// Responder and browser over real UDP sockets on loopback, in one real EventLoop:
// finding servers, de-duplication, rate limiting, rejects, and the legacy beacon.
#include "discovery/browser.hpp"
#include "discovery/responder.hpp"
#include "discovery/server_list.hpp"
#include "proto/version.hpp"
#include "reactor/address.hpp"
#include "support/timing.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>

using namespace checkers;
using namespace checkers::discovery;
using namespace std::chrono_literals;

namespace {

// A plain blocking UDP socket for playing a foreign peer (reference server, attacker).
class RawUdp {
 public:
  RawUdp() : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    timeval tv{0, 200 * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawUdp() { close(fd_); }
  void send(std::span<const uint8_t> bytes, const char* ip, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    REQUIRE(sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) ==
            static_cast<ssize_t>(bytes.size()));
  }
  // Non-blocking read of one datagram.
  std::optional<std::vector<uint8_t>> try_receive() {
    std::vector<uint8_t> buf(1024);
    ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }

 private:
  int fd_;
};

ResponderConfig local_responder(const std::string& ip, uint16_t port, std::string name) {
  ResponderConfig c;
  c.bind_address = ip;
  c.udp_port = port;
  c.announce_interval = 0ms;
  c.tcp_port = 9001;
  c.server_name = std::move(name);
  return c;
}

BrowserConfig local_browser(uint16_t server_port, std::vector<std::string> targets) {
  BrowserConfig c;
  c.server_port = server_port;
  c.targets = std::move(targets);
  c.duration = 200ms;
  c.legacy_port = 0;
  c.legacy_bind = {"127.0.0.1"};
  return c;
}

struct Outcome {
  std::vector<FoundServer> servers;
  BrowseReport report;
};

// Runs the loop until the browse is done (or a generous deadline passes).
Outcome browse(reactor::EventLoop& loop, DiscoveryBrowser& browser,
               const std::function<void()>& after_start = {}) {
  std::optional<Outcome> out;
  browser.start([&](std::vector<FoundServer> s, BrowseReport r) {
    out = Outcome{std::move(s), std::move(r)};
  });
  if (after_start) after_start();
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!out && std::chrono::steady_clock::now() < deadline) loop.run_once(50ms);
  REQUIRE(out.has_value());
  return std::move(*out);
}

template <typename Pred>
void run_until(reactor::EventLoop& loop, Pred done) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < deadline) loop.run_once(20ms);
}

}  // namespace

TEST_CASE("browser finds a responder with its name, port, versions and players") {
  reactor::EventLoop loop;
  DiscoveryResponder responder(loop, local_responder("127.0.0.1", 0, "Loopback Arena"), [] {
    return PlayerCounts{5, 2};
  });
  responder.start();
  DiscoveryBrowser browser(loop, local_browser(responder.udp_port(), {"127.0.0.1"}));
  const auto started = std::chrono::steady_clock::now();
  auto out = browse(loop, browser);
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
  REQUIRE(out.servers.size() == 1);
  const auto& s = out.servers[0];
  CHECK(s.address == "127.0.0.1");
  CHECK(s.tcp_port == 9001);
  CHECK(s.name == "Loopback Arena");
  CHECK(s.lowest_version == proto::kLowestSupportedVersion);
  CHECK(s.highest_version == proto::kHighestSupportedVersion);
  CHECK(s.players_online == 5);
  CHECK(s.players_queued == 2);
  CHECK_FALSE(s.legacy);
  CHECK(s.instance_id == responder.instance_id());
  // Measured from the query to the answer: within the browse, never more.
  REQUIRE(s.latency_ms.has_value());
  CHECK(*s.latency_ms >= 0);
  CHECK(*s.latency_ms <= took.count());
  CHECK(responder.counters().answered >= 1);
}

TEST_CASE("a server offering TLS is found with the flag and its certificate's fingerprint") {
  reactor::EventLoop loop;
  ResponderConfig config = local_responder("127.0.0.1", 0, "Secure Arena");
  TlsOffer offer;
  offer.required = true;
  for (std::size_t i = 0; i < offer.fingerprint.size(); ++i)
    offer.fingerprint[i] = static_cast<uint8_t>(0xA0 + i);
  config.tls = offer;
  DiscoveryResponder responder(loop, config, [] { return PlayerCounts{}; });
  responder.start();
  DiscoveryBrowser browser(loop, local_browser(responder.udp_port(), {"127.0.0.1"}));
  auto out = browse(loop, browser);
  REQUIRE(out.servers.size() == 1);
  const auto& s = out.servers[0];
  CHECK(s.tls);
  CHECK(s.tls_required);
  CHECK(s.tls_fingerprint.substr(0, 11) == "A0:A1:A2:A3");
  CHECK(s.tls_fingerprint.size() == 95);
  CHECK(format_server_list(out.servers).find("  TLS required  0 online") != std::string::npos);
}

TEST_CASE("two servers are both found; one server at two addresses is listed once") {
  reactor::EventLoop loop;
  DiscoveryResponder a(loop, local_responder("127.0.0.1", 0, "alpha"), {});
  a.start();
  DiscoveryResponder b(loop, local_responder("127.0.0.2", a.udp_port(), "beta"), {});
  b.start();
  DiscoveryBrowser browser(loop, local_browser(a.udp_port(), {"127.0.0.1", "127.0.0.2"}));
  auto out = browse(loop, browser);
  REQUIRE(out.servers.size() == 2);
  CHECK(out.servers[0].name == "alpha");
  CHECK(out.servers[1].name == "beta");
  CHECK(out.servers[1].address == "127.0.0.2");
  CHECK(pick_best(out.servers, proto::kProtocolVersion).instance_id != 0);

  // The same server over IPv4 and IPv6 loopback: one entry, IPv4 preferred.
  reactor::EventLoop loop2;
  bool have_ipv6 = true;
  try {
    reactor::UdpSocket::bind(loop2, "::1", 0, false);
  } catch (const std::exception&) {
    have_ipv6 = false;
  }
  DiscoveryResponder any(loop2, local_responder(have_ipv6 ? "::" : "0.0.0.0", 0, "everywhere"), {});
  any.start();
  DiscoveryBrowser browser2(loop2, local_browser(any.udp_port(), {"127.0.0.1", "::1"}));
  auto out2 = browse(loop2, browser2);
  REQUIRE(out2.servers.size() == 1);
  CHECK(out2.servers[0].address == "127.0.0.1");
  if (have_ipv6) {
    CHECK(out2.servers[0].other_addresses == std::vector<std::string>{"::1"});
  } else {
    WARN("no IPv6 loopback here: IPv4/IPv6 de-duplication not exercised");
  }
}

TEST_CASE("two servers sharing the discovery port on one host both answer a broadcast query") {
  reactor::EventLoop loop;
  // As two checkers-server processes on one host: both bound to every address on the
  // same UDP port (SO_REUSEADDR), different TCP ports.
  auto first_config = local_responder("", 0, "first");
  DiscoveryResponder first(loop, first_config, {});
  first.start();
  auto second_config = local_responder("", first.udp_port(), "second");
  second_config.tcp_port = 9002;
  DiscoveryResponder second(loop, second_config, {});
  second.start();
  REQUIRE(second.udp_port() == first.udp_port());
  DiscoveryBrowser browser(loop, local_browser(first.udp_port(), {kLoopbackBroadcast}));
  auto out = browse(loop, browser);
  REQUIRE(out.servers.size() == 2);
  CHECK(out.servers[0].name == "first");
  CHECK(out.servers[0].tcp_port == 9001);
  CHECK(out.servers[0].address == "127.0.0.1");
  CHECK(out.servers[1].name == "second");
  CHECK(out.servers[1].tcp_port == 9002);
  CHECK(out.servers[1].address == "127.0.0.1");
  CHECK(out.servers[0].instance_id != out.servers[1].instance_id);
  CHECK(first.counters().answered >= 1);
  CHECK(second.counters().answered >= 1);
}

TEST_CASE("nothing found: empty list, interfaces reported") {
  reactor::EventLoop loop;
  // Nobody listens on this port: take a free one and release it.
  uint16_t dead_port;
  {
    auto s = reactor::UdpSocket::bind(loop, "127.0.0.1", 0, false);
    dead_port = s.local_port();
  }
  DiscoveryBrowser browser(loop, local_browser(dead_port, {"127.0.0.1"}));
  const auto baseline = checkers::test::MachineBaseline::measure();
  auto started = std::chrono::steady_clock::now();
  auto out = browse(loop, browser);
  const checkers::test::Seconds took = std::chrono::steady_clock::now() - started;
  CHECK(out.servers.empty());
  // The browse waits out its 200 ms window, then ends by itself.
  CHECK(took >= 190ms);
  CHECK(took < checkers::test::due_by(checkers::test::Seconds(0.2), baseline));
  CHECK(out.report.interfaces == std::vector<std::string>{"127.0.0.1"});
  CHECK(format_none_found(out.report, 200).find("--host-addr") != std::string::npos);
  // A browser can be used again, and refuses to run two browses at once.
  std::optional<Outcome> second;
  browser.start([&](std::vector<FoundServer> s, BrowseReport r) {
    second = Outcome{std::move(s), std::move(r)};
  });
  CHECK_THROWS_AS(browser.start([](std::vector<FoundServer>, BrowseReport) {}), std::logic_error);
  run_until(loop, [&] { return second.has_value(); });
  REQUIRE(second.has_value());
  CHECK(second->servers.empty());
}

TEST_CASE("the reference's empty beacon is recognised as a legacy server on port 8864") {
  reactor::EventLoop loop;
  uint16_t dead_port;
  {
    auto s = reactor::UdpSocket::bind(loop, "127.0.0.1", 0, false);
    dead_port = s.local_port();
  }
  DiscoveryBrowser browser(loop, local_browser(dead_port, {"127.0.0.1"}));
  RawUdp reference_server;
  auto out = browse(loop, browser, [&] {
    REQUIRE(browser.legacy_port() != 0);
    reference_server.send({}, "127.0.0.1", browser.legacy_port());
  });
  CHECK(out.report.legacy_listening);
  REQUIRE(out.servers.size() == 1);
  CHECK(out.servers[0].legacy);
  CHECK(out.servers[0].address == "127.0.0.1");
  CHECK(out.servers[0].tcp_port == 8864);
  CHECK(format_server_list(out.servers).find("127.0.0.1:8864") != std::string::npos);
}

TEST_CASE("non-empty junk on the legacy port is not a server") {
  reactor::EventLoop loop;
  uint16_t dead_port;
  {
    auto s = reactor::UdpSocket::bind(loop, "127.0.0.1", 0, false);
    dead_port = s.local_port();
  }
  DiscoveryBrowser browser(loop, local_browser(dead_port, {"127.0.0.1"}));
  RawUdp stray;
  auto out = browse(loop, browser, [&] {
    std::vector<uint8_t> junk = {'h', 'i'};
    stray.send(junk, "127.0.0.1", browser.legacy_port());
    auto q = encode(Query{7});  // another client's query is not a server either
    stray.send(q, "127.0.0.1", browser.legacy_port());
  });
  CHECK(out.servers.empty());
  CHECK(out.report.rejected >= 1);
}

TEST_CASE(
    "periodic announcements and legacy beacons reach a passive listener; one entry per server") {
  reactor::EventLoop loop;
  uint16_t dead_port;
  {
    auto s = reactor::UdpSocket::bind(loop, "127.0.0.1", 0, false);
    dead_port = s.local_port();
  }
  auto bc = local_browser(dead_port, {"127.0.0.1"});
  bc.duration = 400ms;
  DiscoveryBrowser browser(loop, bc);
  std::unique_ptr<DiscoveryResponder> responder;
  auto out = browse(loop, browser, [&] {
    auto rc = local_responder("127.0.0.1", 0, "announcer");
    rc.announce_interval = 100ms;
    rc.legacy_beacon = true;
    rc.legacy_interval = 50ms;
    rc.announce_port = browser.legacy_port();
    rc.announce_targets = {"127.0.0.1"};
    responder = std::make_unique<DiscoveryResponder>(loop, rc, std::function<PlayerCounts()>{});
    responder->start();
  });
  CHECK(responder->counters().announcements >= 2);
  CHECK(responder->counters().legacy_beacons >= 2);
  REQUIRE(out.servers.size() == 1);
  CHECK(out.servers[0].name == "announcer");
  CHECK_FALSE(out.servers[0].legacy);
  CHECK_FALSE(out.servers[0].latency_ms.has_value());  // unsolicited
}

TEST_CASE("responder ignores junk, counts it by reason, and rate-limits one source") {
  reactor::EventLoop loop;
  DiscoveryResponder responder(loop, local_responder("127.0.0.1", 0, "limited"), {});
  responder.start();
  RawUdp client;
  std::vector<uint8_t> bad_magic(64, 'x');
  auto truncated = encode(Query{1});
  truncated.pop_back();
  client.send(bad_magic, "127.0.0.1", responder.udp_port());
  client.send(truncated, "127.0.0.1", responder.udp_port());
  client.send({}, "127.0.0.1", responder.udp_port());
  auto query = encode(Query{77});
  for (int i = 0; i < 40; ++i) client.send(query, "127.0.0.1", responder.udp_port());
  run_until(loop, [&] { return responder.counters().queries == 40; });
  const auto& c = responder.counters();
  CHECK(c.rejected[static_cast<std::size_t>(RejectReason::BadMagic)] == 1);
  CHECK(c.rejected[static_cast<std::size_t>(RejectReason::Truncated)] == 1);
  CHECK(c.ignored == 1);  // the empty beacon
  CHECK(c.queries == 40);
  // Burst of 20, plus at most a token or two refilled while the 40 arrived.
  CHECK(c.answered >= 20);
  CHECK(c.answered <= 23);
  CHECK(c.rate_limited == 40 - c.answered);
  // Every answer is a well-formed announcement echoing the nonce, and no larger
  // than 1.5 times the query.
  int answers = 0;
  while (auto reply = client.try_receive()) {
    auto parsed = parse(*reply);
    REQUIRE(parsed.has_value());
    CHECK(std::get<Announcement>(*parsed).nonce == 77);
    CHECK(reply->size() * 2 <= kQuerySize * 3);
    ++answers;
  }
  CHECK(answers == static_cast<int>(c.answered));
}

TEST_CASE("responder refuses an unannounceable name and reports a busy port") {
  reactor::EventLoop loop;
  auto c = local_responder("127.0.0.1", 0, std::string(65, 'n'));
  CHECK_THROWS_AS(DiscoveryResponder(loop, c, {}), std::invalid_argument);
  // A socket without SO_REUSEADDR holding the port (as a reference client would).
  auto plain = reactor::UdpSocket::bind(loop, "127.0.0.5", 0, false);
  DiscoveryResponder second(loop, local_responder("127.0.0.5", plain.local_port(), "second"), {});
  try {
    second.start();
    FAIL("start() on a busy port must throw");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("--udp-port") != std::string::npos);
  }
}
