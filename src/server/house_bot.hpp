// HouseBot (--house-bot LEVEL[:SECONDS]): the server's own engine as an opponent for a
// player who has waited alone in the queue longer than SECONDS. It plays under the rated
// account computer-LEVEL, which nobody can log into (it has no password).
//
// The bot is a protocol v1 client inside the server process: each game it plays is one
// socketpair whose server end the Server serves like any accepted connection (Session,
// DFA, GameRoom, GameOver, ratings, games log), and whose other end a HouseBot::Player
// drives with v1 messages. So the human - any v1 client, the reference implementation's
// included - sees exactly the bytes of a game against a person, and the game room has no
// special case. The engine's search runs on the loop's work queue (like password hashing):
// the loop never waits for it, and Level bounds its time (docs/SERVER.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "reactor/event_loop.hpp"
#include "reactor/tcp_connection.hpp"
#include "reactor/work_queue.hpp"
#include "server/config.hpp"
#include "server/matchmaker.hpp"

namespace checkers::server {

class AccountStore;

// "computer-random", "computer-medium", "computer-strong".
std::string house_bot_account(game::Level level);

class HouseBot {
 public:
  // Hands the server's end of a new in-process connection to the server, which serves it
  // like an accepted one (its session id is the connection's id).
  using Adopt = std::function<void(reactor::TcpConnectionPtr)>;

  HouseBot(reactor::EventLoop& loop, HouseBotSettings settings, Adopt adopt);
  // Closes the bot's connections (their sessions see the peer leave).
  ~HouseBot();
  HouseBot(const HouseBot&) = delete;
  HouseBot& operator=(const HouseBot&) = delete;

  const std::string& account() const { return account_; }

  // Creates the account (Glicko defaults) or, if an admin made one of that name, takes
  // its password away so that only the bot plays under it. Not committed here.
  void prepare(AccountStore& store, int64_t now) const;

  // Once per queue tick: if exactly one player waits and has waited at least SECONDS, a
  // bot connection is opened for it (once per wait).
  void on_queue_tick(const Matchmaker& queue, Matchmaker::Clock::time_point now);

  // True if the session is the server end of one of the bot's connections.
  bool owns(uint64_t session_id) const { return players_.count(session_id) != 0; }
  // The waiting player a bot session was opened for (asked once, when it logs in).
  std::optional<uint64_t> take_opponent(uint64_t session_id);

  // Bot connections open now (each plays at most one game).
  std::size_t connections() const { return players_.size(); }

 private:
  class Player;
  struct Slot {
    std::optional<uint64_t> opponent;  // the waiting player, until the bot logs in
    std::unique_ptr<Player> player;
  };

  void summon(uint64_t opponent);
  void on_player_done(uint64_t session_id);

  reactor::EventLoop& loop_;
  HouseBotSettings settings_;
  std::string account_;
  Adopt adopt_;
  std::unordered_map<uint64_t, Slot> players_;  // by the server end's session id
  uint64_t seed_;
  // The engine's searches; last, so it goes first (its completions are dropped).
  reactor::WorkQueue search_;
};

}  // namespace checkers::server
