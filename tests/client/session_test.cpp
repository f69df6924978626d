// The client session against a scripted raw TCP server on 127.0.0.1 (port 0): whatever
// the server does wrong on the wire ends the session with exit code 1 and a sentence,
// after a LogOut when the client is logged in.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "client/bot.hpp"
#include "client/session.hpp"
#include "proto/messages.hpp"
#include "reactor/event_loop.hpp"
#include "support/loopback_listener.hpp"
#include "support/timing.hpp"

using namespace checkers;
using namespace std::chrono_literals;

namespace {

// One-connection scripted server: accepts, reads the 34-byte Connect, sends `reply`,
// then records everything the client sends until it closes (or 5 s pass).
class RawServer {
 public:
  explicit RawServer(std::string reply, bool close_after_reply = false)
      : reply_(std::move(reply)), close_after_(close_after_reply) {
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return listener_.port(); }
  // Bytes received after the Connect (valid once the thread is done).
  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  bool wait_readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
  }
  void serve() {
    if (!wait_readable(listener_.fd(), 5000)) return;
    const int fd = ::accept(listener_.fd(), nullptr, nullptr);
    std::string connect;
    char buf[256];
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (connect.size() < 34 && std::chrono::steady_clock::now() < deadline &&
           wait_readable(fd, 5000)) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      connect.append(buf, static_cast<size_t>(n));
    }
    if (connect.size() > 34) received_ = connect.substr(34);
    (void)!::write(fd, reply_.data(), reply_.size());
    if (close_after_) {
      ::close(fd);
      return;
    }
    while (std::chrono::steady_clock::now() < deadline && wait_readable(fd, 5000)) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
  }

  std::string reply_;
  bool close_after_;
  checkers::test::LoopbackListener listener_;
  std::string received_;
  std::thread thread_;
};

std::string bytes_of(const proto::Message& m) {
  std::string s;
  REQUIRE(proto::encode_append(m, s));
  return s;
}

struct Outcome {
  int code = -1;
  std::string message;
  std::chrono::milliseconds took{0};
};

// Runs a bot session against the raw server until it finishes (10 s at most).
Outcome run_bot_session(uint16_t port) {
  reactor::EventLoop loop;
  Outcome out;
  const auto start = std::chrono::steady_clock::now();
  client::Session session(loop, "127.0.0.1", port, [&](int code, const std::string& message) {
    out.code = code;
    out.message = message;
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    loop.quit();
  });
  client::BotPlayer bot(loop, session, {"alice", "pw"}, game::Level::Random, 1, 1,
                        [](const std::string&) {});
  session.set_frontend(&bot);
  loop.run_after(10s, [&] { loop.quit(); });
  bot.begin();
  loop.run();
  return out;
}

std::string queued() { return bytes_of(proto::QueuePosition{1, 1, 1500}); }

}  // namespace

TEST_CASE("an unknown type byte from the server ends the session at once, with LogOut") {
  RawServer server(queued() + std::string("\x0e", 1));
  const Outcome out = run_bot_session(server.port());
  CHECK(out.code == 1);
  CHECK(out.message.find("malformed") != std::string::npos);
  CHECK(out.message.find("0x0e") != std::string::npos);
  // At once: the type byte itself ends it, not the 1 s incomplete-message timer.
  CHECK(out.message.find("incomplete") == std::string::npos);
  CHECK(server.received() == std::string("\x0c", 1));
}

TEST_CASE("a message the DFA does not allow is a protocol violation") {
  proto::YourTurn turn;
  RawServer server(queued() + bytes_of(turn));
  const Outcome out = run_bot_session(server.port());
  CHECK(out.code == 1);
  CHECK(out.message.find("broke the protocol") != std::string::npos);
  CHECK(out.message.find("YourTurn") != std::string::npos);
  CHECK(server.received() == std::string("\x0c", 1));
}

TEST_CASE("a message left incomplete for 1 s ends the session") {
  const auto baseline = checkers::test::MachineBaseline::measure();
  RawServer server(queued().substr(0, 5));
  const Outcome out = run_bot_session(server.port());
  CHECK(out.code == 1);
  CHECK(out.message.find("incomplete") != std::string::npos);
  CHECK(out.took >= 900ms);
  CHECK(checkers::test::Seconds(out.took) <
        checkers::test::due_by(checkers::test::Seconds(1.0), baseline));
}

TEST_CASE("the server closing the connection is reported with exit code 1") {
  RawServer server(queued(), true);
  const Outcome out = run_bot_session(server.port());
  CHECK(out.code == 1);
  CHECK(out.message.find("closed the connection") != std::string::npos);
}

TEST_CASE("InvalidLogin without a person to ask exits 2; InvalidVersion names the range") {
  {
    RawServer server(bytes_of(proto::InvalidLogin{proto::LoginFailure::InvalidPassword}));
    const Outcome out = run_bot_session(server.port());
    CHECK(out.code == 2);
    CHECK(out.message.find("wrong password") != std::string::npos);
  }
  {
    RawServer server(bytes_of(proto::InvalidVersion{3, 2}));
    const Outcome out = run_bot_session(server.port());
    CHECK(out.code == 1);
    CHECK(out.message.find("versions 2 to 3") != std::string::npos);
  }
}

TEST_CASE("nobody listening: the message names the address and port") {
  uint16_t port = 0;
  {
    RawServer probe("", true);
    port = probe.port();
    // Connect once so the probe thread ends; then the port is closed.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    (void)!::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    (void)!::write(fd, std::string(34, '\0').data(), 34);
    ::close(fd);
  }
  const Outcome out = run_bot_session(port);
  CHECK(out.code == 1);
  CHECK(out.message.find("127.0.0.1 port " + std::to_string(port)) != std::string::npos);
}
