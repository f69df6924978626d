// Server process lifecycle: kill -9 right after GameOver keeps the new ratings,
// SIGTERM ends games unrated and exits 0 within 2 s, SIGHUP reopens the log
// file, --verbose logs every message, --max-clients rejects the surplus.
#include "fixture.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace checkers;
using namespace checkers::test;

TEST_CASE("kill -9 right after GameOver: both new ratings survive", "[server][lifecycle]") {
  ServerProcess srv;
  auto p = login_pair(srv.port(), "sam", "tia");
  const std::string black = p.white_start.opponent_name.str();
  const std::string white = p.black_start.opponent_name.str();
  GameDriver driver(p.black, p.white);
  const GameReport rep = driver.play(random_strategy(5));
  REQUIRE(rep.finished);
  srv.kill(SIGKILL);
  REQUIRE(srv.wait_exit(5s) == 128 + SIGKILL);
  srv.start();
  ProtocolClient b(srv.port()), w(srv.port());
  CHECK(b.login(black, "pw").rating == rep.over[0]->new_rating);
  CHECK(w.login(white, "pw").rating == rep.over[1]->new_rating);
  CHECK(rep.over[0]->new_rating != 1500);
}

TEST_CASE("SIGTERM: running games end unrated, sessions close, exit 0 within 2 s",
          "[server][lifecycle]") {
  ServerProcess srv;
  auto p = login_pair(srv.port(), "uma", "vic");
  p.black.expect<proto::YourTurn>();
  ProtocolClient waiting(srv.port());
  waiting.login("wes", "pw");
  const auto baseline = MachineBaseline::measure();
  const auto t0 = std::chrono::steady_clock::now();
  srv.kill(SIGTERM);
  CHECK_NOTHROW(p.black.expect<proto::OpponentDisconnect>());
  CHECK_NOTHROW(p.white.expect<proto::OpponentDisconnect>());
  CHECK(p.black.expect_closed());
  CHECK(p.white.expect_closed());
  CHECK(waiting.expect_closed(10s, true));
  const auto code = srv.wait_exit(20s);
  REQUIRE(code);
  CHECK(*code == 0);
  // 2 s on an idle machine with a plain build; wider as this run's baseline says.
  CHECK(Seconds(std::chrono::steady_clock::now() - t0) <
        due_by(Seconds(0), baseline, Seconds(2.0)));
  srv.start();
  ProtocolClient c(srv.port());
  CHECK(c.login("uma", "pw").rating == 1500);  // unrated
}

TEST_CASE("SIGINT on an idle server exits 0", "[server][lifecycle]") {
  ServerProcess srv;
  CHECK(srv.stop(SIGINT, 3s) == 0);
  CHECK(srv.log_contains("stopped"));
}

TEST_CASE("SIGHUP reopens the log file", "[server][lifecycle]") {
  TempDir dir;
  const auto log = dir / "server.log";
  ServerProcess srv({"--log-file", log.string()});
  REQUIRE(std::filesystem::exists(log));
  std::filesystem::rename(log, dir / "server.log.1");
  srv.kill(SIGHUP);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::string text;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    if (text.find("reopened") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);  // polling a file
  }
  CHECK(text.find("reopened") != std::string::npos);
  std::ifstream old(dir / "server.log.1");
  std::stringstream ss;
  ss << old.rdbuf();
  CHECK(ss.str().find("listening on") != std::string::npos);
}

TEST_CASE("--verbose logs every message with the session", "[server][lifecycle]") {
  ServerProcess srv({"--verbose"});
  ProtocolClient c(srv.port());
  c.login("xena", "pw");
  CHECK(srv.wait_for_log("xena] send QueuePosition{queue_size=1, queue_pos=1, rating=1500}"));
  CHECK(srv.log_contains("recv Connect{version=1, username=\"xena\", password=<2 bytes>}"));
  CHECK_FALSE(srv.log_contains("\"pw\""));  // passwords are never logged
}

TEST_CASE("--quiet logs warnings only", "[server][lifecycle]") {
  ServerProcess srv({"--quiet"});
  ProtocolClient c(srv.port());
  c.login("yuri", "pw");
  CHECK(srv.stop(SIGTERM) == 0);
  CHECK_FALSE(srv.log_contains("listening on"));
  CHECK_FALSE(srv.log_contains("logged in"));
}

TEST_CASE("--max-clients: surplus connections are accepted and closed at once",
          "[server][lifecycle]") {
  ServerProcess srv({"--max-clients", "2"});
  ProtocolClient a(srv.port()), b(srv.port());
  a.login("zoe", "pw");
  b.login("zed", "pw");
  ProtocolClient c(srv.port());
  CHECK(c.expect_closed(3s));
  CHECK(srv.wait_for_log("--max-clients reached"));
  a.close();
  // A slot frees up once a session is gone.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  bool ok = false;
  while (!ok && std::chrono::steady_clock::now() < deadline) {
    ProtocolClient d(srv.port());
    try {
      ok = std::holds_alternative<proto::QueuePosition>(d.connect("zoe", "pw", 1, 2s));
    } catch (const ProtocolError&) {
    }
  }
  CHECK(ok);
}

TEST_CASE("--max-clients-per-ip limits connections from one address", "[server][lifecycle]") {
  ServerProcess srv({"--max-clients-per-ip", "1"});
  ProtocolClient a(srv.port());
  a.login("amy", "pw");
  ProtocolClient b(srv.port());
  CHECK(b.expect_closed(3s));
  CHECK(srv.wait_for_log("--max-clients-per-ip reached"));
}
