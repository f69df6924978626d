// Iterative-deepening alpha-beta (negamax) with a transposition table, TT-move + capture +
// history move ordering, and capture extension at the horizon (captures are compulsory, so a
// position with a capture pending is never evaluated statically).
#include "game/search.hpp"

#include <algorithm>
#include <bit>

#include "game/bitboard.hpp"

namespace checkers::game {
namespace {

constexpr int kManValue = 100;
constexpr int kKingValue = 140;
constexpr int kInfinity = kWinScore + 1;
constexpr uint32_t kCentre = 0x00666600u;  // PDN 10,11,14,15,18,19,22,23

enum Bound : uint8_t { kExact, kLower, kUpper };

// Material and positional terms for one colour.
int side_score(const Position& pos, Color c) {
  const uint32_t own = pos.pieces(c);
  const uint32_t men = own & ~pos.kings();
  const uint32_t kings = own & pos.kings();
  int score = kManValue * std::popcount(men) + kKingValue * std::popcount(kings);
  uint32_t m = men;
  while (m) {
    const int i = bb::pop_lsb(m);
    const int row_from_home = c == Color::Black ? i / 4 : 7 - i / 4;
    score += 3 * row_from_home;  // advancing men get closer to the crown
  }
  const uint32_t back_rank = c == Color::Black ? bb::kRowY7 : bb::kRowY0;
  score += 6 * std::popcount(men & back_rank);  // guards against enemy crowning
  score += 4 * std::popcount(own & kCentre);
  return score;
}

uint16_t move_key(const Move& m) {
  return static_cast<uint16_t>((m.from_index() << 5 | m.to_index()) + 1);
}

int to_tt(int score, int ply) {
  if (score > kWinThreshold) return score + ply;
  if (score < -kWinThreshold) return score - ply;
  return score;
}

int from_tt(int score, int ply) {
  if (score > kWinThreshold) return score - ply;
  if (score < -kWinThreshold) return score + ply;
  return score;
}

}  // namespace

int evaluate(const Position& pos) {
  const int black = side_score(pos, Color::Black);
  const int white = side_score(pos, Color::White);
  int score = black - white;
  // When ahead, trading down is good: scale the lead by how empty the board is.
  const int total = pos.count(Color::Black) + pos.count(Color::White);
  const int material = pos.count(Color::Black) - pos.count(Color::White);
  score += material * (24 - total) * 4;
  return pos.side_to_move() == Color::Black ? score : -score;
}

Searcher::Searcher(uint64_t seed, size_t tt_mb, ClockFn clock)
    : rng_(seed), seed_(seed), clock_(std::move(clock)) {
  size_t entries = std::max<size_t>(1, tt_mb) * 1024 * 1024 / sizeof(Entry);
  tt_.resize(std::bit_floor(entries));
}

Searcher::Entry* Searcher::probe(uint64_t key) { return &tt_[key & (tt_.size() - 1)]; }

bool Searcher::out_of_time() { return timed_ && clock_() >= deadline_; }

void Searcher::order(const Position& pos, MoveList& moves, int tt_best, int ply) const {
  (void)ply;
  std::array<int, MoveList::kCapacity> keys;  // only [0, moves.size()) is used
  const uint32_t crown = bb::crown_row(pos.side_to_move());
  for (size_t i = 0; i < moves.size(); ++i) {
    const Move& m = moves[i];
    int k = static_cast<int>(
        history_[static_cast<size_t>(m.from_index())][static_cast<size_t>(m.to_index())] >> 4);
    k = std::min(k, 1 << 20);
    if (move_key(m) == tt_best) k += 1 << 28;
    k += m.capture_count() << 24;
    if (!(pos.kings() & bb::bit(m.from_index())) && (crown & bb::bit(m.to_index()))) k += 1 << 22;
    keys[i] = k;
  }
  // Stable insertion sort, highest key first: lists are short and the order stays deterministic.
  for (size_t i = 1; i < moves.size(); ++i) {
    const Move m = moves[i];
    const int k = keys[i];
    size_t j = i;
    for (; j > 0 && keys[j - 1] < k; --j) {
      moves[j] = moves[j - 1];
      keys[j] = keys[j - 1];
    }
    moves[j] = m;
    keys[j] = k;
  }
}

int Searcher::negamax(const Position& pos, int depth, int alpha, int beta, int ply) {
  ++nodes_;
  if ((nodes_ & 1023) == 0 && out_of_time()) stop_ = true;
  if (stop_) return 0;
  MoveList moves;
  generate_moves(pos, moves);
  if (moves.empty()) return -(kWinScore - ply);  // no legal move: the side to move has lost
  if (depth <= 0 && !moves[0].is_capture()) return evaluate(pos);
  depth = std::max(depth, 0);

  const uint64_t key = pos.hash();
  Entry* e = probe(key);
  int tt_best = 0;
  if (e->key == key) {
    tt_best = e->best;
    if (e->depth >= depth) {
      const int s = from_tt(e->score, ply);
      if (e->bound == kExact || (e->bound == kLower && s >= beta) ||
          (e->bound == kUpper && s <= alpha))
        return s;
    }
  }
  order(pos, moves, tt_best, ply);

  const int alpha_orig = alpha;
  int best = -kInfinity;
  const Move* best_move = &moves[0];
  for (const Move& m : moves) {
    const int v = -negamax(play(pos, m), depth - 1, -beta, -alpha, ply + 1);
    if (stop_) return 0;
    if (v > best) {
      best = v;
      best_move = &m;
    }
    if (v > alpha) alpha = v;
    if (alpha >= beta) {
      if (!m.is_capture())
        history_[static_cast<size_t>(m.from_index())][static_cast<size_t>(m.to_index())] +=
            static_cast<uint32_t>(depth * depth + 1);
      break;
    }
  }
  e->key = key;
  e->score = static_cast<int16_t>(to_tt(best, ply));
  e->depth = static_cast<int8_t>(std::min(depth, 127));
  e->bound = best <= alpha_orig ? kUpper : (best >= beta ? kLower : kExact);
  e->best = move_key(*best_move);
  return best;
}

SearchResult Searcher::search(const Position& pos, SearchLimits limits) {
  std::fill(tt_.begin(), tt_.end(), Entry{});
  for (auto& row : history_) row.fill(0);
  nodes_ = 0;
  stop_ = false;
  timed_ = limits.time_ms > 0;
  deadline_ = timed_ ? clock_() + std::chrono::milliseconds(limits.time_ms) : TimePoint{};

  SearchResult result;
  MoveList root;
  generate_moves(pos, root);
  if (root.empty()) {
    result.score = -kWinScore;
    return result;
  }
  // The seed decides the order among equal moves, so different seeds vary the bot's play
  // while a given seed always plays the same.
  std::mt19937_64 tie_break(seed_ ^ pos.hash());
  std::shuffle(root.begin(), root.end(), tie_break);
  result.best = root[0];
  result.score = evaluate(pos);

  const int max_depth = std::max(1, std::min(limits.max_depth, 100));
  for (int depth = 1; depth <= max_depth; ++depth) {
    int alpha = -kInfinity;
    size_t best_i = 0;
    for (size_t i = 0; i < root.size(); ++i) {
      const int v = -negamax(play(pos, root[i]), depth - 1, -kInfinity, -alpha, 1);
      if (stop_) break;
      if (v > alpha) {
        alpha = v;
        best_i = i;
      }
    }
    if (stop_ && depth > 1) break;  // an unfinished iteration is discarded
    result.best = root[best_i];
    result.score = alpha;
    result.depth = depth;
    std::rotate(root.begin(), root.begin() + static_cast<std::ptrdiff_t>(best_i),
                root.begin() + static_cast<std::ptrdiff_t>(best_i) + 1);
    if (stop_ || root.size() == 1) break;
    if (std::abs(alpha) > kWinThreshold && kWinScore - std::abs(alpha) <= depth) break;  // proven
  }
  result.nodes = nodes_;
  return result;
}

Move Searcher::choose(const Position& pos, Level level, int max_ms) {
  const auto capped = [max_ms](int ms) { return max_ms > 0 ? std::min(ms, max_ms) : ms; };
  switch (level) {
    case Level::Random: {
      MoveList moves;
      generate_moves(pos, moves);
      if (moves.empty()) return Move{};
      std::uniform_int_distribution<size_t> pick(0, moves.size() - 1);
      return moves[pick(rng_)];
    }
    case Level::Medium:
      return search(pos, SearchLimits{6, capped(50)}).best;
    case Level::Strong:
      break;
  }
  return search(pos, SearchLimits{64, capped(300)}).best;
}

}  // namespace checkers::game
