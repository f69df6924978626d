// --house-bot on the real server, seen by raw protocol v1 clients (bytes of PROTOCOL.md):
// a player left alone in the queue plays the server's engine to a rated GameOver whose
// result and record are durable; several lonely players get bot games at once; nobody can
// log into the bot's account; the bot does not come before its waiting time; a bad
// --house-bot value is a usage error.
#include "fixture.hpp"

#include "support/process.hpp"

using namespace checkers;
using namespace checkers::test;

namespace {

ServerProcess::Options with_house_bot(const std::string& spec) {
  ServerProcess::Options o;
  o.extra_args = {"--house-bot", spec};
  return o;
}

}  // namespace

TEST_CASE("a lonely v1 player plays the house bot to a rated, recorded GameOver",
          "[server][house_bot]") {
  ServerProcess srv(with_house_bot("random:0"));
  ProtocolClient c(srv.port());
  c.login("lonely", "pw");
  const std::vector<ClientGame> games = play_games({&c}, random_strategy(3));
  REQUIRE(games.size() == 1);
  const ClientGame& g = games[0];
  REQUIRE(g.start);
  CHECK(g.start->opponent_name.str() == "computer-random");
  CHECK(g.start->opponent_rating == 1500);
  REQUIRE(g.over);  // a whole game: the bot answered every turn
  CHECK(g.over->old_rating == 1500);
  CHECK(g.moves_sent > 0);
  // Back in the lobby the v1 way: ReQueue works as after any game.
  c.send(proto::ReQueue{});
  CHECK(c.expect<proto::QueuePosition>().rating == g.over->new_rating);

  srv.kill(SIGKILL);  // the result and the record were durable at GameOver
  REQUIRE(srv.wait_exit(5s));
  const RunResult users = srv.run_admin({"user", "list"});
  CHECK(users.out.find("computer-random") != std::string::npos);
  const RunResult list = srv.run_admin({"game", "list", "--user", "computer-random"});
  CHECK(list.out.find("lonely") != std::string::npos);
  srv.start();
  ProtocolClient again(srv.port());
  CHECK(again.login("lonely", "pw").rating == g.over->new_rating);
}

TEST_CASE("nobody logs into the house bot's account", "[server][house_bot]") {
  ServerProcess srv(with_house_bot("medium:600"));
  for (const char* pw : {"", "!house-bot", "pw"}) {
    ProtocolClient c(srv.port());
    const proto::Message m = c.connect("computer-medium", pw);
    REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
    CHECK(std::get<proto::InvalidLogin>(m).reason == proto::LoginFailure::InvalidPassword);
  }
}

TEST_CASE("the house bot waits SECONDS before it comes", "[server][house_bot]") {
  ServerProcess srv(with_house_bot("random:600"));
  ProtocolClient c(srv.port());
  c.login("patient", "pw");
  // Three queue ticks (one QueuePosition a second) and still no game.
  for (int tick = 0; tick < 3; ++tick) CHECK(c.expect<proto::QueuePosition>(10s).queue_size == 1);
  CHECK_FALSE(srv.log_contains("comes to play"));
}

TEST_CASE("lonely players one after the other each get a bot game, also at once",
          "[server][house_bot]") {
  ServerProcess srv(with_house_bot("medium:0"));
  ProtocolClient a(srv.port());
  a.login("first", "pw");
  const auto start_a = a.expect_skipping_queue<proto::GameStart>(20s);
  CHECK(start_a.opponent_name.str() == "computer-medium");
  // `first` is in its game (not queued): the next lonely player gets a bot of its own.
  ProtocolClient b(srv.port());
  b.login("second", "pw");
  const auto start_b = b.expect_skipping_queue<proto::GameStart>(20s);
  CHECK(start_b.opponent_name.str() == "computer-medium");
  a.unread(proto::Message{start_a});
  b.unread(proto::Message{start_b});
  const std::vector<ClientGame> games = play_games({&a, &b}, random_strategy(9));
  for (const ClientGame& g : games) {
    REQUIRE(g.over);
    CHECK(g.over->old_rating == 1500);
  }
  CHECK(srv.log_count("comes to play") == 2);
}

TEST_CASE("a bad --house-bot value is a usage error", "[server][house_bot]") {
  for (const char* bad : {"grandmaster", "medium:", "medium:-1", "medium:ten", ":5"}) {
    const RunResult r =
        run_command({ServerProcess::binary().string(), "--house-bot", bad, "--port", "0"});
    INFO(bad << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--house-bot") != std::string::npos);
  }
}

TEST_CASE("a lonely v2 player gets the house bot too (a mixed game: per-move limit)",
          "[server][house_bot][v2]") {
  ServerProcess srv(with_house_bot("random:0"));
  ProtocolClient c(srv.port());
  c.login_v2("lonely2", "pw");
  c.send(proto::ReQueue{});
  const auto start = c.expect_v2<proto::GameStart2>(20s);
  CHECK(start.opponent_name.str() == "computer-random");
  // The bot is a v1 client inside the server (PROTOCOL-v2.md §10 wants version 0 and
  // Fischer clocks for it: not yet).
  CHECK(start.opponent_version == 1);
  CHECK(start.clock_kind == proto::ClockKind::PerMove);
  c.send(proto::Resign{});
  std::optional<proto::GameOver2> over;
  while (!over) {  // our first turn (or the bot's move) may come first
    const proto::Message m = c.receive(20s);
    if (const auto* o = std::get_if<proto::GameOver2>(&m)) over = *o;
  }
  CHECK(over->reason == proto::EndReason::Resignation);
  CHECK(srv.wait_for_log("computer-random won, resigned", 10s));
}
