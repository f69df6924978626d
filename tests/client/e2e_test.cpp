// checkers-client as a user runs it, against the real checkers-server: two bots playing
// rated games, a person at a pseudo-terminal, and the server dying mid-game.
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "game/movegen.hpp"
#include "pty.hpp"
#include "server/fixture.hpp"
#include "support/game_driver.hpp"
#include "support/process.hpp"
#include "support/protocol_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "text_file.hpp"

using namespace checkers;
using namespace checkers::test;
using namespace std::chrono_literals;

namespace {

std::string client_binary() { return (bin_dir() / "checkers-client").string(); }

std::unique_ptr<ServerProcess> start_server(
    const std::vector<std::pair<std::string, std::string>>& users) {
  return server_with_users(users, {"-v", "--match-gap", "100000"});
}

std::vector<std::string> bot_args(uint16_t port, const std::string& user, int games, int seed) {
  return bot_client_argv(port, user, "random", games,
                         {"--seed", std::to_string(seed), "--no-save"});
}

// A White reply that leaves Black (the client) without a capture, so no forced move.
game::Hop quiet_reply(const proto::Board& board) {
  const game::Position pos = position_from_board(board, game::Color::White, game::Color::White);
  const auto hops = game::legal_hops(pos);
  REQUIRE_FALSE(hops.empty());
  for (const game::Hop& h : hops) {
    const auto r = game::apply_hop(pos, h);
    if (r.turn_over && !game::has_capture(r.next) && game::count_moves(r.next) > 1) return h;
  }
  return hops.front();
}

}  // namespace

TEST_CASE("two bots play 20 rated games through the real server") {
  auto server = start_server({});
  TempDir tmp("client-bots");
  ChildProcess a(bot_args(server->port(), "botalice", 20, 1), tmp / "a.out");
  ChildProcess b(bot_args(server->port(), "botbob", 20, 2), tmp / "b.out");
  const auto ea = a.wait_exit(240s);
  const auto eb = b.wait_exit(240s);
  const std::string out_a = slurp(tmp / "a.out");
  const std::string out_b = slurp(tmp / "b.out");
  INFO(out_a);
  INFO(out_b);
  REQUIRE(ea == 0);
  REQUIRE(eb == 0);
  const std::regex line(R"(game (\d+): (win|loss|draw) vs (\w+) \((\d+) -> (\d+)\), (\d+) moves)");
  for (const std::string* out : {&out_a, &out_b}) {
    CHECK(out->find('\x1b') == std::string::npos);  // no ANSI when stdout is a file
    int games = 0;
    int moved = 0;
    for (auto it = std::sregex_iterator(out->begin(), out->end(), line);
         it != std::sregex_iterator(); ++it) {
      ++games;
      CHECK(std::stoi((*it)[1]) == games);
      CHECK(std::stoi((*it)[6]) > 0);
      if ((*it)[4] != (*it)[5]) ++moved;
    }
    CHECK(games == 20);
    CHECK(moved > 0);
  }
  CHECK(out_a.find("vs botbob") != std::string::npos);
  CHECK(out_b.find("vs botalice") != std::string::npos);
}

TEST_CASE("a person plays through a pseudo-terminal") {
  auto server = start_server({{"alice", "pw"}});
  TempDir state("client-state");
  PtyProcess ui({client_binary(), "--host-addr", "127.0.0.1", "--port",
                 std::to_string(server->port()), "--verbose", "--no-save"},
                {"XDG_STATE_HOME=" + state.path().string(), "TERM=xterm"});
  REQUIRE(ui.expect("Username: "));
  ui.type("alice\n");
  REQUIRE(ui.expect("Password for alice: "));
  ui.type("sekrit\n");
  REQUIRE(ui.expect("Login refused: wrong password"));
  REQUIRE(ui.expect("Username [alice]: "));
  ui.type("\n");
  REQUIRE(ui.expect("Password for alice: "));
  ui.type("pw\n");
  INFO(ui.output());
  REQUIRE(ui.expect("Waiting for an opponent: place 1 of 1"));
  CHECK(ui.output().find("sekrit") == std::string::npos);  // typed without echo

  // alice queued first, so on equal ratings she is Black and moves first.
  ProtocolClient bob(server->port());
  bob.login("bob", "pw");
  bob.expect_skipping_queue<proto::GameStart>(10s);
  REQUIRE(ui.expect("New game against bob"));
  REQUIRE(ui.expect("You play Black"));
  REQUIRE(ui.expect("square numbers"));
  REQUIRE(ui.expect("Your move"));
  CHECK(ui.output().find("\x1b[") != std::string::npos);  // colours on a terminal

  ui.type("11-15\n");
  REQUIRE(ui.expect("you: 11-15"));
  const auto turn = bob.expect<proto::YourTurn>(10s);
  CHECK(turn.last_move == proto::Move{5, 5, -1, -1});
  bob.send(proto::MakeMove{to_wire(quiet_reply(turn.board))});
  REQUIRE(ui.expect("bob: "));
  REQUIRE(ui.expect("Your move"));

  ui.type("11-16\n");
  REQUIRE(ui.expect("Illegal move 11-16: there is no piece on 11 (f6)"));
  REQUIRE(ui.expect("Legal moves: "));
  REQUIRE(ui.expect("Your move"));
  CHECK(bob.expect_silence(300ms));  // rejected locally: nothing reached the server

  ui.type("\x03");  // Ctrl-C asks first in a game; a second one confirms
  REQUIRE(ui.expect("Resign this game? It counts as a loss. [y/N]"));
  ui.type("\x03");
  CHECK(ui.wait_exit(10s) == 0);
  CHECK(server->wait_for_log("alice] logged out", 5s));
  bob.expect<proto::OpponentDisconnect>(10s);
  const std::string log = slurp(state / "checkers" / "client.log");
  CHECK(log.find("send MakeMove") != std::string::npos);  // --verbose went to the file
  CHECK(ui.output().find("send MakeMove") == std::string::npos);
}

TEST_CASE("the server dying mid-game ends the client with exit code 1 and a message") {
  auto server = start_server({});
  TempDir tmp("client-kill");
  ChildProcess bot(bot_args(server->port(), "carol", 5, 3), tmp / "bot.out");
  // carol queues first, so she is Black and moves first; once dave has her move, the
  // server has read everything she sent and she waits for dave.
  REQUIRE(server->wait_for_log("logged in", 10s));
  ProtocolClient dave(server->port());
  dave.login("dave", "pw");
  dave.expect_skipping_queue<proto::GameStart>(10s);
  dave.expect<proto::YourTurn>(10s);
  server->kill(SIGKILL);
  server->wait_exit(10s);
  const auto code = bot.wait_exit(10s);
  const std::string out = slurp(tmp / "bot.out");
  INFO(out);
  CHECK(code == 1);
  CHECK(out.find("closed the connection in the middle of the game") != std::string::npos);
}

TEST_CASE("a bot with a wrong password exits 2 without prompting") {
  auto server = start_server({{"erin", "right"}});
  const RunResult r = run_command(bot_args(server->port(), "erin", 1, 4), "", 20s);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("wrong password") != std::string::npos);
}
