// Turns what the server sends (a proto::Board in the receiver's view) into the rules
// engine's game::Position, and names squares for people. The GameRecord keeps the
// position; every server board reaches it through to_position() and wins over it.
#pragma once

#include <optional>
#include <string>

#include "game/position.hpp"
#include "game/types.hpp"
#include "proto/types.hpp"

namespace checkers::client {

// The server's board with own pieces given colour `me`, `to_move` to move. A non-empty
// `continuing` marks the piece that must go on capturing (our server's hop-by-hop rules).
game::Position to_position(const proto::Board& board, game::Color me, game::Color to_move,
                           std::optional<game::Square> continuing = std::nullopt);

// The inverse: a Position drawn as the board `me` would receive.
proto::Board to_board(const game::Position& pos, game::Color me);

// Which colour the receiver of `board` plays, judged from the first board of a game:
// the primary (Black) is told it moves first with the sentinel; otherwise its men
// (Black starts on y = 5..7, White on y = 0..2) give it away; without men, the owner
// of the piece `first_hop` (the game's first hop, Black's) moved.
game::Color infer_my_color(const proto::Board& board, bool first_turn_sentinel,
                           std::optional<proto::Move> first_hop = std::nullopt);

// The colour of the piece on (x, y) of a board seen by `me`; nullopt when empty.
std::optional<game::Color> owner_at(const proto::Board& board, game::Square s, game::Color me);

// "c3": file a-h = x 0-7, rank 1-8 = y 0-7 (docs/RULES.md).
std::string algebraic(game::Square s);
// "22 (c3)" for playable squares, "c4" for others.
std::string square_label(game::Square s);

}  // namespace checkers::client
