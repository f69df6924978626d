// Failed-login token bucket and the per-connection command flood counter.
#include <catch2/catch.hpp>

#include "server/rate_limit.hpp"

using checkers::server::BurstCounter;
using checkers::server::KeyedTokenBucket;
using namespace std::chrono_literals;

TEST_CASE("token bucket: burst, then one token per refill period, per key", "[rate_limit]") {
  KeyedTokenBucket b(5, 2s);
  const auto t0 = KeyedTokenBucket::Clock::time_point{} + 1h;
  for (int i = 0; i < 5; ++i) CHECK(b.consume("1.2.3.4", t0));
  CHECK_FALSE(b.consume("1.2.3.4", t0));
  CHECK_FALSE(b.has_token("1.2.3.4", t0 + 1s));
  CHECK(b.consume("5.6.7.8", t0));  // other addresses are not affected
  CHECK(b.consume("1.2.3.4", t0 + 2s));
  CHECK_FALSE(b.consume("1.2.3.4", t0 + 2s));
  b.prune(t0 + 60s);
  CHECK(b.tracked() == 0);
}

TEST_CASE("burst counter allows the limit per one-second window", "[rate_limit]") {
  BurstCounter c(3);
  const auto t0 = BurstCounter::Clock::time_point{} + 1h;
  CHECK(c.hit(t0));
  CHECK(c.hit(t0));
  CHECK(c.hit(t0 + 500ms));
  CHECK_FALSE(c.hit(t0 + 600ms));
  CHECK(c.hit(t0 + 1100ms));
}
