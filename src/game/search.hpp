// The AI: iterative-deepening alpha-beta over full moves with a transposition table and move
// ordering, under a depth and/or time limit, plus three playing levels for the client's bot.
// Under a depth limit the result depends only on the position and the seed.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "game/movegen.hpp"
#include "game/position.hpp"

namespace checkers::game {

enum class Level { Random, Medium, Strong };

struct SearchLimits {
  int max_depth = 64;
  int time_ms = 0;  // 0 = no limit
};

struct SearchResult {
  Move best;      // empty iff the position has no legal move
  int score = 0;  // centipawn-like, side to move's view; |score| > kWinThreshold = forced win
  int depth = 0;  // last completed iteration
  uint64_t nodes = 0;
};

// Score of a win found at `plies` full moves from the root is kWinScore - plies.
inline constexpr int kWinScore = 30000;
inline constexpr int kWinThreshold = kWinScore - 1000;

// Static evaluation from the side to move's point of view.
int evaluate(const Position& pos);

class Searcher {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  // Where a timed search reads the time; tests pass a clock they step themselves.
  using ClockFn = std::function<TimePoint()>;

  explicit Searcher(uint64_t seed, size_t tt_mb = 16,
                    ClockFn clock = &std::chrono::steady_clock::now);

  SearchResult search(const Position& pos, SearchLimits limits);
  // Random: a uniformly random legal move; Medium: depth 6 / 50 ms; Strong: 300 ms.
  // `max_ms` > 0 caps the level's time (a player short on clock thinks less).
  // Returns an empty Move if there is no legal move.
  Move choose(const Position& pos, Level level, int max_ms = 0);

 private:
  struct Entry {
    uint64_t key = 0;
    int16_t score = 0;
    int8_t depth = -1;
    uint8_t bound = 0;
    uint16_t best = 0;  // (from << 5 | to) + 1 of the best move, 0 = none
  };

  int negamax(const Position& pos, int depth, int alpha, int beta, int ply);
  void order(const Position& pos, MoveList& moves, int tt_best, int ply) const;
  bool out_of_time();
  Entry* probe(uint64_t key);

  std::mt19937_64 rng_;
  uint64_t seed_;
  std::vector<Entry> tt_;
  std::array<std::array<uint32_t, 32>, 32> history_{};
  uint64_t nodes_ = 0;
  bool stop_ = false;
  bool timed_ = false;
  ClockFn clock_;
  TimePoint deadline_;
};

}  // namespace checkers::game
