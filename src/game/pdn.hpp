// PDN text helpers: move text to a legal move, and a plain-text board for humans (the
// `checkers-engine show` output). Pure functions returning strings; nothing is printed here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "game/movegen.hpp"
#include "game/position.hpp"

namespace checkers::game {

// The legal move written as PDN text: "11-15", "22x15x6" or the short "22x6" (accepted only
// when it names exactly one legal move). nullopt if no (unique) legal move matches.
std::optional<Move> find_move(const Position& pos, std::string_view text);

// An 8x8 ASCII diagram in the standard orientation (Black's back rank, y = 7, at the top),
// each playable square showing its PDN number and its piece, with protocol x/y labels.
std::string render_board(const Position& pos);

}  // namespace checkers::game
