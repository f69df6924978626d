#include "reactor/event_loop.hpp"
#include "reactor/tcp_connector.hpp"
#include "reactor/tcp_listener.hpp"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "helpers.hpp"

using namespace checkers::reactor;
using namespace std::chrono_literals;

namespace {

// Echoes everything back; counts connections and close callbacks.
struct EchoServer {
  TcpListener listener;
  int accepted = 0;
  int closed = 0;
  std::vector<TcpConnectionPtr> conns;

  explicit EchoServer(EventLoop& loop, const std::string& host = "127.0.0.1")
      : listener(loop, host, 0) {
    listener.set_new_connection_callback([this](TcpConnectionPtr c) {
      ++accepted;
      conns.push_back(c);
      c->set_message_callback([](const TcpConnectionPtr& conn, Buffer& in) {
        conn->send(in.readable());
        in.retrieve_all();
      });
      c->set_close_callback([this](const TcpConnectionPtr&) { ++closed; });
    });
    listener.listen();
  }
};

// Reads everything available from a blocking socket until `want` bytes or EOF/timeout.
std::string read_some(int fd, std::size_t want, int timeout_ms = 5000) {
  std::string out;
  while (out.size() < want) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) break;
    char buf[4096];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

// True once the peer's EOF (or reset) is seen on a blocking socket.
bool sees_eof(int fd, int timeout_ms = 5000) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  char c;
  return ::read(fd, &c, 1) <= 0;
}

}  // namespace

TEST_CASE("tcp: echo through TcpConnector, peer address, nodelay, ids", "[tcp]") {
  EventLoop loop;
  EchoServer server(loop);
  REQUIRE(server.listener.port() != 0);
  TcpConnector connector(loop, "127.0.0.1", server.listener.port(), 2s);
  TcpConnectionPtr client;
  std::string received;
  connector.connect(
      [&](TcpConnectionPtr c) {
        client = c;
        c->set_message_callback([&](const TcpConnectionPtr&, Buffer& in) {
          received += in.retrieve_as_string(in.size());
        });
        c->send(std::string_view("ping"));
      },
      [](const std::string& err) { FAIL(err); });
  CHECK(connector.in_progress());
  REQUIRE(test::run_until(loop, [&] { return received == "ping"; }));
  REQUIRE(server.conns.size() == 1);
  const auto& sc = server.conns[0];
  CHECK(sc->connected());
  CHECK(sc->peer_address() == client->local_address());
  CHECK(sc->peer_address().rfind("127.0.0.1:", 0) == 0);
  CHECK(sc->id() != 0);
  CHECK(&sc->loop() == &loop);
  int nodelay = 0;
  socklen_t len = sizeof nodelay;
  REQUIRE(::getsockopt(sc->fd(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &len) == 0);
  CHECK(nodelay != 0);
}

TEST_CASE("tcp: dual-stack listener on :: accepts IPv4 and IPv6; connector tries all addresses",
          "[tcp]") {
  EventLoop loop;
  std::unique_ptr<EchoServer> server;
  try {
    server = std::make_unique<EchoServer>(loop, "::");
  } catch (const std::exception& e) {
    WARN("no IPv6 here: " << e.what());
    return;
  }
  for (const char* host : {"127.0.0.1", "::1", "localhost"}) {
    TcpConnector connector(loop, host, server->listener.port(), 2s);
    std::string got;
    std::string failure;
    TcpConnectionPtr client;  // the dialler owns the connection
    connector.connect(
        [&](TcpConnectionPtr c) {
          client = c;
          c->set_message_callback([&](const TcpConnectionPtr& conn, Buffer& in) {
            got += in.retrieve_as_string(in.size());
            if (got == "v") conn->close();
          });
          c->send(std::string_view("v"));
        },
        [&](const std::string& err) { failure = err; });
    REQUIRE(test::run_until(loop, [&] { return got == "v" || !failure.empty(); }));
    INFO(host << " " << failure);
    CHECK(got == "v");
  }
  REQUIRE(server->conns.size() == 3);
  CHECK(server->conns[0]->peer_address().rfind("127.0.0.1:", 0) == 0);  // v4-mapped shown as v4
  CHECK(server->conns[1]->peer_address().rfind("[::1]:", 0) == 0);
}

TEST_CASE("tcp: connector failure names each address and its error", "[tcp]") {
  EventLoop loop;
  std::uint16_t dead_port;
  {
    TcpListener probe(loop, "127.0.0.1", 0);  // bound, never listening, then closed
    dead_port = probe.port();
  }
  TcpConnector connector(loop, "127.0.0.1", dead_port, 1s);
  std::string failure;
  bool connected = false;
  connector.connect([&](TcpConnectionPtr) { connected = true; },
                    [&](const std::string& e) { failure = e; });
  REQUIRE(test::run_until(loop, [&] { return !failure.empty(); }));
  CHECK_FALSE(connected);
  CHECK(failure.find("127.0.0.1:" + std::to_string(dead_port)) != std::string::npos);
  CHECK(failure.find("refused") != std::string::npos);

  TcpConnector bad_name(loop, "no-such-host.invalid", 1, 1s);
  std::string failure2;
  bad_name.connect([](TcpConnectionPtr) {}, [&](const std::string& e) { failure2 = e; });
  CHECK(failure2.empty());  // never from inside connect()
  REQUIRE(test::run_until(loop, [&] { return !failure2.empty(); }));
  CHECK(failure2.find("no-such-host.invalid") != std::string::npos);
}

TEST_CASE("tcp: connector times out per address", "[tcp]") {
  EventLoop loop;
  // A listener whose accept queue is full drops further SYNs: connect hangs.
  const int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = test::loopback(0);
  REQUIRE(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(lfd, 0) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::uint16_t port = ntohs(addr.sin_port);
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  TcpConnector connector(loop, "127.0.0.1", port, 200ms);
  std::string failure;
  bool connected = false;
  const auto start = EventLoop::Clock::now();
  connector.connect([&](TcpConnectionPtr) { connected = true; },
                    [&](const std::string& e) { failure = e; });
  REQUIRE(test::run_until(loop, [&] { return connected || !failure.empty(); }));
  if (connected) {
    WARN("kernel accepted beyond the backlog; timeout path not exercised");
  } else {
    CHECK(failure.find("timed out") != std::string::npos);
    CHECK(EventLoop::Clock::now() - start >= 200ms);
  }
  for (int fd : fillers) ::close(fd);
  ::close(lfd);
}

TEST_CASE("tcp: connector binds the requested local source address", "[tcp]") {
  EventLoop loop;
  EchoServer server(loop, "0.0.0.0");
  TcpConnector connector(loop, "127.0.0.1", server.listener.port(), 2s);
  connector.set_local_address("127.0.0.2");
  bool ok = false;
  std::string failure;
  connector.connect([&](TcpConnectionPtr) { ok = true; },
                    [&](const std::string& e) { failure = e; });
  REQUIRE(test::run_until(loop, [&] { return server.accepted == 1 || !failure.empty(); }));
  INFO(failure);
  REQUIRE(ok);
  CHECK(server.conns[0]->peer_address().rfind("127.0.0.2:", 0) == 0);
}

TEST_CASE("tcp: bind failure names the address and port", "[tcp]") {
  EventLoop loop;
  TcpListener first(loop, "127.0.0.1", 0);
  first.listen();
  try {
    TcpListener second(loop, "127.0.0.1", first.port());
    second.listen();
    FAIL("second bind succeeded");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())) !=
          std::string::npos);
  }
}

TEST_CASE("tcp: EOF from the peer: reply is flushed, then one close callback", "[tcp]") {
  EventLoop loop;
  EchoServer server(loop);
  const int fd = test::connect_blocking(server.listener.port());
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, "hello", 5) == 5);
  ::shutdown(fd, SHUT_WR);
  std::string echoed;
  std::thread reader([&] { echoed = read_some(fd, 5); });
  REQUIRE(test::run_until(loop, [&] { return server.closed == 1; }));
  reader.join();
  CHECK(echoed == "hello");
  CHECK(sees_eof(fd));
  test::run_for(loop, 20ms);
  CHECK(server.closed == 1);
  CHECK_FALSE(server.conns[0]->connected());
  ::close(fd);
}

TEST_CASE("tcp: a read limit leaves the rest in the kernel; the next pass reads it, even after EOF",
          "[tcp]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  std::string processed;
  std::vector<std::size_t> iterations;
  int closes = 0;
  TcpConnectionPtr conn;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    conn = c;
    c->set_read_limit(2);  // two "messages" (bytes) per pass, like a fair server
    c->set_message_callback([&](const TcpConnectionPtr&, Buffer& in) {
      CHECK(in.size() <= 2);
      processed += in.retrieve_as_string(in.size());
      iterations.push_back(loop.iteration());
    });
    c->set_close_callback([&](const TcpConnectionPtr&) { ++closes; });
  });
  listener.listen();
  const int fd = test::connect_blocking(listener.port());
  REQUIRE(::write(fd, "abcdefg", 7) == 7);
  ::shutdown(fd, SHUT_WR);
  REQUIRE(test::run_until(loop, [&] { return closes == 1; }));
  CHECK(processed == "abcdefg");
  CHECK(iterations.size() == 4);
  for (std::size_t i = 1; i < iterations.size(); ++i) CHECK(iterations[i] > iterations[i - 1]);
  ::close(fd);
}

TEST_CASE("tcp: bytes a peer sent before resetting are read and handled before the close",
          "[tcp]") {
  // A client that sends LogOut and closes with unread input resets the connection: the
  // LogOut must still count (POLLERR comes with POLLIN; reading goes first).
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  std::string processed;
  bool closed = false;
  TcpConnectionPtr conn;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    conn = c;
    c->set_read_limit(2);  // the rest waits in the kernel behind the reset
    c->set_message_callback([&](const TcpConnectionPtr&, Buffer& in) {
      processed += in.retrieve_as_string(in.size());
    });
    c->set_close_callback([&](const TcpConnectionPtr&) { closed = true; });
  });
  listener.listen();
  const int fd = test::connect_blocking(listener.port());
  REQUIRE(test::run_until(loop, [&] { return conn != nullptr; }));
  REQUIRE(::write(fd, "goodbye", 7) == 7);
  const linger reset{1, 0};  // close() sends RST instead of FIN
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == 0);
  ::close(fd);
  REQUIRE(test::run_until(loop, [&] { return closed; }));
  CHECK(processed == "goodbye");
}

TEST_CASE("tcp: close from inside callbacks (own and another's) is safe and deferred", "[tcp]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  std::vector<TcpConnectionPtr> conns;
  std::vector<std::uint64_t> closed_ids;
  std::weak_ptr<TcpConnection> victim_weak;
  bool alive_after_close = false;
  std::size_t close_iteration = 0;
  std::size_t callback_iteration = 0;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    conns.push_back(c);
    c->set_close_callback([&](const TcpConnectionPtr& conn) {
      closed_ids.push_back(conn->id());
      callback_iteration = loop.iteration();
    });
    c->set_message_callback([&](const TcpConnectionPtr& conn, Buffer& in) {
      in.retrieve_all();
      // Close the other connection, then ourselves, then keep using ourselves.
      for (auto& other : conns) {
        if (other != conn) {
          victim_weak = other;
          other->close();
        }
      }
      conns.clear();  // drop our references: only the loop keeps them alive now
      conn->close();
      conn->close();  // idempotent
      conn->send(std::string_view("ignored"));
      CHECK_FALSE(conn->connected());
      alive_after_close = !victim_weak.expired();
      close_iteration = loop.iteration();
    });
  });
  listener.listen();
  const int a = test::connect_blocking(listener.port());
  const int b = test::connect_blocking(listener.port());
  REQUIRE(test::run_until(loop, [&] { return conns.size() == 2; }));
  REQUIRE(::write(a, "x", 1) == 1);
  REQUIRE(test::run_until(loop, [&] { return closed_ids.size() == 2; }));
  CHECK(alive_after_close);
  CHECK(callback_iteration == close_iteration);  // close callbacks at the end of that iteration
  CHECK(victim_weak.expired());                  // released after the iteration
  CHECK(closed_ids[0] != closed_ids[1]);
  CHECK(sees_eof(a));
  CHECK(sees_eof(b));
  test::run_for(loop, 20ms);
  CHECK(closed_ids.size() == 2);
  ::close(a);
  ::close(b);
}

TEST_CASE("tcp: close_after_flush() flushes then closes; later sends are dropped", "[tcp]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  int closes = 0;
  TcpConnectionPtr conn;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    conn = c;
    c->set_close_callback([&](const TcpConnectionPtr&) { ++closes; });
    const std::string big(300000, 'z');
    c->send(std::string_view(big));
    c->close_after_flush();
    c->send(std::string_view("dropped"));
  });
  listener.listen();
  const int fd = test::connect_blocking(listener.port());
  std::string got;
  std::thread reader([&] { got = read_some(fd, 400000); });  // stops at EOF
  REQUIRE(test::run_until(loop, [&] { return closes == 1; }));
  reader.join();
  ::close(fd);
  CHECK(got == std::string(300000, 'z'));
}

TEST_CASE("tcp: a peer that resets mid-write: one close callback, no SIGPIPE", "[tcp]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  int closes = 0;
  TcpConnectionPtr server_conn;
  const std::string chunk(1 << 20, 'r');
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    server_conn = c;
    c->set_close_callback([&](const TcpConnectionPtr&) { ++closes; });
    for (int i = 0; i < 8; ++i) c->send(std::string_view(chunk));
  });
  listener.listen();
  const int fd = test::connect_blocking(listener.port(), 4096);
  REQUIRE(test::run_until(loop, [&] { return server_conn && server_conn->write_calls() > 0; }));
  REQUIRE(read_some(fd, 1000).size() >= 1000);
  linger lg{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  ::close(fd);  // RST
  REQUIRE(test::run_until(loop, [&] { return closes == 1; }));
  CHECK_FALSE(server_conn->connected());
  CHECK(server_conn->output_bytes() == 0);
  server_conn->send(std::string_view("after reset"));  // ignored
  test::run_for(loop, 20ms);
  CHECK(closes == 1);
}

TEST_CASE("tcp: stop_reading applies back-pressure; start_reading resumes", "[tcp]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  std::string got;
  TcpConnectionPtr conn;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    conn = c;
    c->stop_reading();
    c->set_message_callback(
        [&](const TcpConnectionPtr&, Buffer& in) { got += in.retrieve_as_string(in.size()); });
  });
  listener.listen();
  const int fd = test::connect_blocking(listener.port());
  REQUIRE(::write(fd, "data", 4) == 4);
  REQUIRE(test::run_until(loop, [&] { return conn != nullptr; }));
  test::run_for(loop, 30ms);
  CHECK(got.empty());
  CHECK_FALSE(conn->reading());
  conn->start_reading();
  REQUIRE(test::run_until(loop, [&] { return got == "data"; }));
  ::close(fd);
}

TEST_CASE("tcp: the acceptor owns a connection: dropping it closes the socket, no callback",
          "[tcp]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  TcpConnectionPtr kept;
  int closes = 0;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    kept = c;
    c->set_close_callback([&](const TcpConnectionPtr&) { ++closes; });
  });
  listener.listen();
  const int fd = test::connect_blocking(listener.port());
  REQUIRE(test::run_until(loop, [&] { return kept != nullptr; }));
  std::weak_ptr<TcpConnection> weak = kept;
  kept.reset();
  CHECK(weak.expired());  // the loop holds no reference of its own
  CHECK(sees_eof(fd));
  test::run_for(loop, 20ms);
  CHECK(closes == 0);
  ::close(fd);
}

TEST_CASE("tcp: messages sent in one pass leave in one send(2), flushed before the next poll",
          "[tcp]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  TcpConnectionPtr server_side;
  // A request gets two replies back to back, like a CompulsoryMove followed by a YourTurn.
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    server_side = c;
    c->set_message_callback(test::reply_twice);
  });
  listener.listen();
  const int peer = test::connect_blocking(listener.port());
  REQUIRE(peer >= 0);
  REQUIRE(test::run_until(loop, [&] { return server_side != nullptr; }));
  CHECK(server_side->write_calls() == 0);

  for (int round = 1; round <= 3; ++round) {
    REQUIRE(::write(peer, "?", 1) == 1);
    std::string got;
    while (got.size() < 13) {
      loop.run_once(10ms);
      pollfd p{peer, POLLIN, 0};
      if (::poll(&p, 1, 0) == 1) {
        char buf[64];
        const ssize_t n = ::read(peer, buf, sizeof buf);
        REQUIRE(n > 0);
        got.append(buf, static_cast<std::size_t>(n));
      }
    }
    CHECK(got == "first;second;");
    CHECK(server_side->write_calls() == static_cast<std::uint64_t>(round));
    CHECK(server_side->output_bytes() == 0);
  }
  ::close(peer);
}

TEST_CASE("tcp: output the kernel does not take waits for writability; high water disconnects",
          "[tcp]") {
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  TcpConnectionPtr server_side;
  std::size_t high_water_at = 0;
  bool closed = false;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    server_side = c;
    c->set_high_water_callback(
        [&](const TcpConnectionPtr& conn, std::size_t bytes) {
          high_water_at = bytes;
          conn->close();
        },
        8u << 20);
    c->set_close_callback([&](const TcpConnectionPtr&) { closed = true; });
  });
  listener.listen();
  const int peer = test::connect_blocking(listener.port(), 4096);  // a peer that never reads
  REQUIRE(peer >= 0);
  REQUIRE(test::run_until(loop, [&] { return server_side != nullptr; }));
  const std::string chunk(64 * 1024, 'x');
  // Each pass adds 64 KiB and flushes once; once the kernel is full the rest stays queued.
  std::uint64_t passes = 0;
  REQUIRE(test::run_until(loop, [&] {
    if (!closed && high_water_at == 0) {
      server_side->send(chunk);
      ++passes;
    }
    return closed;
  }));
  CHECK(high_water_at >= (8u << 20));
  // At most one write per pass in which output was queued, plus writability events.
  CHECK(server_side->write_calls() <= 2 * passes);
  ::close(peer);
}
