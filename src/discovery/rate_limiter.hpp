// Token-bucket rate limiter for discovery answers: one bucket per source address
// plus one shared bucket, so neither a chatty client nor a flood of queries with
// spoofed sources can turn the server into a traffic reflector.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace checkers::discovery {

struct RateLimit {
  double per_second = 10;  // refill rate
  double burst = 20;       // bucket size
};

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket(RateLimit limit, Clock::time_point now)
      : limit_(limit), tokens_(limit.burst), last_(now) {}
  // Takes one token if there is one.
  bool take(Clock::time_point now);
  // True when the bucket is full again, i.e. remembering it changes nothing.
  bool idle(Clock::time_point now) const;

 private:
  void refill(Clock::time_point now);
  RateLimit limit_;
  double tokens_;
  Clock::time_point last_;
};

// DISCOVERY: per-source limit so the responder cannot be used to flood the LAN.
class SourceRateLimiter {
 public:
  using Clock = TokenBucket::Clock;
  SourceRateLimiter(RateLimit per_source, RateLimit total, std::size_t max_sources = 4096,
                    Clock::time_point now = Clock::now());
  // True if an answer to `source` may be sent now (and consumes the tokens).
  bool allow(const std::string& source, Clock::time_point now = Clock::now());
  std::size_t tracked_sources() const { return buckets_.size(); }

 private:
  void forget_idle(Clock::time_point now);
  RateLimit per_source_;
  TokenBucket total_;
  std::size_t max_sources_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace checkers::discovery
