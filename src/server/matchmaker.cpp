#include "server/matchmaker.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>

namespace checkers::server {

namespace {
// How many rating neighbours on each side an arrival looks at: enough to step
// over a recent opponent, few enough to stay O(log n).
constexpr int kNeighbourScan = 3;

uint32_t gap_between(uint32_t a, uint32_t b) { return a > b ? a - b : b - a; }
}  // namespace

void Matchmaker::add(Id id, uint32_t rating, std::string name, std::string last_opponent,
                     Clock::time_point now) {
  if (contains(id)) return;
  const uint64_t seq = next_seq_++;
  by_seq_.emplace(seq, Entry{id, rating, std::move(name), std::move(last_opponent), now});
  by_rating_.emplace(rating, seq);
  index_.emplace(id, seq);
}

void Matchmaker::erase_seq(uint64_t seq) {
  auto it = by_seq_.find(seq);
  if (it == by_seq_.end()) return;
  by_rating_.erase(RatingKey{it->second.rating, seq});
  index_.erase(it->second.id);
  by_seq_.erase(it);
}

bool Matchmaker::remove(Id id) {
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  erase_seq(it->second);
  return true;
}

bool Matchmaker::compatible(const Entry& a, const Entry& b, Clock::time_point now) const {
  const auto waited = now - std::min(a.since, b.since);
  const bool rematch = (!a.last_opponent.empty() && a.last_opponent == b.name) ||
                       (!b.last_opponent.empty() && b.last_opponent == a.name);
  // A rematch is avoided only while someone else could be paired instead, and
  // only for a while, so two players alone in the queue never wait forever.
  if (rematch && by_seq_.size() > 2 && waited < params_.rematch_grace) return false;
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(waited).count();
  const uint64_t allowed =
      uint64_t{params_.base_gap} + uint64_t{params_.gap_per_second} * static_cast<uint64_t>(secs);
  return gap_between(a.rating, b.rating) <= allowed;
}

std::optional<Matchmaker::Pair> Matchmaker::match_one(Id id, Clock::time_point now) {
  auto idx = index_.find(id);
  if (idx == index_.end()) return std::nullopt;
  const Entry& me = by_seq_.at(idx->second);
  const auto self = by_rating_.find(RatingKey{me.rating, idx->second});

  const Entry* best = nullptr;
  uint64_t best_seq = 0;
  auto consider = [&](decltype(by_rating_)::const_iterator it) {
    const Entry& other = by_seq_.at(it->second);
    if (!compatible(me, other, now)) return;
    if (best == nullptr ||
        gap_between(me.rating, other.rating) < gap_between(me.rating, best->rating) ||
        (gap_between(me.rating, other.rating) == gap_between(me.rating, best->rating) &&
         it->second < best_seq)) {
      best = &other;
      best_seq = it->second;
    }
  };
  auto up = std::next(self);
  for (int i = 0; i < kNeighbourScan && up != by_rating_.end(); ++i, ++up) consider(up);
  auto down = self;
  for (int i = 0; i < kNeighbourScan && down != by_rating_.begin(); ++i) consider(--down);
  if (best == nullptr) return std::nullopt;

  const uint64_t my_seq = idx->second;
  Pair p = my_seq < best_seq ? Pair{id, best->id} : Pair{best->id, id};
  erase_seq(my_seq);
  erase_seq(best_seq);
  return p;
}

std::vector<Matchmaker::Pair> Matchmaker::match_all(Clock::time_point now) {
  std::vector<Pair> pairs;
  if (by_seq_.size() < 2) return pairs;
  // Candidate pairs: rating neighbours at distance 1 and 2 (2 steps over a
  // rematch), closest gap first, then greedily without reusing a player.
  struct Candidate {
    uint32_t gap;
    uint64_t a, b;  // seqs
  };
  std::vector<Candidate> cands;
  cands.reserve(by_rating_.size() * 2);
  for (auto it = by_rating_.begin(); it != by_rating_.end(); ++it) {
    auto next = std::next(it);
    for (int d = 0; d < 2 && next != by_rating_.end(); ++d, ++next) {
      const Entry& a = by_seq_.at(it->second);
      const Entry& b = by_seq_.at(next->second);
      if (compatible(a, b, now))
        cands.push_back({gap_between(a.rating, b.rating), std::min(it->second, next->second),
                         std::max(it->second, next->second)});
    }
  }
  std::sort(cands.begin(), cands.end(), [](const Candidate& x, const Candidate& y) {
    return std::tie(x.gap, x.a, x.b) < std::tie(y.gap, y.a, y.b);
  });
  for (const Candidate& c : cands) {
    auto ia = by_seq_.find(c.a);
    auto ib = by_seq_.find(c.b);
    if (ia == by_seq_.end() || ib == by_seq_.end()) continue;  // already paired
    pairs.push_back(Pair{ia->second.id, ib->second.id});
    erase_seq(c.a);
    erase_seq(c.b);
  }
  return pairs;
}

}  // namespace checkers::server
