// Rate limiters for abuse that is cheap for a client and costly for the server:
// failed logins per source address (a token bucket per address, so a password
// guesser is slowed to one attempt every few seconds) and bursts of pointless
// valid traffic on one connection (a sliding one-second counter).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace checkers::server {

// Token bucket per key: `burst` tokens, one more every `refill`.
class KeyedTokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  KeyedTokenBucket(double burst, Clock::duration refill, size_t max_keys = 100'000)
      : burst_(burst), refill_(refill), max_keys_(max_keys) {}

  // True if the key has at least one token (nothing is consumed).
  bool has_token(std::string_view key, Clock::time_point now);
  // Takes one token; false if there was none (the caller is over the limit).
  bool consume(std::string_view key, Clock::time_point now);
  // Forgets keys whose bucket is full again (they behave as new keys anyway).
  void prune(Clock::time_point now);
  size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  Bucket& refill(std::string_view key, Clock::time_point now);

  double burst_;
  Clock::duration refill_;
  size_t max_keys_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// Counts events in the current window (one second unless given); `hit` is
// false once more than `limit` happened within it.
class BurstCounter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit BurstCounter(uint32_t limit, Clock::duration window = std::chrono::seconds(1))
      : limit_(limit), window_(window) {}
  bool hit(Clock::time_point now) {
    if (now - window_start_ >= window_) {
      window_start_ = now;
      count_ = 0;
    }
    return ++count_ <= limit_;
  }

 private:
  uint32_t limit_;
  Clock::duration window_;
  uint32_t count_ = 0;
  Clock::time_point window_start_{};
};

}  // namespace checkers::server
