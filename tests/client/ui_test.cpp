// The terminal client as people see it: two checkers-client processes on pseudo-terminals
// play a scripted game on the real server; the screens are asserted as text (every ply
// once, in order, with the right actor; the board current; leaving asks first; input
// survives status updates; resize; saved PDN replays with checkers-engine).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "client/board_adapter.hpp"
#include "client/render.hpp"
#include "game/movegen.hpp"
#include "game/pdn.hpp"
#include "pty.hpp"
#include "server/fixture.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "text_file.hpp"
#include "ui_support.hpp"

using namespace checkers;
using namespace checkers::test;
using namespace std::chrono_literals;
using game::Color;
using game::Position;

TEST_CASE(
    "two people play a scripted game: every ply once, the board current, resigning asks first") {
  auto server =
      server_with_users({{"alice", "pw"}, {"bob", "pw"}}, {"-v", "--match-gap", "100000"});
  TempDir home("client-ui");
  auto alice = person(server->port(), "alice", home);
  REQUIRE(alice->expect("Waiting for an opponent"));
  auto bob = person(server->port(), "bob", home);

  // White's opening board is drawn before Black has moved.
  REQUIRE(bob->expect("You play White"));
  expect_board(*bob, Position::start(), Color::White);
  REQUIRE(alice->expect("You play Black"));

  // Overlong input is cut in the echo.
  REQUIRE(alice->expect("Your move (e.g. " + first_move(Position::start()) + ";"));
  alice->type(std::string(6000, '1') + "\n");
  REQUIRE(alice->expect("Illegal move 111111111111111111111..."));
  CHECK(alice->output().find(std::string(100, '1')) ==
        std::string::npos);  // cut everywhere it is repeated
  alice->type("dance\n");
  REQUIRE(alice->expect("Unknown command 'dance'"));

  // 1. 11-15 22-18 2. 15x22 (forced) 26x17 3. 12-16 31-26 4. 9-13 23-19 5. 13x22x31 (typed whole,
  // crowned)
  const std::vector<std::string> script = {"11-15", "22-18", "15x22", "26x17",   "12-16",
                                           "31-26", "9-13",  "23-19", "13x22x31"};
  Position pos = Position::start();
  std::string previous;  // the last ply, as the mover of the next one is told it
  // Plays one ply: typed by its player after the opponent's previous ply was shown
  // (the prompt is drawn again under every board), or played by the server when forced.
  auto play_ply = [&](const std::string& text) {
    PtyProcess& mover = pos.side_to_move() == Color::Black ? *alice : *bob;
    const bool forced = game::legal_hops(pos).size() == 1;
    if (!forced) {
      INFO("ply " << text << "\n" << mover.unmatched());
      if (!previous.empty()) REQUIRE(mover.expect(previous));
      // The prompt's example is a legal move of the player (White's too).
      REQUIRE(mover.expect("Your move (e.g. " + first_move(pos) + ";"));
      mover.type(text + "\n");
    }
    previous = (pos.side_to_move() == Color::Black ? "alice: " : "bob: ") + text;
    pos = game::play(pos, *game::find_move(pos, text));
  };
  int plies = 0;
  for (const std::string& text : script) {
    play_ply(text);
    if (++plies == 1) {
      // Our own move is drawn at once, before the opponent answers.
      REQUIRE(alice->expect("you: 11-15"));
      expect_board(*alice, pos, Color::Black);
    }
  }
  // On to a turn of bob's with a choice.
  while (pos.side_to_move() != Color::White || game::legal_hops(pos).size() == 1) {
    play_ply(first_move(pos));
    ++plies;
  }

  // The move list with full-move numbers.
  alice->type("history\n");
  REQUIRE(alice->expect(
      "Moves: 1. 11-15 22-18  2. 15x22 26x17  3. 12-16 31-26  4. 9-13 23-19  5. 13x22x31 19x12"));

  REQUIRE(bob->expect(previous));
  REQUIRE(bob->expect("Your move"));

  const std::vector<std::string> alice_sees = {
      "you: 11-15", "bob: 22-18", "forced for you: 15x22",
      "bob: 26x17", "you: 12-16", "bob: 31-26",
      "you: 9-13",  "bob: 23-19", "you: 13x22x31 (2 captured), crowned"};
  const std::vector<std::string> bob_sees = {
      "alice: 11-15", "you: 22-18",   "forced for alice: 15x22",
      "you: 26x17",   "alice: 12-16", "you: 31-26",
      "alice: 9-13",  "you: 23-19",   "alice: 13x22x31 (2 captured), crowned"};
  for (const auto& [ui, lines] :
       {std::pair{alice.get(), &alice_sees}, std::pair{bob.get(), &bob_sees}}) {
    const std::string out = ui->output();
    INFO(out);
    size_t at = 0;
    for (const std::string& line : *lines) {
      INFO(line);
      CHECK(count_of(out, line + "\r\n") == 1);
      const size_t found = out.find(line + "\r\n", at);
      CHECK(found != std::string::npos);
      if (found != std::string::npos) at = found;
    }
    CHECK(out.find("played by the server") == std::string::npos);
  }

  // A narrower terminal: the board is drawn again, compact (no key).
  alice->resize(24, 50);
  REQUIRE(alice->expect(board_rows(pos, Color::Black, false).front() + "     moves"));
  expect_board(*alice, pos, Color::Black, false, 1);

  // Ctrl-C in a game asks; "n" goes back to the game, which goes on.
  bob->type("\x03");
  REQUIRE(bob->expect("Resign this game? It counts as a loss. [y/N]"));
  bob->type("n\n");
  REQUIRE(bob->expect("Your move"));
  const std::string reply = first_move(pos);
  bob->type(reply + "\n");
  REQUIRE(alice->expect("bob: " + reply));
  CHECK(alice->output().find("left the game") == std::string::npos);
  pos = game::play(pos, *game::find_move(pos, reply));
  ++plies;

  // A second Ctrl-C confirms.
  bob->type("\x03");
  REQUIRE(bob->expect("Resign this game?"));
  bob->type("\x03");
  REQUIRE(bob->expect("You resigned: the game against alice counts as a loss."));
  CHECK(bob->wait_exit(20s) == 0);
  REQUIRE(alice->expect("bob left the game: you win"));
  REQUIRE(alice->expect("Game saved: "));
  CHECK(server->wait_for_log("bob] logged out", 10s));

  // Both saved games replay.
  for (const char* who : {"alice", "bob"}) {
    const auto file = only_file_in(home / who);
    const std::string text = slurp(file);
    INFO(text);
    CHECK(text.find("[Black \"alice\"]") != std::string::npos);
    CHECK(text.find("[White \"bob\"]") != std::string::npos);
    CHECK(text.find("[Result \"1-0\"]") != std::string::npos);
    CHECK(text.find("[Site \"127.0.0.1") != std::string::npos);
    CHECK(text.find("1. 11-15 22-18 2. 15x22 26x17") != std::string::npos);
    const RunResult r = run_command({engine_binary(), "replay", file.string()}, "", 20s);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(std::to_string(plies) + " plies replayed, all legal; result 1-0") !=
          std::string::npos);
  }
  alice->type("n\n");
  CHECK(alice->wait_exit(20s) == 0);
}

TEST_CASE(
    "typing survives status updates; Up recalls the last line; leaving the queue is at once") {
  auto server = server_with_users({{"carol", "pw"}}, {});
  TempDir home("client-ui-typing");
  auto carol = person(server->port(), "carol", home, 24, 80);
  REQUIRE(carol->expect("Waiting for an opponent: place 1 of 1"));
  carol->type("hello wor");
  REQUIRE(carol->expect("hello wor"));
  // The status line is redrawn (the server's QueuePosition, the clock), the typing after it.
  REQUIRE(carol->expect("Waiting for an opponent: place 1 of 1"));
  REQUIRE(carol->expect("hello wor"));
  carol->type("ld\n");
  REQUIRE(carol->expect("Please wait for an opponent"));
  carol->type("\x1b[A");
  REQUIRE(carol->expect("hello world"));
  carol->type("\x15");  // Ctrl-U
  carol->type("\x03");  // Ctrl-C outside a game: leave at once
  if (!carol->expect("Interrupted: logged out.")) {
    const std::string stuck = carol->describe();
    const std::optional<int> status = carol->wait_exit(5s);
    FAIL("no \"Interrupted: logged out.\"; exit status "
         << (status ? std::to_string(*status) : std::string("none (still running)"))
         << "; output after the last match:\n"
         << carol->unmatched() << "\n"
         << stuck);
  }
  CHECK(carol->wait_exit(20s) == 0);
  CHECK(server->wait_for_log("carol] logged out", 10s));
}

TEST_CASE("--games without --bot is a usage error") {
  const RunResult r =
      run_command({client_binary(), "--host-addr", "127.0.0.1", "--games", "3"}, "", 20s);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--games only counts games played with --bot") != std::string::npos);
}

TEST_CASE("--vs-computer plays a whole local game with the same UI and saves it") {
  TempDir home("client-vs");
  PtyProcess ui({client_binary(), "--vs-computer", "random", "--seed", "3", "--no-color",
                 "--games-dir", (home / "games").string()},
                {"XDG_STATE_HOME=" + home.path().string(), "TERM=xterm", "USER=dora"}, 50, 132);
  REQUIRE(ui.expect("A game against the computer on this machine: no server, not rated."));
  REQUIRE(ui.expect("You play Black"));
  // The script: always the example the prompt gives (a legal move), until the game ends.
  int typed = 0;
  for (;;) {
    const int what = ui.expect_first({"Your move (e.g. ", "Play again? [Y/n]"}, 120s);
    REQUIRE(what >= 0);
    if (what == 1) break;
    const auto move = ui.read_until(";");
    REQUIRE(move);
    ui.type(*move + "\n");
    REQUIRE(ui.expect("you: " + *move));
    REQUIRE(++typed < 300);
  }
  const std::string out = ui.output();
  const bool ended = out.find("You won against computer-random") != std::string::npos ||
                     out.find("You lost against computer-random") != std::string::npos ||
                     out.find("Draw against computer-random") != std::string::npos;
  CHECK(ended);
  CHECK(out.find("rating") == std::string::npos);  // nothing is rated
  ui.type("n\n");
  CHECK(ui.wait_exit(20s) == 0);
  const auto file = only_file_in(home / "games");
  const std::string pdn = slurp(file);
  INFO(pdn);
  CHECK(pdn.find("[Event \"Game against the computer\"]") != std::string::npos);
  CHECK(pdn.find("[Black \"dora\"]") != std::string::npos);
  CHECK(pdn.find("[White \"computer-random\"]") != std::string::npos);
  CHECK(pdn.find("Rating") == std::string::npos);  // not rated
  const RunResult r = run_command({engine_binary(), "replay", file.string()}, "", 20s);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("plies replayed, all legal") != std::string::npos);
}

TEST_CASE("no move within the server's turn limit: the client says what most likely happened") {
  auto server =
      server_with_users({{"erin", "pw"}}, {"--turn-timeout", "2", "--match-gap", "100000"});
  TempDir home("client-ui-timeout");
  auto erin = person_v1(server->port(), "erin", home);
  REQUIRE(erin->expect("Waiting for an opponent"));
  ProtocolClient frank(server->port());
  frank.login("frank", "pw");
  frank.expect_skipping_queue<proto::GameStart>(10s);
  REQUIRE(erin->expect("You play Black"));
  REQUIRE(erin->expect("Your move"));
  // erin does nothing; the server ends the game and closes her connection.
  CHECK(frank.expect<proto::GameOver>(30s).won());
  CHECK(erin->wait_exit(30s) == 1);
  // The sentence is wrapped to the terminal's width: read it as one line.
  std::string said = erin->output();
  for (size_t at = said.find("\r\n"); at != std::string::npos; at = said.find("\r\n", at))
    said.replace(at, 2, " ");
  INFO(said);
  CHECK(said.find("closed the connection after no move from you for 0:0") != std::string::npos);
  CHECK(said.find("most likely the server's turn time limit; the game counts as a loss.") !=
        std::string::npos);
  CHECK(server->wait_for_log("made no move within the turn limit of 2 s: the game is lost", 10s));
}

TEST_CASE("a lonely person plays the house bot; v2 commands on a v1 connection say so") {
  ServerProcess srv(std::vector<std::string>{"--house-bot", "random:0"});
  TempDir home("client-ui-house-bot");
  auto ann = person_v1(srv.port(), "ann", home);
  REQUIRE(ann->expect("New game against computer-random"));
  REQUIRE(ann->expect("Your move"));
  ann->type("draw\n");
  REQUIRE(ann->expect("'draw' is not available: it needs protocol v2"));
  ann->type("say hi\n");
  REQUIRE(ann->expect("'say' is not available"));
  ann->type("\x03");
  REQUIRE(ann->expect("Resign this game?"));
  ann->type("y\n");
  CHECK(ann->wait_exit(20s) == 0);
  CHECK(srv.wait_for_log("computer-random won, abandoned", 10s));
}

TEST_CASE("help fits 78 columns") {
  TempDir home("client-vs-help");
  PtyProcess ui({client_binary(), "--vs-computer", "random", "--no-color", "--no-save"},
                {"XDG_STATE_HOME=" + home.path().string(), "TERM=xterm"}, 24, 80);
  REQUIRE(ui.expect("Your move"));
  ui.type("help\n");
  REQUIRE(ui.expect("How to play:"));
  const auto text = ui.read_until("watch one");
  REQUIRE(text);
  std::istringstream lines(*text);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    INFO(line);
    CHECK(line.size() <= 78);
  }
  CHECK(count > 10);
  ui.type("\x03");
  REQUIRE(ui.expect("Resign this game?"));
  ui.type("y\n");
  CHECK(ui.wait_exit(20s) == 0);
}

TEST_CASE("the server shutting down mid-game is told as such, not as the opponent leaving") {
  auto server = server_with_users({{"gina", "pw"}}, {"--match-gap", "100000"});
  TempDir home("client-ui-shutdown");
  auto gina = person_v1(server->port(), "gina", home);
  REQUIRE(gina->expect("Waiting for an opponent"));
  ProtocolClient hank(server->port());
  hank.login("hank", "pw");
  hank.expect_skipping_queue<proto::GameStart>(10s);
  REQUIRE(gina->expect("Your move"));
  server->kill(SIGTERM);
  CHECK(gina->wait_exit(30s) == 1);
  std::string said = gina->output();
  for (size_t at = said.find("\r\n"); at != std::string::npos; at = said.find("\r\n", at))
    said.replace(at, 2, " ");
  INFO(said);
  CHECK(said.find("the server shut down (an unfinished game is not rated).") != std::string::npos);
  CHECK(said.find("left the game") == std::string::npos);
}
