// Glicko-2 rating updates (Glickman, "Example of the Glicko-2 system", 2013).
// The server treats every rated game as its own one-game rating period.
#pragma once

#include <span>
#include <utility>

#include "server/account.hpp"

namespace checkers::server {

inline constexpr double kDefaultTau = 0.5;
inline constexpr double kMaxRd = 350.0;

struct GlickoResult {
  Glicko a, b;
};

// One rating period for `player` against the given opponents (opponent's
// pre-period state, player's score 1 / 0.5 / 0). With no opponents only the
// RD grows (by the volatility), as the paper prescribes. RD is capped at kMaxRd.
Glicko glicko2_update(const Glicko& player,
                      std::span<const std::pair<Glicko, double>> opponents_and_scores,
                      double tau = kDefaultTau);

// Both players' new states after one game; score_a: 1 a won, 0.5 draw, 0 a lost.
GlickoResult rate_game(const Glicko& a, const Glicko& b, double score_a, double tau = kDefaultTau);

// RD growth for `periods` rating periods without games (optional decay;
// the server does not apply it by default). Capped at kMaxRd.
Glicko glicko2_idle(const Glicko& player, double periods);

}  // namespace checkers::server
