// Shared helpers of the server tests: servers with pre-made accounts, and
// pairs of logged-in clients that have been matched into a game.
#pragma once

#include <catch2/catch.hpp>

#include <csignal>

#include <string>
#include <utility>
#include <vector>

#include "support/game_driver.hpp"
#include "support/protocol_client.hpp"
#include "support/server_process.hpp"
#include "support/timing.hpp"

namespace checkers::test {

// A server whose store already has these accounts (made with `user add`).
inline std::unique_ptr<ServerProcess> server_with_users(
    const std::vector<std::pair<std::string, std::string>>& users,
    std::vector<std::string> extra_args = {}) {
  ServerProcess::Options o;
  o.extra_args = std::move(extra_args);
  o.start = false;
  auto srv = std::make_unique<ServerProcess>(o);
  for (const auto& [name, pw] : users) {
    const RunResult r = srv->run_admin({"user", "add", name}, pw + "\n");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  srv->start();
  return srv;
}

// Two clients logged in one after the other and matched together; both have
// received GameStart and black (the first mover) its first YourTurn.
struct MatchedPair {
  ProtocolClient black;
  ProtocolClient white;
  proto::GameStart black_start, white_start;
  proto::YourTurn first_turn;
};

inline MatchedPair login_pair(uint16_t port, const std::string& a, const std::string& b,
                              const std::string& pw_a = "pw", const std::string& pw_b = "pw") {
  ProtocolClient ca(port), cb(port);
  ca.login(a, pw_a);
  cb.login(b, pw_b);
  auto sa = ca.expect_skipping_queue<proto::GameStart>(5s);
  auto sb = cb.expect_skipping_queue<proto::GameStart>(5s);
  proto::Message m;
  const int who = receive_either(ca, cb, m);
  auto* turn = std::get_if<proto::YourTurn>(&m);
  INFO(fmt::format("first message after GameStart: {}", m));
  REQUIRE(turn != nullptr);
  // Left for the test to read (or the game driver to answer).
  (who == 0 ? ca : cb).unread(m);
  if (who == 0) return MatchedPair{std::move(ca), std::move(cb), sa, sb, *turn};
  return MatchedPair{std::move(cb), std::move(ca), sb, sa, *turn};
}

}  // namespace checkers::test
