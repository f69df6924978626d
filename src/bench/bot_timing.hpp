// Bot move time per level: times game::Searcher::choose (what the client's bot calls)
// at each Level over a fixed, seeded set of positions taken from random games, so the
// engine row of BENCHMARKS.md shows what a bot opponent costs per move.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace checkers::bench {

struct LevelTiming {
  std::string level;  // "random", "medium", "strong"
  size_t positions = 0;
  double median_ms = 0, max_ms = 0, min_ms = 0;
};

// `positions` positions (the start position first), plies 0..60 into seeded random games.
std::vector<LevelTiming> time_bot_levels(size_t positions, uint64_t seed);

}  // namespace checkers::bench
