// Smoke runs of checkers-bench (play, idle, login) against a real checkers-server on
// loopback: the JSON line must be the last line of stdout, carry the documented keys,
// show work done and no errors. Short runs; the numbers themselves are not judged.
#include <catch2/catch.hpp>

#include <regex>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/server_process.hpp"

using namespace checkers::test;

namespace {

std::string last_line(const std::string& out) {
  std::string s = out;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  const auto nl = s.rfind('\n');
  return nl == std::string::npos ? s : s.substr(nl + 1);
}

// The number after "key": in a flat JSON object (-1 if absent).
double number(const std::string& json, const std::string& key) {
  const std::regex re("\"" + key + "\":(-?[0-9.]+)");
  std::smatch m;
  if (!std::regex_search(json, m, re)) return -1;
  return std::stod(m[1].str());
}

RunResult bench(const ServerProcess& server, std::vector<std::string> args) {
  std::vector<std::string> argv{(bin_dir() / "checkers-bench").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::vector<std::string> common{"--port", std::to_string(server.port()), "--json",
                                        "--server-pid", std::to_string(server.pid())};
  argv.insert(argv.end(), common.begin(), common.end());
  return run_command(argv, {}, std::chrono::seconds(60));
}

// Any two bench players may meet (as in bench/run): ratings drift apart as games end,
// and the default rating gap would leave players queued until the next sweep.
ServerProcess start_server() {
  return ServerProcess(std::vector<std::string>{"--registration", "open", "--quiet",
                                                "--max-clients-per-ip", "1000", "--match-gap",
                                                "100000"});
}

}  // namespace

TEST_CASE("checkers-bench play reports moves, games and latencies without errors") {
  ServerProcess server = start_server();
  const RunResult r = bench(server, {"play", "--connections", "4", "--duration", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string json = last_line(r.out);
  REQUIRE(json.front() == '{');
  for (const char* key :
       {"connections", "games", "moves_per_sec", "p50_ms", "p99_ms", "p999_ms", "errors"})
    CHECK(number(json, key) >= 0);
  CHECK(number(json, "connections") == 4);
  CHECK((number(json, "games") > 0 || number(json, "moves_per_sec") > 0));
  CHECK(number(json, "errors") == 0);
  CHECK(number(json, "p50_ms") <= number(json, "p99_ms"));
}

// Issue 16: with a pool larger than 2N the players rest between games, and N games stay
// in progress: never more (the bench ReQueues two players only when a game has ended),
// and all N at some point of the window; no connection ReQueues faster than 16 per second,
// so the server never cuts one off as a flood.
TEST_CASE("checkers-bench play --games keeps N games in progress from a larger pool") {
  ServerProcess server = start_server();
  // 150 players for 3 games: a connection may start 16 games a second, and 3 games of ~55
  // moves end on loopback far more often than 24 players could follow.
  const RunResult r = bench(
      server, {"play", "--connections", "150", "--games", "3", "--duration", "2", "--rounds", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string json = last_line(r.out);
  CHECK(number(json, "games_target") == 3);
  CHECK(number(json, "connections") == 150);
  CHECK(number(json, "games_in_progress_max") == 3);
  CHECK(number(json, "games_in_progress_median") > 0);
  CHECK(number(json, "games_in_progress_median") <= 3);
  CHECK(number(json, "games") > 0);
  // Rested players were brought in: more ReQueues were sent than the 6 players in the
  // first games, each at least 62.5 ms after that connection's previous one.
  CHECK(number(json, "min_requeue_gap_ms") >= 62.5);
  CHECK(number(json, "errors") == 0);
  CHECK(number(json, "disconnects") == 0);
  CHECK(number(json, "opponent_disconnects") == 0);
}

// Issue 15: protocol 2 players (whole-path MakeMove2 checked by the server's referee: an
// InvalidMove2 counts as an error) and watchers that Watch each game as it starts.
TEST_CASE("checkers-bench play --protocol 2 plays v2 games, watched by --watchers") {
  ServerProcess server = start_server();
  const RunResult r = bench(server, {"play", "--protocol", "2", "--connections", "8", "--watchers",
                                     "2", "--duration", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string json = last_line(r.out);
  CHECK(number(json, "protocol") == 2);
  CHECK(number(json, "requested") == 8 + 2 * 4);
  CHECK(number(json, "ready") == 16);
  CHECK(number(json, "games") > 0);
  CHECK(number(json, "moves_per_sec") > 0);
  CHECK(number(json, "invalid_moves") == 0);
  CHECK(number(json, "watch_starts") > 0);
  CHECK(number(json, "games_in_progress_max") <= 4);
  CHECK(number(json, "errors") == 0);
  CHECK(number(json, "disconnects") == 0);
}

TEST_CASE("checkers-bench idle holds logged-in sessions") {
  ServerProcess server = start_server();
  const RunResult r = bench(server, {"idle", "--connections", "6", "--duration", "2.5"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string json = last_line(r.out);
  CHECK(number(json, "sessions") == 6);
  CHECK(number(json, "errors") == 0);
  CHECK(number(json, "server_rss_after_kib") > 0);
}

TEST_CASE("checkers-bench login cycles Connect and LogOut") {
  ServerProcess server = start_server();
  // Two Connects per TCP connection: the run must move to fresh connections (as it
  // does at the server's per-connection Connect limit) without counting errors.
  const RunResult r = bench(
      server, {"login", "--connections", "2", "--duration", "4", "--logins-per-connection", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string json = last_line(r.out);
  CHECK(number(json, "logins_per_sec") * 4 > 2 * 2);  // more logins than one Connect pair each
  CHECK(number(json, "errors") == 0);
  CHECK(number(json, "disconnects") == 0);
}

TEST_CASE("checkers-bench rejects a bad command line with exit 2") {
  const std::string bin = (bin_dir() / "checkers-bench").string();
  CHECK(run_command({bin, "dance"}).exit_code == 2);
  CHECK(run_command({bin, "play", "--connections", "4", "--games", "3"}).exit_code == 2);
  CHECK(run_command({bin, "play", "--watchers", "2"}).exit_code == 2);
  CHECK(run_command({bin, "play", "--protocol", "3"}).exit_code == 2);
  CHECK(run_command({bin, "idle", "--protocol", "2"}).exit_code == 2);
}
