#include "server/rate_limit.hpp"

#include <algorithm>

namespace checkers::server {

KeyedTokenBucket::Bucket& KeyedTokenBucket::refill(std::string_view key, Clock::time_point now) {
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    // A full table means an address flood: start over rather than grow without bound.
    if (buckets_.size() >= max_keys_) prune(now);
    if (buckets_.size() >= max_keys_) buckets_.clear();
    it = buckets_.emplace(std::string(key), Bucket{burst_, now}).first;
    return it->second;
  }
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  const double per_token = std::chrono::duration<double>(refill_).count();
  b.tokens = std::min(burst_, b.tokens + (per_token > 0 ? elapsed / per_token : burst_));
  b.updated = now;
  return b;
}

bool KeyedTokenBucket::has_token(std::string_view key, Clock::time_point now) {
  return refill(key, now).tokens >= 1.0;
}

bool KeyedTokenBucket::consume(std::string_view key, Clock::time_point now) {
  Bucket& b = refill(key, now);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void KeyedTokenBucket::prune(Clock::time_point now) {
  const double per_token = std::chrono::duration<double>(refill_).count();
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double elapsed = std::chrono::duration<double>(now - it->second.updated).count();
    const double tokens = it->second.tokens + (per_token > 0 ? elapsed / per_token : burst_);
    if (tokens >= burst_)
      it = buckets_.erase(it);
    else
      ++it;
  }
}

}  // namespace checkers::server
