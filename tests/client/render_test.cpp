// Board drawing: own pieces at the bottom, numbers consistent with PDN, ANSI only on request.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "client/board_adapter.hpp"
#include "client/render.hpp"
#include "client/terminal.hpp"
#include "game/position.hpp"

using namespace checkers;
using game::Color;

namespace {
std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}
}  // namespace

TEST_CASE("plain rendering has no escapes and puts own pieces at the bottom") {
  const auto start = game::Position::start();
  for (Color me : {Color::Black, Color::White}) {
    const std::string text = client::render_board(client::to_board(start, me), me, {});
    CHECK(text.find('\x1b') == std::string::npos);
    const auto lines = lines_of(text);
    REQUIRE(lines.size() == 10);
    const char own = me == Color::Black ? 'b' : 'w';
    const char other = me == Color::Black ? 'w' : 'b';
    // Row 8 of the drawing (index 8) is the player's back rank.
    CHECK(lines[8].find(own) != std::string::npos);
    CHECK(lines[8].find(other) == std::string::npos);
    CHECK(lines[1].find(other) != std::string::npos);
    CHECK(lines[4].find(own) == std::string::npos);
  }
}

TEST_CASE("orientation: White sees the standard diagram, Black the same turned around") {
  const auto board = client::to_board(game::Position::start(), Color::White);
  const auto white = lines_of(client::render_board(board, Color::White, {}));
  // Top row: rank 8 with squares 1-4 in the key; file a at the left.
  CHECK(white[0].find(" a  b  c") != std::string::npos);
  CHECK(white[1].rfind(" 8 ", 0) == 0);
  CHECK(white[1].find(" 1     2     3     4") != std::string::npos);
  CHECK(white[8].find("29     30     31     32") == std::string::npos);
  CHECK(white[8].find("29    30    31    32") != std::string::npos);
  const auto black = lines_of(client::render_board(
      client::to_board(game::Position::start(), Color::Black), Color::Black, {}));
  CHECK(black[0].find(" h  g  f") != std::string::npos);
  CHECK(black[1].rfind(" 1 ", 0) == 0);
  CHECK(black[1].find("32    31    30    29") != std::string::npos);
  CHECK(black[8].find(" 4     3     2     1") != std::string::npos);
}

TEST_CASE("kings are distinct from men; ANSI colours only when asked") {
  auto pos = game::Position::from_fen("B:WK30:BK1,5").value();
  const auto board = client::to_board(pos, Color::Black);
  const std::string plain = client::render_board(board, Color::Black, {});
  CHECK(plain.find('B') != std::string::npos);
  CHECK(plain.find('b') != std::string::npos);
  CHECK(plain.find('W') != std::string::npos);
  client::RenderOptions ansi;
  ansi.ansi = true;
  ansi.highlight = {game::square_of_pdn(5)};
  const std::string colored = client::render_board(board, Color::Black, ansi);
  CHECK(colored.find("\x1b[") != std::string::npos);
  CHECK(colored.find("\x1b[43m") != std::string::npos);
}

TEST_CASE("the move list beside the board wraps a long move instead of cutting it") {
  // At 80 columns there are 18 columns beside the board and its key.
  const int room = 80 - 1 - client::board_columns(true) - 2;
  REQUIRE(room == 18);
  const auto lines =
      client::side_move_lines("9. 11-15 22-18  10. 13x22x31 26x17x10  11. 6x15", room);
  const std::vector<std::string> expected = {"moves", "9. 11-15 22-18", "10. 13x22x31",
                                             "    26x17x10", "11. 6x15"};
  CHECK(lines == expected);
  for (const std::string& line : lines) CHECK(static_cast<int>(line.size()) <= room);
  // Only the last rows stay; no moves: one empty line (no title).
  CHECK(client::side_move_lines("1. 11-15 22-18  2. 15x22 26x17  3. 12-16", room, 2) ==
        std::vector<std::string>{"moves", "2. 15x22 26x17", "3. 12-16"});
  CHECK(client::side_move_lines("", room) == std::vector<std::string>{""});
}

TEST_CASE("prose wraps at spaces, continuation lines indented, never inside a word") {
  const std::string text =
      "You play Black (b, kings B), at the bottom of the board; you move first.\n"
      "  game 1: alice (1500) vs bob (1500), move 2, clocks 9:57 / 9:51, 0 watching";
  const std::string out = client::wrap_lines(text, 39);
  CHECK(out ==
        "You play Black (b, kings B), at the\n"
        "  bottom of the board; you move first.\n"
        "  game 1: alice (1500) vs bob (1500),\n"
        "    move 2, clocks 9:57 / 9:51, 0\n"
        "    watching");
}
