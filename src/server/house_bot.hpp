// HouseBot (--house-bot LEVEL[:SECONDS]): the server's own engine as an opponent for a
// player who has waited alone in the queue longer than SECONDS. It plays under the rated
// account computer-LEVEL, which nobody can log into (it has no password).
//
// The bot is a client inside the server process: each bot connection is one socketpair
// whose server end the Server serves like any accepted connection (Session, DFA, GameRoom,
// GameOver, ratings, games log), and whose other end a HouseBot::Player drives. The bot
// speaks the waiting player's protocol version:
//  - for a v1 player it is a v1 client (Connect 1, hop by hop, leaves at GameOver), so the
//    human - the reference implementation's client included - sees exactly the bytes of a
//    v1 game against a person, per-move --turn-timeout and all;
//  - for a v2 player it is a v2 client (docs/PROTOCOL-v2.md §10): Connect 2, ReQueue, whole
//    moves in one MakeMove2, a game with Fischer clocks on which its thinking time counts
//    (it thinks at most 1/20 of its clock per move). It answers a draw offer at once from
//    the engine's static evaluation (accepts unless it is ahead by more than
//    kHouseBotDrawMargin), never offers one, accepts a rematch at once, and after a game
//    waits for a rematch for the invitation timeout (--invite-timeout) - less if its
//    opponent moves on first (queues, watches, plays someone else, leaves) - then leaves.
// The server marks the bot's sessions (Session::is_house_bot): v2 players see version 0 in
// GameStart2 and Who, chat to it gets ChatRefused 2, a Challenge ChallengeResult 2.
// The engine's search runs on the bot's work queue (like password hashing): the loop never
// waits for it, Level bounds its time (docs/SERVER.md), and a search made moot (the game
// ended meanwhile) is cancelled by its job id.
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

// A v2 bot accepts a draw unless the static evaluation for it is above this (a man ~ 100).
inline constexpr int kHouseBotDrawMargin = 20;

class HouseBot {
 public:
  // Hands the server's end of a new in-process connection to the server, which serves it
  // like an accepted one (its session id is the connection's id).
  using Adopt = std::function<void(reactor::TcpConnectionPtr)>;
  // The protocol version of a (waiting) player's session.
  using VersionOf = std::function<uint8_t(uint64_t session_id)>;

  // `rematch_wait`: how long a v2 bot waits after a game for a rematch.
  HouseBot(reactor::EventLoop& loop, HouseBotSettings settings,
           reactor::EventLoop::Clock::duration rematch_wait, VersionOf version_of, Adopt adopt);
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
  // The bot session that plays or played `player` (the one a rematch goes to); 0 if none.
  uint64_t session_for(uint64_t player) const;
  // Another bot session than `except` (the account is online while any plays); 0 if none.
  uint64_t other_session(uint64_t except) const;
  // `player` moved on (queued, watches, plays someone else, left): its bot leaves now if
  // idle after their game, or as soon as their game ends. `keep` (the bot of a rematch
  // that is starting) stays.
  void release(uint64_t player, uint64_t keep = 0);

  // Bot connections open now (each plays at most one game).
  std::size_t connections() const { return players_.size(); }

 private:
  class Player;
  struct Slot {
    uint64_t opponent = 0;  // the player it came for (and plays rematches with)
    bool logged_in = false;
    std::unique_ptr<Player> player;
  };

  void summon(uint64_t opponent);
  void on_player_done(uint64_t session_id);

  reactor::EventLoop& loop_;
  HouseBotSettings settings_;
  reactor::EventLoop::Clock::duration rematch_wait_;
  std::string account_;
  VersionOf version_of_;
  Adopt adopt_;
  std::unordered_map<uint64_t, Slot> players_;  // by the server end's session id
  uint64_t seed_;
  // The engine's searches; last, so it goes first (its completions are dropped).
  reactor::WorkQueue search_;
};

}  // namespace checkers::server
