// Protocol enforcement by the real server: DFA violations close, the tolerated
// MakeMove in GameEnd does not, partial messages close ~1 s after their first
// byte, unknown type bytes close at once, idle unauthenticated connections are
// closed by the login timeout.
#include "fixture.hpp"

using namespace checkers;
using namespace checkers::test;

namespace {
double elapsed_s(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

TEST_CASE("a message not allowed in the current state closes the connection",
          "[server][protocol]") {
  ServerProcess srv;
  SECTION("LogOut while Unauthenticated") {
    ProtocolClient c(srv.port());
    c.send(proto::LogOut{});
    CHECK(c.expect_closed());
  }
  SECTION("MakeMove while queued") {
    ProtocolClient c(srv.port());
    c.login("q1", "pw");
    c.send(proto::MakeMove{proto::Move{1, 2, 1, 1}});
    CHECK(c.expect_closed(5s, true));
  }
  SECTION("a second Connect while queued") {
    ProtocolClient c(srv.port());
    c.login("q2", "pw");
    c.send(proto::Connect{1, "q2", "pw"});
    CHECK(c.expect_closed(5s, true));
  }
  SECTION("a server-to-client message type from the client") {
    ProtocolClient c(srv.port());
    c.send(proto::QueuePosition{1, 1, 1});
    CHECK(c.expect_closed());
  }
  SECTION("MakeMove while the opponent is to move (ProcessingGameState)") {
    auto p = login_pair(srv.port(), "pa", "pb");
    p.black.expect<proto::YourTurn>();
    p.white.send(proto::MakeMove{proto::Move{1, 2, 1, 1}});
    CHECK(p.white.expect_closed());
    // The closed player lost; the opponent learns it.
    CHECK_NOTHROW(p.black.expect_skipping_queue<proto::OpponentDisconnect>());
  }
  CHECK(srv.wait_for_log("protocol violation"));
}

TEST_CASE("unknown type bytes close the connection at once", "[server][protocol]") {
  ServerProcess srv;
  for (uint8_t bad : {uint8_t{0x00}, uint8_t{0x0E}, uint8_t{0xFF}}) {
    ProtocolClient c(srv.port());
    c.send_raw(std::span<const uint8_t>(&bad, 1));
    CHECK(c.expect_closed(5s));
  }
  // Closed for the type byte itself, not by the partial-message timeout later.
  CHECK(srv.wait_for_log("unknown message type byte"));
  CHECK(srv.log_count("unknown message type byte") == 3);
  CHECK_FALSE(srv.log_contains("partial message timeout"));
}

TEST_CASE("an incomplete message is closed about 1 s after its first byte", "[server][protocol]") {
  ServerProcess srv;
  const auto baseline = MachineBaseline::measure();
  SECTION("silence after a partial Connect") {
    ProtocolClient c(srv.port());
    const auto t0 = std::chrono::steady_clock::now();
    c.send_raw(
        std::string_view("\x01\x01"
                         "ali",
                         5));
    CHECK(c.expect_closed(4s));
    const double t = elapsed_s(t0);
    CHECK(t > 0.8);
    CHECK(t < due_by(Seconds(1.0), baseline).count());
    CHECK(srv.wait_for_log("partial message timeout"));
  }
  SECTION("a trickle does not extend the deadline") {
    ProtocolClient c(srv.port());
    const auto t0 = std::chrono::steady_clock::now();
    c.send_raw(std::string_view("\x01", 1));
    bool closed = false;
    for (int i = 0; i < 12 && !closed; ++i) {
      closed = c.expect_closed(300ms);
      if (!closed) c.send_raw(std::string_view("a", 1));
    }
    CHECK(closed);
    const double t = elapsed_s(t0);
    CHECK(t > 0.8);
    CHECK(t < due_by(Seconds(1.0), baseline).count());
    CHECK(srv.wait_for_log("partial message timeout"));
  }
  SECTION("complete messages in pieces are fine") {
    ProtocolClient c(srv.port());
    std::vector<uint8_t> bytes;
    proto::encode_append(proto::Message{proto::Connect{1, "slow", "pw"}}, bytes);
    c.send_raw(std::span<const uint8_t>(bytes.data(), 10));
    CHECK(c.expect_silence(400ms));
    c.send_raw(std::span<const uint8_t>(bytes.data() + 10, bytes.size() - 10));
    CHECK(c.expect<proto::QueuePosition>().queue_size == 1);
    CHECK(c.expect_silence(1500ms) == false);  // a QueuePosition tick arrives; no close
  }
}

TEST_CASE("MakeMove in GameEnd is tolerated", "[server][protocol]") {
  ServerProcess srv;
  auto p = login_pair(srv.port(), "ta", "tb");
  p.black.expect<proto::YourTurn>();
  // The opponent leaves: black (in UserMove) gets OpponentDisconnect.
  p.white.send(proto::LogOut{});
  CHECK_NOTHROW(p.black.expect<proto::OpponentDisconnect>());
  // black's MakeMove now arrives in GameEnd: ignored, connection kept.
  p.black.send(proto::MakeMove{proto::Move{1, 5, 1, -1}});
  CHECK(p.black.expect_silence(500ms));
  p.black.send(proto::ReQueue{});
  CHECK(p.black.expect<proto::QueuePosition>().queue_size >= 1);
}

TEST_CASE("connections without a login are closed after --login-timeout", "[server][protocol]") {
  ServerProcess srv({"--login-timeout", "0.5"});
  const auto baseline = MachineBaseline::measure();
  ProtocolClient idle(srv.port());
  ProtocolClient player(srv.port());
  player.login("stay", "pw");
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(idle.expect_closed(10s));
  CHECK(elapsed_s(t0) < due_by(Seconds(0.5), baseline).count());
  // A logged-in player idling in the queue is not closed.
  CHECK_FALSE(player.expect_closed(1500ms, true));
}
