// The long hardening runs, labelled `stress` (make stress): kill -9 twenty
// times during a stream of finishing games, a one-minute seeded live-server
// fuzz loop, and the default 60 s login timeout. Each prints a FIGURE line.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <thread>

#include "hardening/figure.hpp"
#include "hardening/hostile.hpp"
#include "support/game_driver.hpp"

using namespace checkers;
using namespace checkers::test;
using namespace checkers::test::hardening;

namespace {}  // namespace

TEST_CASE("stress: kill -9 twenty times during finishing games", "[hardening][kill9][stress]") {
  ServerProcess srv;
  const auto t0 = Clock::now();
  const Kill9Stats st = kill9_loop(srv, 20, 6, 42);
  for (const auto& p : st.problems) FAIL_CHECK(p);
  figure(fmt::format(
      "kill -9 (stress): {} kills in {:.0f} s, {} GameOvers received, {} ratings checked "
      "in the store after restarts, {} missing or wrong; the store opened every time",
      st.kills, std::chrono::duration<double>(Clock::now() - t0).count(), st.games_over,
      st.ratings_checked, st.problems.size()));
  CHECK(st.kills == 20);
  CHECK(st.games_over >= 20);
  CHECK(st.problems.empty());
}

TEST_CASE("stress: default --login-timeout is 60 s", "[hardening][idle][stress]") {
  ServerProcess srv;
  const Seconds bound = due_by(Seconds(60.0), MachineBaseline::measure());
  RawSocket s(srv.port());
  const auto t0 = Clock::now();
  REQUIRE(s.wait_closed(std::chrono::duration_cast<std::chrono::milliseconds>(bound) + 5s));
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  figure(fmt::format("idle (default): a silent connection closed after {:.2f} s", secs));
  CHECK(secs >= 59.9);
  CHECK(secs <= bound.count());
}

TEST_CASE("stress: one-minute seeded live-server fuzz loop", "[hardening][fuzz][stress]") {
  ServerProcess srv({"--max-clients-per-ip", "1000"});
  Bystander bystander(srv.port(), "bys");
  const uint32_t seed = 20261126;
  FuzzStats total;
  for (int round = 0; round < 12; ++round) {
    const FuzzStats st = fuzz_server(srv.port(), seed + static_cast<uint32_t>(round), 5s);
    total.actions += st.actions;
    total.connections += st.connections;
    total.bytes += st.bytes;
    bystander.step();
    REQUIRE(srv.running());
  }
  ProtocolClient a(srv.port()), b(srv.port());
  a.login("healthy1", "pw", 60s);
  b.login("healthy2", "pw", 60s);
  a.expect_skipping_queue<proto::GameStart>();
  b.expect_skipping_queue<proto::GameStart>();
  GameDriver d(a, b);
  const GameReport rep = d.play(random_strategy(3));
  const Rss rss = process_rss(srv.pid());
  figure(
      fmt::format("fuzz (stress): seeds {}..{}, 60 s, {} actions, {} connections, {} bytes; server "
                  "healthy afterwards (full game played, bystander made {} moves), RSS {:.1f} MiB",
                  seed, seed + 11, total.actions, total.connections, total.bytes, bystander.moves(),
                  rss.rss_kb / 1024.0));
  CHECK(rep.over[0].has_value());
  CHECK(!srv.log_contains("BUG"));
}
