#include "reactor/event_loop.hpp"
#include "reactor/tcp_connector.hpp"
#include "reactor/tcp_listener.hpp"

#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "helpers.hpp"

using namespace checkers::reactor;
using namespace std::chrono_literals;

namespace {

// One echo client: sends `rounds` random messages, one at a time, verifying each echo.
struct EchoClient {
  std::unique_ptr<TcpConnector> connector;
  TcpConnectionPtr conn;
  std::mt19937 rng;
  std::vector<std::uint8_t> message;
  std::size_t matched = 0;
  int rounds_left = 0;
  std::size_t verified_bytes = 0;
  bool mismatch = false;
  bool done = false;

  void send_next() {
    std::uniform_int_distribution<std::size_t> len(1, 3000);
    message.resize(len(rng));
    for (auto& b : message) b = static_cast<std::uint8_t>(rng());
    matched = 0;
    // Send in two pieces to exercise reassembly on the server and here.
    const std::size_t half = message.size() / 2;
    conn->send(std::span<const std::uint8_t>(message.data(), half));
    conn->send(std::span<const std::uint8_t>(message.data() + half, message.size() - half));
  }

  void on_message(Buffer& in) {
    while (!in.empty() && !done) {
      const std::size_t n = std::min(in.size(), message.size() - matched);
      if (!std::equal(in.peek(), in.peek() + n,
                      message.begin() + static_cast<std::ptrdiff_t>(matched))) {
        mismatch = true;
      }
      in.retrieve(n);
      matched += n;
      verified_bytes += n;
      if (matched == message.size()) {
        if (--rounds_left == 0) {
          done = true;
          conn->close();
        } else {
          send_next();
        }
      }
    }
  }
};

}  // namespace

TEST_CASE("tcp stress: 1,000 concurrent echo connections, every byte verified", "[tcp][stress]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  int server_closed = 0;
  std::size_t server_bytes = 0;
  std::vector<TcpConnectionPtr> accepted;  // the acceptor owns what it accepted
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    accepted.push_back(c);
    c->set_message_callback([&](const TcpConnectionPtr& conn, Buffer& in) {
      server_bytes += in.size();
      conn->send(in.readable());
      in.retrieve_all();
    });
    c->set_close_callback([&](const TcpConnectionPtr&) { ++server_closed; });
  });
  listener.listen();

  constexpr int kClients = 1000;
  constexpr int kRounds = 5;
  std::vector<EchoClient> clients(kClients);
  int connected = 0;
  int failed = 0;
  for (int i = 0; i < kClients; ++i) {
    EchoClient& cl = clients[static_cast<std::size_t>(i)];
    cl.rng.seed(static_cast<unsigned>(i));
    cl.rounds_left = kRounds;
    cl.connector = std::make_unique<TcpConnector>(loop, "127.0.0.1", listener.port(), 10s);
    cl.connector->connect(
        [&cl, &connected](TcpConnectionPtr c) {
          ++connected;
          cl.conn = c;
          c->set_message_callback(
              [&cl](const TcpConnectionPtr&, Buffer& in) { cl.on_message(in); });
        },
        [&failed](const std::string& err) {
          ++failed;
          WARN(err);
        });
  }
  // All connected before any exchange: 1,000 connections open at once.
  REQUIRE(test::run_until(
      loop, [&] { return connected + failed == kClients; }, 60s));
  REQUIRE(failed == 0);
  CHECK(accepted.size() == static_cast<std::size_t>(kClients));
  for (auto& cl : clients) cl.send_next();
  REQUIRE(test::run_until(
      loop, [&] { return server_closed == kClients; }, 120s));
  std::size_t verified = 0;
  for (const auto& cl : clients) {
    REQUIRE(cl.done);
    REQUIRE_FALSE(cl.mismatch);
    verified += cl.verified_bytes;
  }
  CHECK(verified == server_bytes);
  CHECK(verified > kClients * kRounds);
  // Closed connections are released by their owners only: the loop keeps none.
  std::vector<std::weak_ptr<TcpConnection>> gone(accepted.begin(), accepted.end());
  accepted.clear();
  for (auto& cl : clients) cl.conn.reset();
  test::run_for(loop, 10ms);
  for (const auto& w : gone) REQUIRE(w.expired());
}

TEST_CASE("tcp stress: 16 MiB to a slow reader: in order, high-water fires, memory bounded",
          "[tcp][stress]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  constexpr std::size_t kTotal = 16u << 20;
  constexpr std::size_t kChunk = 64u << 10;
  constexpr std::size_t kHighWater = 256u << 10;
  constexpr std::size_t kProduceLimit = 512u << 10;
  std::vector<std::uint8_t> chunk(kChunk);
  std::size_t produced = 0;
  std::size_t max_output = 0;
  int high_water_calls = 0;
  TcpConnectionPtr server_conn;

  auto produce = [&](const TcpConnectionPtr& c) {
    // The application's side of back-pressure: stop producing at the limit and
    // resume (polled every millisecond below) when the connection's output drains.
    while (produced < kTotal && c->output_bytes() < kProduceLimit) {
      for (std::size_t i = 0; i < kChunk; ++i) chunk[i] = test::pattern_byte(produced + i);
      c->send(std::span<const std::uint8_t>(chunk));
      produced += kChunk;
      max_output = std::max(max_output, c->output_bytes());
    }
  };
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    server_conn = c;
    const int sndbuf = 64 << 10;
    ::setsockopt(c->fd(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    c->set_high_water_callback(
        [&](const TcpConnectionPtr&, std::size_t bytes) {
          ++high_water_calls;
          CHECK(bytes >= kHighWater);
        },
        kHighWater);
    produce(c);
  });
  listener.listen();

  const int fd = test::connect_blocking(listener.port(), 32 << 10);
  REQUIRE(fd >= 0);
  std::size_t received = 0;
  bool in_order = true;
  std::vector<std::uint8_t> buf(32 << 10);
  // The slow reader: at most 32 KiB per millisecond tick.
  loop.run_every(1ms, [&] {
    if (server_conn) produce(server_conn);
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n <= 0) return;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[static_cast<std::size_t>(i)] !=
          test::pattern_byte(received + static_cast<std::size_t>(i)))
        in_order = false;
    }
    received += static_cast<std::size_t>(n);
  });
  REQUIRE(test::run_until(
      loop, [&] { return received == kTotal || !in_order; }, 120s));
  CHECK(in_order);
  CHECK(received == kTotal);
  CHECK(high_water_calls >= 1);
  CHECK(max_output <= kProduceLimit + kChunk);
  CHECK(server_conn->output_bytes() == 0);
  ::close(fd);
}
