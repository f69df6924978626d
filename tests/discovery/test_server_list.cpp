// Choosing and presenting found servers; the per-source rate limiter.
#include "discovery/rate_limiter.hpp"
#include "discovery/server_list.hpp"

#include <catch2/catch.hpp>

using namespace checkers::discovery;
using namespace std::chrono_literals;

namespace {
FoundServer server(std::string address, uint32_t queued, std::optional<double> latency) {
  FoundServer s;
  s.address = std::move(address);
  s.tcp_port = 8864;
  s.name = "srv " + s.address;
  s.players_queued = queued;
  s.latency_ms = latency;
  s.instance_id = 1;
  return s;
}
}  // namespace

TEST_CASE("pick_best: most queued, then lowest latency, compatible first") {
  std::vector<FoundServer> v = {server("10.0.0.1", 1, 0.5), server("10.0.0.2", 4, 3.0),
                                server("10.0.0.3", 4, 1.0), server("10.0.0.4", 4, std::nullopt)};
  CHECK(pick_best(v, 1).address == "10.0.0.3");
  v[0].players_queued = 9;
  v[0].lowest_version = v[0].highest_version = 2;
  CHECK(pick_best(v, 1).address == "10.0.0.3");
  CHECK(pick_best(v, 2).address == "10.0.0.1");
  CHECK_THROWS(pick_best({}, 1));
}

TEST_CASE("server list shows address, port, name, versions and players") {
  auto s = server("192.168.1.9", 2, 1.25);
  s.players_online = 5;
  s.highest_version = 3;
  s.name = "evil\x1b[2Jname";
  FoundServer legacy;
  legacy.address = "192.168.1.7";
  legacy.tcp_port = 8864;
  legacy.legacy = true;
  auto text = format_server_list({s, legacy});
  CHECK(text.find(
            " 1) 192.168.1.9:8864  \"evil?[2Jname\"  v1-v3  5 online, 2 queued  latency 1.2 ms") !=
        std::string::npos);
  CHECK(text.find(" 2) 192.168.1.7:8864  (reference server") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
}

TEST_CASE("nothing found names the interfaces and suggests --host-addr") {
  BrowseReport r;
  r.interfaces = {"eth0 (10.0.0.255)", "eth0 (ff02::8864)"};
  auto text = format_none_found(r, 500);
  CHECK(text.find("500 ms") != std::string::npos);
  CHECK(text.find("eth0 (10.0.0.255), eth0 (ff02::8864)") != std::string::npos);
  CHECK(text.find("--host-addr") != std::string::npos);
}

TEST_CASE("rate limiter: burst, refill, per source, shared cap, bounded memory") {
  auto t0 = std::chrono::steady_clock::now();
  SourceRateLimiter lim({10, 20}, {1, 30}, 3, t0);
  int allowed = 0;
  for (int i = 0; i < 50; ++i) allowed += lim.allow("a", t0) ? 1 : 0;
  CHECK(allowed == 20);
  CHECK(lim.allow("b", t0));  // other sources are unaffected
  CHECK_FALSE(lim.allow("a", t0 + 50ms));
  CHECK(lim.allow("a", t0 + 100ms));  // one token back after 1/10 s
  // Shared cap: 30 burst in total; 22 used so far.
  allowed = 0;
  for (int i = 0; i < 20; ++i) allowed += lim.allow("c", t0 + 100ms) ? 1 : 0;
  CHECK(allowed == 8);
  // Memory bound: a 4th source is not remembered while the others are busy.
  CHECK(lim.tracked_sources() == 3);
  lim.allow("d", t0 + 100ms);
  CHECK(lim.tracked_sources() == 3);
  // Once idle, old sources are forgotten to make room.
  lim.allow("e", t0 + 10s);
  CHECK(lim.tracked_sources() == 1);
}
