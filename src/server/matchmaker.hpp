// The matchmaking queue: players waiting for a game, kept in arrival order (for
// QueuePosition) and in rating order (for pairing by closest rating). Every
// operation on one player is O(log n); the once-a-second sweep that widens the
// allowed rating gap and the QueuePosition broadcast are O(n log n) / O(n) per
// second, not per message. Pure data structure: no I/O, time is passed in.
// The ordered indexes count their key comparisons (work()), so tests assert those
// complexity claims by counting work instead of timing it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace checkers::server {

class Matchmaker {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = uint64_t;  // the waiting session's id

  struct Params {
    // Two players are compatible when their rating gap is at most
    // base_gap + gap_per_second * (seconds the longer waiter has waited).
    uint32_t base_gap = 100;
    uint32_t gap_per_second = 50;
    // While other players wait, the last opponent is avoided for this long.
    std::chrono::milliseconds rematch_grace{10'000};
  };

  // `first` entered the queue earlier than `second`.
  struct Pair {
    Id first;
    Id second;
  };

  Matchmaker() = default;
  explicit Matchmaker(Params p) : params_(p) {}

  // Adds a player at the end of the queue. `name` identifies the account and
  // `last_opponent` the account it played last ("" if none). No-op if present.
  void add(Id id, uint32_t rating, std::string name, std::string last_opponent,
           Clock::time_point now);
  // False if the player was not queued.
  bool remove(Id id);
  bool contains(Id id) const { return index_.count(id) != 0; }
  size_t size() const { return by_seq_.size(); }
  bool empty() const { return by_seq_.empty(); }

  // The best compatible partner for `id` among its rating neighbours; both are
  // removed from the queue when found. O(log n).
  std::optional<Pair> match_one(Id id, Clock::time_point now);
  // Pairs every compatible pair, closest ratings first (the periodic sweep).
  std::vector<Pair> match_all(Clock::time_point now);

  // Calls f(id, position (1-based, arrival order), queue size, rating) for each
  // waiting player, in arrival order.
  template <class F>
  void for_each(F&& f) const {
    uint32_t pos = 0;
    const auto n = static_cast<uint32_t>(by_seq_.size());
    for (const auto& [seq, e] : by_seq_) f(e.id, ++pos, n, e.rating);
  }

  // The player who has waited longest and since when (nullopt: the queue is empty).
  struct Waiting {
    Id id;
    Clock::time_point since;
  };
  std::optional<Waiting> longest_waiting() const {
    if (by_seq_.empty()) return std::nullopt;
    const Entry& e = by_seq_.begin()->second;
    return Waiting{e.id, e.since};
  }

  const Params& params() const { return params_; }

  // Key comparisons made by the ordered indexes since construction.
  uint64_t work() const { return *comparisons_; }

 private:
  struct Entry {
    Id id;
    uint32_t rating;
    std::string name;
    std::string last_opponent;
    Clock::time_point since;
  };
  using RatingKey = std::pair<uint32_t, uint64_t>;  // (rating, seq)
  // std::less that counts; the counter lives on the heap so a moved Matchmaker's
  // indexes keep counting into the same place.
  template <class Key>
  struct CountingLess {
    uint64_t* count;
    bool operator()(const Key& a, const Key& b) const {
      ++*count;
      return a < b;
    }
  };

  bool compatible(const Entry& a, const Entry& b, Clock::time_point now) const;
  void erase_seq(uint64_t seq);

  Params params_;
  std::unique_ptr<uint64_t> comparisons_ = std::make_unique<uint64_t>(0);
  uint64_t next_seq_ = 0;
  std::map<uint64_t, Entry, CountingLess<uint64_t>> by_seq_{
      CountingLess<uint64_t>{comparisons_.get()}};
  std::set<RatingKey, CountingLess<RatingKey>> by_rating_{
      CountingLess<RatingKey>{comparisons_.get()}};
  std::unordered_map<Id, uint64_t> index_;  // id -> seq
};

}  // namespace checkers::server
