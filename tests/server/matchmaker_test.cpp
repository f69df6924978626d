// Matchmaker: closest-rating pairing, gap widening with waiting time, rematch
// avoidance, arrival-order positions, and cost at 100,000 waiting players.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "server/matchmaker.hpp"

using checkers::server::Matchmaker;
using namespace std::chrono_literals;

namespace {
Matchmaker::Params params() {
  Matchmaker::Params p;
  p.base_gap = 100;
  p.gap_per_second = 50;
  p.rematch_grace = 10s;
  return p;
}
}  // namespace

TEST_CASE("matchmaker pairs a new arrival with the closest compatible rating", "[matchmaker]") {
  Matchmaker mm(params());
  const auto t0 = Matchmaker::Clock::time_point{} + 1h;
  mm.add(1, 1500, "a", "", t0);
  CHECK_FALSE(mm.match_one(1, t0));
  mm.add(2, 1900, "b", "", t0);
  CHECK_FALSE(mm.match_one(2, t0));  // gap 400 > 100
  mm.add(3, 1560, "c", "", t0);
  auto p = mm.match_one(3, t0);
  REQUIRE(p);
  CHECK(p->first == 1);  // earlier arrival first
  CHECK(p->second == 3);
  CHECK(mm.size() == 1);
  CHECK(mm.contains(2));
}

TEST_CASE("matchmaker widens the allowed gap while players wait", "[matchmaker]") {
  Matchmaker mm(params());
  const auto t0 = Matchmaker::Clock::time_point{} + 1h;
  mm.add(1, 1500, "a", "", t0);
  mm.add(2, 1800, "b", "", t0);
  CHECK(mm.match_all(t0).empty());
  CHECK(mm.match_all(t0 + 3s).empty());  // 100 + 150 < 300
  auto pairs = mm.match_all(t0 + 4s);    // 100 + 200 >= 300
  REQUIRE(pairs.size() == 1);
  CHECK(mm.empty());
}

TEST_CASE("matchmaker sweep pairs closest ratings first", "[matchmaker]") {
  Matchmaker mm(params());
  const auto t0 = Matchmaker::Clock::time_point{} + 1h;
  mm.add(1, 1000, "a", "", t0);
  mm.add(2, 1090, "b", "", t0);
  mm.add(3, 1100, "c", "", t0);
  mm.add(4, 2000, "d", "", t0);
  auto pairs = mm.match_all(t0);
  REQUIRE(pairs.size() == 1);
  CHECK(((pairs[0].first == 2 && pairs[0].second == 3)));
  CHECK(mm.contains(1));
  CHECK(mm.contains(4));
}

TEST_CASE("matchmaker avoids an immediate rematch while others wait", "[matchmaker]") {
  Matchmaker mm(params());
  const auto t0 = Matchmaker::Clock::time_point{} + 1h;
  mm.add(1, 1500, "a", "b", t0);
  mm.add(2, 1500, "b", "a", t0);
  mm.add(3, 1550, "c", "", t0);
  auto p = mm.match_one(3, t0);
  REQUIRE(p);
  CHECK((p->first == 1 || p->first == 2));
  CHECK(p->second == 3);

  // Alone together, the rematch happens.
  Matchmaker two(params());
  two.add(1, 1500, "a", "b", t0);
  two.add(2, 1500, "b", "a", t0);
  CHECK(two.match_one(2, t0));

  // With a third player out of range, the rematch waits only the grace period.
  Matchmaker three(params());
  three.add(1, 1500, "a", "b", t0);
  three.add(2, 1500, "b", "a", t0);
  three.add(3, 3000, "c", "", t0);
  CHECK_FALSE(three.match_one(2, t0));
  CHECK(three.match_all(t0 + 5s).empty());
  auto late = three.match_all(t0 + 11s);
  REQUIRE(late.size() == 1);
  CHECK(late[0].first == 1);
  CHECK(late[0].second == 2);
}

TEST_CASE("matchmaker reports arrival-order positions", "[matchmaker]") {
  Matchmaker mm(params());
  const auto t0 = Matchmaker::Clock::time_point{} + 1h;
  mm.add(7, 1000, "a", "", t0);
  mm.add(8, 3000, "b", "", t0);
  mm.add(9, 5000, "c", "", t0);
  mm.remove(8);
  std::vector<std::pair<uint64_t, uint32_t>> seen;
  mm.for_each([&](uint64_t id, uint32_t pos, uint32_t size, uint32_t) {
    CHECK(size == 2);
    seen.emplace_back(id, pos);
  });
  CHECK(seen == std::vector<std::pair<uint64_t, uint32_t>>{{7, 1}, {9, 2}});
}

namespace {
// Key comparisons per operation when n players wait: n arrivals that match nobody,
// one sweep, then half of them leave.
struct WorkPerOp {
  double arrival;  // add + match_one
  double sweep;    // match_all, per waiting player
  double leave;    // remove
};

WorkPerOp work_with_waiting(uint64_t n) {
  Matchmaker mm(params());
  const auto t0 = Matchmaker::Clock::time_point{} + 1h;
  // Ratings 1000 apart: nobody is compatible at first.
  for (uint64_t i = 0; i < n; ++i) {
    mm.add(i, static_cast<uint32_t>(i * 1000), "p" + std::to_string(i), "", t0);
    REQUIRE_FALSE(mm.match_one(i, t0));
  }
  const uint64_t after_arrivals = mm.work();
  CHECK(mm.match_all(t0).empty());
  const uint64_t after_sweep = mm.work();
  size_t visited = 0;
  mm.for_each([&](uint64_t, uint32_t, uint32_t, uint32_t) { ++visited; });
  CHECK(visited == n);
  for (uint64_t i = 0; i < n; i += 2) CHECK(mm.remove(i));
  CHECK(mm.size() == n / 2);
  const auto dn = static_cast<double>(n);
  return {static_cast<double>(after_arrivals) / dn,
          static_cast<double>(after_sweep - after_arrivals) / dn,
          static_cast<double>(mm.work() - after_sweep) / (dn / 2)};
}
}  // namespace

TEST_CASE("matchmaker work per operation grows as log n up to 100,000 waiting players",
          "[matchmaker]") {
  // Counted, not timed: 100x the players may cost only about log2(100,000)/log2(1,000)
  // = 1.7x the comparisons per operation; a linear scan would cost 100x.
  const WorkPerOp small = work_with_waiting(1'000);
  const WorkPerOp large = work_with_waiting(100'000);
  INFO("comparisons per arrival " << small.arrival << " -> " << large.arrival
                                  << ", per player in the sweep " << small.sweep << " -> "
                                  << large.sweep << ", per leave " << small.leave << " -> "
                                  << large.leave);
  CHECK(small.arrival > 0);
  CHECK(large.arrival < 2.5 * small.arrival);
  CHECK(large.sweep < 2.5 * small.sweep);
  CHECK(large.leave < 2.5 * small.leave);
  // And in absolute terms a small multiple of log2(100,000) = 17: an arrival is a few
  // inserts plus lookups of its three rating neighbours on each side.
  const double log_n = std::log2(100'000.0);
  CHECK(large.arrival < 20 * log_n);
  CHECK(large.leave < 5 * log_n);
}
