// Conversion between the wire Board (one player's view: owner bit = the receiver's
// pieces) and the rules engine's game::Position (absolute colours). The primary
// player - the one who moves first - is Black (docs/RULES.md §2).
#pragma once

#include "game/position.hpp"
#include "game/types.hpp"
#include "proto/types.hpp"

namespace checkers::proto {

// The board as `viewer` receives it: viewer's pieces carry the owner bit.
Board board_for(const game::Position& pos, game::Color viewer);

// The position a board received by `viewer` shows, with `to_move` to move.
// Only the 32 playable squares (x + y even) are read; codes on light squares,
// which no conforming server sends, are ignored.
game::Position position_from(const Board& board, game::Color viewer, game::Color to_move);

}  // namespace checkers::proto
