#include "discovery/rate_limiter.hpp"

#include <algorithm>

namespace checkers::discovery {

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) return;
  std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min(limit_.burst, tokens_ + elapsed.count() * limit_.per_second);
  last_ = now;
}

bool TokenBucket::take(Clock::time_point now) {
  refill(now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool TokenBucket::idle(Clock::time_point now) const {
  std::chrono::duration<double> elapsed = now > last_ ? now - last_ : Clock::duration::zero();
  return tokens_ + elapsed.count() * limit_.per_second >= limit_.burst;
}

SourceRateLimiter::SourceRateLimiter(RateLimit per_source, RateLimit total, std::size_t max_sources,
                                     Clock::time_point now)
    : per_source_(per_source), total_(total, now), max_sources_(max_sources) {}

bool SourceRateLimiter::allow(const std::string& source, Clock::time_point now) {
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_sources_) forget_idle(now);
    // Still full: a flood from many sources; the shared bucket alone decides, and
    // the new source is not remembered so memory stays bounded.
    if (buckets_.size() >= max_sources_) return total_.take(now);
    it = buckets_.emplace(source, TokenBucket(per_source_, now)).first;
  }
  if (!it->second.take(now)) return false;
  return total_.take(now);
}

void SourceRateLimiter::forget_idle(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.idle(now); });
}

}  // namespace checkers::discovery
