#include "bench/bot_timing.hpp"

#include <algorithm>
#include <chrono>

#include "bench/hop_picker.hpp"
#include "game/movegen.hpp"
#include "game/search.hpp"

namespace checkers::bench {
namespace {

std::vector<game::Position> sample_positions(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<game::Position> out;
  while (out.size() < n) {
    game::Position pos = game::Position::start();
    const uint32_t plies = out.empty() ? 0 : rng.below(60);
    for (uint32_t i = 0; i < plies; ++i) {
      game::MoveList moves;
      game::generate_moves(pos, moves);
      if (moves.empty()) break;
      pos = game::play(pos, moves[rng.below(static_cast<uint32_t>(moves.size()))]);
    }
    if (game::has_legal_move(pos)) out.push_back(pos);
  }
  return out;
}

}  // namespace

std::vector<LevelTiming> time_bot_levels(size_t positions, uint64_t seed) {
  const std::vector<game::Position> sample = sample_positions(positions, seed);
  const std::pair<game::Level, const char*> levels[] = {{game::Level::Random, "random"},
                                                        {game::Level::Medium, "medium"},
                                                        {game::Level::Strong, "strong"}};
  std::vector<LevelTiming> out;
  for (const auto& [level, name] : levels) {
    std::vector<double> ms;
    for (const game::Position& pos : sample) {
      game::Searcher searcher(seed);
      const auto t0 = std::chrono::steady_clock::now();
      searcher.choose(pos, level);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    out.push_back(LevelTiming{name, ms.size(), ms[ms.size() / 2], ms.back(), ms.front()});
  }
  return out;
}

}  // namespace checkers::bench
