// Works out what happened between two boards the server sent, given the move it named
// (YourTurn.last_move, CompulsoryMove.move, GameOver.winning_move): who moved, the path
// (a whole capture sequence when the boards allow it to be rebuilt), what was captured,
// whether a man was crowned. Used to tell the player "bob captured 22x15x6" before the
// board is redrawn. Nothing here changes which board is shown: that is always the server's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "game/types.hpp"
#include "proto/types.hpp"

namespace checkers::client {

struct MoveReport {
  std::optional<game::Color> mover;  // nullopt when the boards do not show it
  std::vector<game::Square> path;    // from, then each landing square
  int captured = 0;                  // pieces removed from the mover's opponent
  bool capture = false;
  bool crowned = false;
  bool exact = false;  // the mover's hops alone explain before -> after (nothing else happened)
};

// `before` and `after` are consecutive boards seen by the player of colour `me`
// (before may be several hops old: our server does not report every hop).
MoveReport reconstruct_move(const proto::Board& before, const proto::Board& after,
                            const proto::Move& last, game::Color me);

// The hop's landing square judged from `after` alone (a step lands next to the origin,
// a jump two squares away); nullopt if neither square holds a piece.
std::optional<game::Square> landing_square(const proto::Board& after, const proto::Move& last);

// "22x15x6 (c3xe5xc7), capturing 2 pieces, and crowned a king" (no subject).
// UI: the sentence the player reads about a move ("bob played 22x15x6 (c3xe5xc7), capturing 2 pieces").
std::string describe_move(const MoveReport& report);

}  // namespace checkers::client
