// Draws a board for the terminal: the player's own pieces at the bottom (Black sees the
// board turned by 180 degrees relative to White, as across a real table), files a-h and
// ranks 1-8 along the edges, and beside it a key with the PDN square numbers 1-32 in the
// same orientation. Plain ASCII by default; ANSI colours on request.
#pragma once

#include <string>
#include <vector>

#include "game/types.hpp"
#include "proto/types.hpp"

namespace checkers::client {

struct RenderOptions {
  bool ansi = false;                    // colours and backgrounds (only for a terminal)
  std::vector<game::Square> highlight;  // e.g. the squares of the last move
  bool key = true;                      // the square-number key beside the board
  std::vector<std::string> side;        // lines written to the right of the board (the moves)
  int width = 80;                       // the side lines are cut to fit
};

// Pieces: Black men 'b', kings 'B'; White men 'w', kings 'W'. Empty dark squares '.'.
// UI: draws the board (own pieces at the bottom, square-number key, colours on a terminal).
std::string render_board(const proto::Board& board, game::Color me, const RenderOptions& opts);

// A move list ("1. 11-15 22-18  2. 15x22") as lines for beside the board: the title
// "moves" and the last `rows` lines of at most `room` columns; a move too long for one
// line takes two (Black's, then White's indented). One empty line for no moves.
std::vector<std::string> side_move_lines(const std::string& move_list, int room, size_t rows = 9);

// Columns the board takes (with or without the key), side lines excluded.
int board_columns(bool key);

}  // namespace checkers::client
