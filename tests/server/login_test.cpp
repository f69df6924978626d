// Login flow against the real server: success, wrong password, unknown account
// (closed registration), open registration, duplicate login (queue and game),
// unsupported version, LogOut and re-login, failed-login rate limit.
#include "fixture.hpp"

#include <thread>

using namespace checkers;
using namespace checkers::test;
using namespace std::chrono_literals;

TEST_CASE("login succeeds and puts the player in the queue", "[server][login]") {
  auto srv = server_with_users({{"alice", "secret"}}, {"--registration", "closed"});
  ProtocolClient c(srv->port());
  const auto q = c.login("alice", "secret");
  CHECK(q.queue_size == 1);
  CHECK(q.queue_pos == 1);
  CHECK(q.rating == 1500);
}

TEST_CASE("wrong password gets InvalidLogin and the connection stays usable", "[server][login]") {
  auto srv = server_with_users({{"alice", "secret"}});
  ProtocolClient c(srv->port());
  auto m = c.connect("alice", "wrong");
  REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
  CHECK(std::get<proto::InvalidLogin>(m).reason == proto::LoginFailure::InvalidPassword);
  CHECK(c.login("alice", "secret").queue_size == 1);  // the same connection retries
}

TEST_CASE("unknown account with closed registration", "[server][login]") {
  auto srv = server_with_users({{"alice", "secret"}}, {"--registration", "closed"});
  ProtocolClient c(srv->port());
  auto m = c.connect("bob", "x");
  REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
  CHECK(std::get<proto::InvalidLogin>(m).reason == proto::LoginFailure::AccountDoesNotExist);
  const RunResult list = srv->run_admin({"user", "list"});
  CHECK(list.out.find("bob") == std::string::npos);
}

TEST_CASE("open registration creates the account with that password, durably", "[server][login]") {
  ServerProcess srv;
  {
    ProtocolClient c(srv.port());
    CHECK(c.login("newbie", "pw1").rating == 1500);
  }
  {
    ProtocolClient c(srv.port());
    auto m = c.connect("newbie", "other");
    REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
    CHECK(std::get<proto::InvalidLogin>(m).reason == proto::LoginFailure::InvalidPassword);
  }
  srv.kill(SIGKILL);  // no clean shutdown: the account must already be on disk
  REQUIRE(srv.wait_exit(5s));
  srv.start();
  ProtocolClient c(srv.port());
  CHECK(c.login("newbie", "pw1").queue_size == 1);
}

TEST_CASE("a second login of a logged-in account is refused", "[server][login]") {
  ServerProcess srv;
  ProtocolClient first(srv.port());
  first.login("dup", "pw");
  ProtocolClient second(srv.port());
  auto m = second.connect("dup", "pw");
  REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
  CHECK(std::get<proto::InvalidLogin>(m).reason == proto::LoginFailure::AlreadyLoggedIn);

  SECTION("also while the account is in a game (unlike the reference)") {
    ProtocolClient opp(srv.port());
    opp.login("opp", "pw");
    first.expect_skipping_queue<proto::GameStart>();
    auto again = second.connect("dup", "pw");
    REQUIRE(std::holds_alternative<proto::InvalidLogin>(again));
    CHECK(std::get<proto::InvalidLogin>(again).reason == proto::LoginFailure::AlreadyLoggedIn);
  }
  SECTION("and allowed again once the first session is gone") {
    first.close();
    // A safety net, not a bound: the server notices the close on its next pass.
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (;;) {
      auto r = second.connect("dup", "pw");
      if (std::holds_alternative<proto::QueuePosition>(r)) break;
      REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
  }
}

TEST_CASE("unsupported version gets InvalidVersion with the supported range", "[server][login]") {
  ServerProcess srv;
  ProtocolClient c(srv.port());
  auto m = c.connect("alice", "pw", proto::kHighestSupportedVersion + 1);
  REQUIRE(std::holds_alternative<proto::InvalidVersion>(m));
  CHECK(std::get<proto::InvalidVersion>(m).highest == proto::kHighestSupportedVersion);
  CHECK(std::get<proto::InvalidVersion>(m).lowest == proto::kLowestSupportedVersion);
  // Still Unauthenticated: a supported Connect works on the same connection.
  CHECK(c.login("alice", "pw").queue_size == 1);
  // The refused version created no account.
  ProtocolClient d(srv.port());
  auto m0 = d.connect("zed", "pw", 0);
  CHECK(std::holds_alternative<proto::InvalidVersion>(m0));
}

TEST_CASE("LogOut in the queue returns to Unauthenticated on the same connection",
          "[server][login]") {
  ServerProcess srv;
  ProtocolClient c(srv.port());
  c.login("carol", "pw");
  c.send(proto::LogOut{});
  // Connect again on the same connection: the account is free again.
  CHECK(c.login("carol", "pw").queue_size == 1);
  ProtocolClient other(srv.port());
  auto q = other.login("dave", "pw");
  CHECK(q.queue_size >= 1);
}

TEST_CASE("pipelined Connect, LogOut, Connect are handled in order", "[server][login]") {
  ServerProcess srv;
  {
    ProtocolClient c(srv.port());
    c.login("erin", "pw");  // create the account first
  }
  ProtocolClient c(srv.port());
  std::vector<uint8_t> bytes;
  proto::encode_append(proto::Message{proto::Connect{1, "erin", "pw"}}, bytes);
  proto::encode_append(proto::Message{proto::LogOut{}}, bytes);
  proto::encode_append(proto::Message{proto::Connect{1, "erin", "bad"}}, bytes);
  proto::encode_append(proto::Message{proto::Connect{1, "erin", "pw"}}, bytes);
  c.send_raw(bytes);
  CHECK(c.expect<proto::QueuePosition>().queue_size == 1);
  CHECK(c.expect_skipping_queue<proto::InvalidLogin>().reason ==
        proto::LoginFailure::InvalidPassword);
  CHECK(c.expect<proto::QueuePosition>().queue_size == 1);
}

TEST_CASE("failed logins are rate-limited per source address", "[server][login]") {
  auto srv = server_with_users({{"alice", "secret"}});
  ProtocolClient c(srv->port());
  // 5 failures are answered (a burst of 5 tokens; one more every 2 s, so a
  // slow machine may see a sixth); then the connection is closed.
  int refused = 0;
  for (;;) {
    std::optional<proto::Message> m;
    try {
      c.send(proto::Connect{1, "alice", "wrong"});
      m = c.try_receive(5s);
    } catch (const ProtocolError&) {
      break;  // closed
    }
    REQUIRE(m);
    REQUIRE(std::holds_alternative<proto::InvalidLogin>(*m));
    ++refused;
    REQUIRE(refused <= 7);
  }
  CHECK(refused >= 5);
  CHECK(srv->wait_for_log("too many failed logins"));
  // Another connection from the same address is refused at once, even with
  // the right password, until a token refills (1 per 2 s).
  ProtocolClient d(srv->port());
  d.send(proto::Connect{1, "alice", "secret"});
  CHECK(d.expect_closed(5s));
}

TEST_CASE("the login timer starts again after InvalidLogin", "[server][login]") {
  // A person retyping a password on the same connection (the reference client does so)
  // is not cut off by a timer running from the connect. Generous margins: 6 s timeout,
  // the wrong password at 3.5 s, the right one at 7 s (past the first deadline, 2.5 s
  // before the second).
  auto srv = server_with_users({{"alice", "secret"}}, {"--login-timeout", "6"});
  ProtocolClient c(srv->port());
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_until(t0 + 3500ms);
  auto m = c.connect("alice", "wrong");
  REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
  std::this_thread::sleep_until(t0 + 7000ms);
  CHECK(c.login("alice", "secret").queue_size == 1);
}

TEST_CASE("a client that hangs up while its password job is queued: the job is skipped",
          "[server][login]") {
  ServerProcess::Options o;
  o.extra_args = {"--verbose"};
  ServerProcess srv(o);
  // Eight registrations keep both hashing threads busy for a while...
  std::vector<ProtocolClient> busy;
  for (int i = 0; i < 8; ++i) {
    busy.emplace_back(srv.port());
    busy.back().send(proto::Connect{proto::kProtocolVersion, proto::Str16(fmt::format("busy{}", i)),
                                    proto::Str16("pw")});
  }
  // ...so the victim's job waits in the queue. It sends more than one iteration's read
  // budget after its Connect and hangs up: the server must keep reading to see that.
  {
    ProtocolClient victim(srv.port());
    victim.send(
        proto::Connect{proto::kProtocolVersion, proto::Str16("victim"), proto::Str16("pw")});
    const std::vector<uint8_t> logouts(200, 0x0C);  // not decoded until the job is done
    victim.send_raw(logouts);
  }
  for (auto& c : busy) CHECK(std::holds_alternative<proto::QueuePosition>(c.receive(60s)));
  // Either outcome is logged: the job skipped, or the account made.
  CHECK(srv.wait_for_log("registration of victim skipped", 30s));
  CHECK_FALSE(srv.log_contains("account victim created"));
}
