// The terminal client on protocol v2 as people see it: checkers-client processes on
// pseudo-terminals against the real server - a watcher seeing the game as the players
// do, invitations told from each side, chat lines of one's own, the clock deciding a
// game, the server shutting down, and narrow terminals where prose wraps at words.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "game/movegen.hpp"
#include "game/pdn.hpp"
#include "pty.hpp"
#include "server/fixture.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "text_file.hpp"
#include "ui_support.hpp"

using namespace checkers;
using namespace checkers::test;
using namespace std::chrono_literals;

namespace {

// The output as lines: escapes (the status line's cursor moves) and carriage returns
// left out, so that each is what a person reads on one row.
std::vector<std::string> screen_lines(const std::string& out) {
  static const std::regex escape("\x1b\\[[0-9;]*[A-Za-z]");
  const std::string plain = std::regex_replace(out, escape, "\n");
  std::vector<std::string> lines;
  std::string line;
  for (char c : plain) {
    if (c == '\n' || c == '\r') {
      if (!line.empty()) lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// The output with every line break and the indentation after it made one space: a
// sentence wrapped at words reads as the sentence.
std::string joined(const std::string& out) {
  static const std::regex breaks("\r\n *");
  return std::regex_replace(out, breaks, " ");
}

// Whether `text` was printed on a line of its own (after a newline, or after the status
// line was erased for it).
bool on_own_line(const std::string& out, const std::string& text) {
  for (size_t at = out.find(text); at != std::string::npos; at = out.find(text, at + 1)) {
    const bool starts =
        at > 0 && (out[at - 1] == '\n' || (at >= 3 && out.compare(at - 3, 3, "\x1b[J") == 0));
    if (starts && out.compare(at + text.size(), 2, "\r\n") == 0) return true;
  }
  return false;
}

// A person's client at this size with no saved games and no TLS (a file path and a
// certificate fingerprint are not prose: they do not wrap).
std::unique_ptr<PtyProcess> narrow_person(uint16_t port, const std::string& name,
                                          const TempDir& home, int cols) {
  return std::make_unique<PtyProcess>(
      std::vector<std::string>{client_binary(), "--host-addr", "127.0.0.1", "--port",
                               std::to_string(port), "--username", name, "--password", "pw",
                               "--no-color", "--no-save", "--tls", "off"},
      std::vector<std::string>{"XDG_STATE_HOME=" + home.path().string(), "TERM=xterm"}, 24, cols);
}

// Plays `text` for whoever is to move in `pos` (the server plays a forced move itself).
void play(Position& pos, PtyProcess& black, PtyProcess& white, const std::string& text) {
  PtyProcess& mover = pos.side_to_move() == Color::Black ? black : white;
  if (game::legal_hops(pos).size() != 1) {
    INFO(text << "\n" << mover.unmatched());
    REQUIRE(mover.expect("Your move (e.g. " + first_move(pos)));
    mover.type(text + "\n");
  }
  pos = game::play(pos, *game::find_move(pos, text));
}

}  // namespace

TEST_CASE("v2: a watcher sees the board, every move, clocks, players and result; unwatch") {
  auto server = server_with_users({{"alice", "pw"}, {"bob", "pw"}, {"carol", "pw"}},
                                  {"--match-gap", "100000", "--time-control", "10+5"});
  TempDir home("client-ui-watch");
  auto alice = person(server->port(), "alice", home);
  REQUIRE(alice->expect("Waiting for an opponent"));
  auto bob = person(server->port(), "bob", home);
  REQUIRE(alice->expect("You play Black"));
  REQUIRE(bob->expect("You play White"));
  Position pos = Position::start();
  play(pos, *alice, *bob, "11-15");
  REQUIRE(bob->expect("alice: 11-15"));

  // carol waits in the queue, lists the games and watches the one in progress.
  auto carol = person(server->port(), "carol", home);
  REQUIRE(carol->expect("Waiting for an opponent"));
  carol->type("list\n");
  REQUIRE(carol->expect("1 game in progress"));
  REQUIRE(carol->expect("game 1: alice (1500) vs bob (1500), move 1"));
  carol->type("watch 1\n");
  REQUIRE(
      carol->expect("Watching alice (1500, Black, at the bottom) against bob (1500, White): "
                    "move 1, bob to move. Type unwatch to stop."));
  // The current position first, drawn as Black sees it, with both clocks in the status.
  expect_board(*carol, pos, Color::Black);
  const auto status = carol->read_until(" watching");
  REQUIRE(status);
  CHECK(std::regex_search(
      *status, std::regex(R"(Watching: Black alice \d+:\d\d, White bob \d+:\d\d \| bob's turn \| )"
                          R"(move 1 \| 1)")));
  // The players are told, and count the watcher in their status line.
  REQUIRE(alice->expect("1 person watches this game."));
  REQUIRE(bob->expect("1 person watches this game."));
  REQUIRE(bob->expect("| 1 watching"));

  // Every move as the players see it, by name, with the board after it.
  const std::vector<std::pair<std::string, std::string>> script = {
      {"22-18", "bob: 22-18"},
      {"15x22", "forced for alice: 15x22"},
      {"26x17", "bob: 26x17"},
      {"12-16", "alice: 12-16"}};
  for (const auto& [move, told] : script) {
    play(pos, *alice, *bob, move);
    INFO(told << "\n" << carol->unmatched());
    REQUIRE(carol->expect(told));
  }
  expect_board(*carol, pos, Color::Black, true, 1);
  // The watcher's move list (numbered from the move it joined at) is the players'.
  carol->type("history\n");
  REQUIRE(carol->expect("Moves: 1. ... 22-18  2. 15x22 26x17  3. 12-16"));
  alice->type("history\n");
  REQUIRE(alice->expect("Moves: 1. 11-15 22-18  2. 15x22 26x17  3. 12-16"));
  CHECK(carol->output().find("you: ") == std::string::npos);  // nothing is carol's
  CHECK(carol->output().find("You play") == std::string::npos);

  // Commands of a player are refused while watching; unwatch goes back to the queue.
  carol->type("challenge bob\n");
  REQUIRE(carol->expect("'challenge' is not possible while you watch: type unwatch first."));
  carol->type("unwatch\n");
  REQUIRE(carol->expect("You stopped watching."));
  REQUIRE(carol->expect("Back to the queue."));
  REQUIRE(carol->expect("Waiting for an opponent"));
  REQUIRE(alice->expect("Nobody watches this game any more."));
  carol->type("who\n");
  REQUIRE(carol->expect("carol"));
  REQUIRE(carol->expect("waiting for a game"));

  // Watching again until the game ends: the result, both ratings, back to the queue.
  carol->type("watch 1\n");
  REQUIRE(carol->expect("Watching alice (1500, Black, at the bottom) against bob"));
  expect_board(*carol, pos, Color::Black);
  REQUIRE(bob->expect("1 person watches this game."));
  resign_game(*bob);
  REQUIRE(bob->expect("You resigned: the game against alice counts as a loss."));
  REQUIRE(alice->expect("You won against bob: bob resigned."));
  REQUIRE(carol->expect("The watched game is over: alice won, bob resigned."));
  REQUIRE(carol->expect("Ratings: alice 1500 -> "));
  REQUIRE(carol->expect(", bob 1500 -> "));
  REQUIRE(carol->expect("Back to the queue."));
  REQUIRE(carol->expect("Waiting for an opponent"));
  carol->type("\x03");
  REQUIRE(carol->expect("Interrupted: logged out."));
  CHECK(carol->wait_exit(20s) == 0);
  for (auto* p : {alice.get(), bob.get()}) {
    p->type("n\n");
    CHECK(p->wait_exit(20s) == 0);
  }
}

TEST_CASE("v2: chat lines of one's own, challenge and accept, rematch - each side told its part") {
  auto server = server_with_users({{"alice", "pw"}, {"bob", "pw"}}, {"--match-gap", "100000"});
  TempDir home("client-ui-invite");
  auto alice = person(server->port(), "alice", home);
  REQUIRE(alice->expect("Waiting for an opponent"));
  auto bob = person(server->port(), "bob", home);
  REQUIRE(bob->expect("You play White"));
  REQUIRE(alice->expect("Your move"));

  // Chat in a game: one's own line shows like the other side's, on a line of its own.
  alice->type("say good luck\n");
  REQUIRE(alice->expect("<you> good luck\r\n"));
  REQUIRE(bob->expect("<alice> good luck\r\n"));
  bob->type("'thanks, you too\n");  // the chat prefix
  REQUIRE(bob->expect("<you> thanks, you too\r\n"));
  REQUIRE(alice->expect("<bob> thanks, you too\r\n"));
  CHECK(on_own_line(alice->output(), "<you> good luck"));
  CHECK(on_own_line(alice->output(), "<bob> thanks, you too"));
  CHECK(on_own_line(bob->output(), "<alice> good luck"));
  CHECK(on_own_line(bob->output(), "<you> thanks, you too"));

  // Game 1 ends (alice resigns); alice challenges bob from "Play again?".
  resign_game(*alice);
  REQUIRE(alice->expect("Play again? [Y/n]"));
  REQUIRE(bob->expect("You won against alice: alice resigned."));
  REQUIRE(bob->expect("Play again? [Y/n]"));
  alice->type("challenge bob\n");
  REQUIRE(alice->expect("Invitation sent to bob."));
  REQUIRE(bob->expect("alice ("));
  REQUIRE(bob->expect("challenges you to a game: type `accept alice` or `decline alice`"));
  bob->type("accept\n");  // no draw offer, one invitation open: a bare accept answers it
  REQUIRE(bob->expect("New game against alice"));
  const int bob_colour = bob->expect_first({"You play Black", "You play White"});
  REQUIRE(bob_colour >= 0);
  REQUIRE(bob->expect("You accepted alice's challenge."));
  REQUIRE(alice->expect("New game against bob"));
  REQUIRE(alice->expect(bob_colour == 0 ? "You play White" : "You play Black"));
  REQUIRE(alice->expect("bob accepted your challenge."));
  CHECK(bob->output().find("alice accepted") == std::string::npos);
  CHECK(alice->output().find("You accepted") == std::string::npos);

  // Game 2: bob resigns; alice asks for a rematch and bob asks back: the game starts
  // with the colours swapped.
  resign_game(*bob);
  REQUIRE(bob->expect("Play again? [Y/n]"));
  REQUIRE(alice->expect("Play again? [Y/n]"));
  alice->type("rematch\n");
  REQUIRE(alice->expect("Rematch asked of bob."));
  REQUIRE(bob->expect("asks for a rematch"));
  bob->type("rematch\n");
  REQUIRE(bob->expect(bob_colour == 0 ? "You play White" : "You play Black"));
  REQUIRE(bob->expect("You accepted alice's rematch."));
  REQUIRE(alice->expect(bob_colour == 0 ? "You play Black" : "You play White"));
  REQUIRE(alice->expect("bob accepted your rematch."));
  alice->type("\x03");
  REQUIRE(alice->expect("Resign this game?"));
  alice->type("\x03");
  CHECK(alice->wait_exit(20s) == 0);
  REQUIRE(bob->expect("Play again? [Y/n]"));
  bob->type("n\n");
  CHECK(bob->wait_exit(20s) == 0);
}

TEST_CASE("v2: the clock decides - who runs out is told a loss on time, the other a win") {
  auto server = server_with_users({{"erin", "pw"}, {"frank", "pw"}},
                                  {"--match-gap", "100000", "--time-control", "2s+0"});
  TempDir home("client-ui-clock");
  auto erin = person(server->port(), "erin", home, 24, 80);
  REQUIRE(erin->expect("Waiting for an opponent"));
  auto frank = person(server->port(), "frank", home, 24, 80);
  REQUIRE(frank->expect("You play White"));
  REQUIRE(erin->expect("Your move"));
  // erin (Black, to move) does nothing: her clock runs out.
  REQUIRE(erin->expect("You lost against frank: you ran out of time.", 30s));
  REQUIRE(erin->expect("Your rating: 1500 -> "));
  REQUIRE(erin->expect("Play again? [Y/n]"));
  REQUIRE(frank->expect("You won against erin: erin ran out of time.", 30s));
  REQUIRE(frank->expect("Play again? [Y/n]"));
  for (auto* p : {erin.get(), frank.get()}) {
    CHECK(p->output().find("left the game") == std::string::npos);
    CHECK(p->output().find("closed the connection") == std::string::npos);
  }
  const std::string pdn = slurp(only_file_in(home / "erin"));
  CHECK(pdn.find("[Result \"0-1\"]") != std::string::npos);
  erin->type("n\n");
  CHECK(erin->wait_exit(20s) == 0);
  frank->type("n\n");
  CHECK(frank->wait_exit(20s) == 0);
}

TEST_CASE("v2: the server shutting down mid-game is told as such: no result, not rated") {
  auto server = server_with_users({{"gina", "pw"}, {"hank", "pw"}}, {"--match-gap", "100000"});
  TempDir home("client-ui-shutdown-v2");
  auto gina = person(server->port(), "gina", home, 24, 80);
  REQUIRE(gina->expect("Waiting for an opponent"));
  auto hank = person(server->port(), "hank", home, 24, 80);
  REQUIRE(hank->expect("You play White"));
  REQUIRE(gina->expect("Your move"));
  server->kill(SIGTERM);
  for (auto* p : {gina.get(), hank.get()}) {
    CHECK(p->wait_exit(30s) == 1);
    const std::string said = joined(p->output());
    INFO(said);
    CHECK(said.find("ended without a result: the server is shutting down (not rated).") !=
          std::string::npos);
    CHECK(said.find("closed the connection: the server shut down.") != std::string::npos);
    CHECK(said.find("Your rating: 1500 ->") == std::string::npos);
    CHECK(said.find("left the game") == std::string::npos);
  }
  const std::string pdn = slurp(only_file_in(home / "gina"));
  CHECK(pdn.find("[Result \"*\"]") != std::string::npos);
}

TEST_CASE("v2 on narrow terminals: prose wraps at words, nothing is wider than the screen") {
  auto server = server_with_users({{"ivy", "pw"}, {"jack", "pw"}}, {"--match-gap", "100000"});
  TempDir home("client-ui-narrow");
  auto ivy = narrow_person(server->port(), "ivy", home, 40);
  REQUIRE(ivy->expect("Waiting for an opponent"));
  auto jack = narrow_person(server->port(), "jack", home, 60);
  REQUIRE(jack->expect("You play White"));
  REQUIRE(ivy->expect("Your move (e.g. "));
  ivy->type("say hello there, this is a chat line long enough to wrap twice at forty\n");
  REQUIRE(jack->expect("<ivy> hello there"));
  ivy->type("13-17\n");  // no piece there: the illegal-move sentence and the legal moves
  REQUIRE(ivy->expect("Illegal move 13-17:"));
  REQUIRE(ivy->expect("Your move"));
  ivy->type("9-13\n");
  REQUIRE(jack->expect("ivy: 9-13"));
  REQUIRE(jack->expect("Your move"));
  jack->type("21-18\n");
  REQUIRE(jack->expect("Illegal move 21-18:"));
  REQUIRE(jack->expect("Your move"));
  jack->type("list\n");
  REQUIRE(jack->expect("watching"));
  jack->type("history\n");
  REQUIRE(jack->expect("Moves: 1. 9-13"));
  resign_game(*jack);
  REQUIRE(jack->expect("Play again? [Y/n]"));
  REQUIRE(ivy->expect("Play again? [Y/n]"));

  for (const auto& [ui, cols] : {std::pair{ivy.get(), 40}, std::pair{jack.get(), 60}}) {
    const std::string out = ui->output();
    INFO(out);
    for (const std::string& line : screen_lines(out)) {
      INFO(cols << " columns: '" << line << "'");
      CHECK(static_cast<int>(line.size()) < cols);
    }
    // The long sentences are all there, read across their line breaks.
    const std::string said = joined(out);
    CHECK(said.find("hello there, this is a chat line long enough to wrap twice at forty") !=
          std::string::npos);
    CHECK(said.find("at the bottom of the board") != std::string::npos);
  }
  CHECK(joined(ivy->output()).find("Illegal move 13-17: there is no piece on 13") !=
        std::string::npos);
  CHECK(joined(ivy->output()).find("You won against jack: jack resigned.") != std::string::npos);
  for (auto* p : {ivy.get(), jack.get()}) {
    p->type("n\n");
    CHECK(p->wait_exit(20s) == 0);
  }
}

TEST_CASE("v2: a lonely person plays the house bot with clocks; it takes a draw, never chats") {
  ServerProcess srv(std::vector<std::string>{"--house-bot", "random:0", "--time-control", "5+3"});
  TempDir home("client-ui-house-bot-v2");
  auto ann = person(srv.port(), "ann", home, 24, 80);
  REQUIRE(ann->expect("New game against computer-random"));
  REQUIRE(ann->expect("You play Black"));    // the waiting player moves first
  REQUIRE(ann->expect("Your turn | you "));  // her clock runs: 5:00 or a moment less
  REQUIRE(ann->expect(" computer-random 5:00 | move 1"));
  ann->type("say hi\n");
  REQUIRE(ann->expect("The computer does not chat."));
  CHECK(ann->output().find("<you> hi") == std::string::npos);
  // At the start nobody is ahead: the bot takes a draw offer at once (PROTOCOL-v2.md §10).
  ann->type("draw\n");
  REQUIRE(ann->expect("Draw against computer-random: draw agreed."));
  REQUIRE(ann->expect("Play again? [Y/n]"));
  ann->type("n\n");
  CHECK(ann->wait_exit(20s) == 0);
  CHECK(srv.wait_for_log("draw-agreed", 10s));
}
