// Move entry for people: parses what the player types ("11-15", "22x15", "22x15x6",
// "c3-d4", "c3xe5xc7", the short "22x6") and checks it against the position built from
// the server's last board, explaining why a move is illegal without a server round trip.
// A multi-jump becomes the list of hops to send one MakeMove at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "game/movegen.hpp"
#include "game/position.hpp"

namespace checkers::client {

struct MoveText {
  std::vector<game::Square> path;  // from, then every landing square (>= 2 squares)
  bool capture = false;            // written with 'x'
};

struct ParsedMove {
  std::optional<MoveText> move;
  std::string error;  // set iff !move
};

// Syntax only: squares are PDN numbers 1-32 or coordinates a1-h8 (dark squares),
// separated by '-' or 'x'.
// UI: what the player types (11-15, 22x15x6, c3-d4) parsed into squares.
ParsedMove parse_move_text(std::string_view text);

struct PlannedMove {
  std::vector<game::Hop> hops;  // empty iff error is set
  std::string error;            // why the move is not legal, in words
  bool ok() const { return !hops.empty(); }
};

// Checks `text` against `pos` (the player to move is pos.side_to_move()), hop by hop.
// A path that stops while the capture could go on is accepted: the rest can be typed next.
PlannedMove plan_move(const game::Position& pos, const MoveText& text);
PlannedMove plan_move(const game::Position& pos, std::string_view text);

// Every legal move as "11-15 (f6-e5)" / "22x15x6 (c3xe5xc7)", in generator order.
std::vector<std::string> legal_move_texts(const game::Position& pos);
// The same joined with ", " (or "none").
std::string legal_move_list(const game::Position& pos);

// "11-15 (f6-e5)" for a path of squares; capture selects 'x' as separator.
std::string path_text(const std::vector<game::Square>& path, bool capture);

}  // namespace checkers::client
