// GameRoom: one running game between two sessions, of either protocol version
// (docs/PROTOCOL.md §9, docs/PROTOCOL-v2.md §6-§7). It owns the referee
// (game::Game - every rules decision is the game library's) and the game's one
// clock timer, plays forced moves itself, hands the turn over, answers illegal
// moves, and tells watchers what happens. Each player gets its own version's
// messages: a v1 player hop-by-hop GameStart/YourTurn/CompulsoryMove, a v2 player
// GameStart2/YourTurn2/MoveMade with whole paths and both clocks. How a game ends
// (a win, a draw, the clock, resignation, agreement, a player leaving) is reported
// to the owner, which records it and, once the result is durable, calls
// deliver_result() to send GameOver / GameOver2 / OpponentDisconnect.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "game/game.hpp"
#include "proto/messages.hpp"
#include "proto/types.hpp"
#include "reactor/event_loop.hpp"
#include "server/account.hpp"
#include "server/game_clock.hpp"

namespace checkers::server {

class Session;

// The board as `viewer` receives it: owner bit = viewer's pieces, absolute coordinates.
proto::Board board_for_viewer(const game::Position& pos, game::Color viewer);
proto::Move to_wire(const game::Hop& hop);
proto::Path to_path(const game::Move& move);

class GameRoom {
 public:
  enum class EndKind {
    Finished,    // win or draw on the board
    Timeout,     // the player to move ran out of time
    Abandoned,   // a player logged out or disconnected
    Resigned,    // a v2 player resigned
    DrawAgreed,  // both v2 players agreed
  };
  struct End {
    EndKind kind = EndKind::Finished;
    std::optional<game::Color> winner;  // nullopt = draw
    std::string reason;                 // for the journal and the log
    proto::EndReason code = proto::EndReason::NoPieces;
  };
  using EndCallback = std::function<void(GameRoom&, const End&)>;
  using Clock = reactor::EventLoop::Clock;
  struct Settings {
    Clock::duration turn_timeout;  // per move, when a v1 player takes part
    TimeControl time_control;      // Fischer, between v2 players
  };
  static constexpr size_t kMaxWatchers = 100;

  // black moves first (the protocol's primary player).
  GameRoom(uint64_t id, reactor::EventLoop& loop, const Settings& settings, Session& black,
           Session& white, EndCallback on_end);
  ~GameRoom();
  GameRoom(const GameRoom&) = delete;
  GameRoom& operator=(const GameRoom&) = delete;

  // GameStart / GameStart2 to both, then the first turn.
  void start();
  // A v1 MakeMove (one hop) from `s` (its DFA state is now ProcessingGameState).
  void on_move(Session& s, const proto::Move& m);
  // A v2 MakeMove2 (a whole move) from `s`.
  void on_path(Session& s, const proto::Path& path);
  void on_resign(Session& s);
  void on_offer_draw(Session& s);
  void on_answer_draw(Session& s, bool accept);
  // `s` logged out or disconnected. While the game runs this ends it (the
  // leaver loses); afterwards it only detaches.
  void on_leave(Session& s);
  // Shutdown: ends a running game without a result (OpponentDisconnect to v1
  // players, GameOver2 "server shutting down" to v2 players and watchers).
  void abort_unrated();
  // The recorded result is durable (ok) or could not be stored (!ok): tell the
  // players still attached and the watchers. `record` has a = black, b = white.
  void deliver_result(const GameRecord& record, bool ok);

  // Spectating (v2 sessions only). add_watcher sends WatchStart; false = full.
  bool add_watcher(Session& s);
  void remove_watcher(Session& s);
  size_t watcher_count() const { return watchers_.size(); }
  proto::GameEntry entry() const;

  uint64_t id() const { return id_; }
  uint32_t wire_id() const { return static_cast<uint32_t>(id_); }
  int64_t started() const { return started_; }  // unix seconds
  bool playing() const { return phase_ == Phase::Playing; }
  const game::Game& game() const { return game_; }
  const GameClock& clock() const { return clock_; }
  // Attached session of a colour (null once it left).
  Session* player(game::Color c) const { return c == game::Color::Black ? black_ : white_; }
  // The other attached player of `s` (null if none).
  Session* opponent_of(const Session& s) const;
  const std::string& name(game::Color c) const {
    return c == game::Color::Black ? black_name_ : white_name_;
  }
  const End& end() const { return end_; }

 private:
  enum class Phase { Playing, Finishing, Over };

  game::Color color_of(const Session& s) const;
  Session*& slot(game::Color c) { return c == game::Color::Black ? black_ : white_; }
  bool is_v2(game::Color c) const;
  // Plays forced moves, then gives the turn to the side to move (or ends the game).
  void advance();
  // One hop of the side to move; completes the turn bookkeeping when the turn passes.
  void play_hop(const game::Hop& hop, bool forced);
  void on_turn_complete(game::Color mover);
  void give_turn(game::Color mover);
  void arm_clock_timer(Clock::time_point deadline);
  void on_clock_timer();
  void on_time_out();
  void finish(End end);
  void send_watcher_count();
  template <class T>
  void to_watchers(const T& m);
  proto::InvalidMoveReason why_not(const proto::Path& path) const;
  uint32_t clock_of(game::Color c) const;
  // GameOver2 without ratings and board.
  proto::GameOver2 game_over(proto::Winner winner, proto::EndReason reason) const;

  uint64_t id_;
  int64_t started_;
  reactor::EventLoop& loop_;
  Session* black_;
  Session* white_;
  std::string black_name_, white_name_;
  uint32_t black_rating_, white_rating_;
  uint8_t black_version_, white_version_;
  EndCallback on_end_;
  game::Game game_;
  GameClock clock_;
  Phase phase_ = Phase::Playing;
  End end_;
  proto::Move last_move_ = proto::kFirstTurnSentinel;
  // The turn in progress (a v1 player's hops): squares visited, all forced so far.
  std::vector<uint8_t> turn_squares_;
  bool turn_forced_ = true;
  uint16_t plies_ = 0;
  // The one timer of the game: fires when the running clock reaches zero.
  reactor::TimerId clock_timer_ = 0;
  // Draw offers (v2): the open offer's author, and who offered since their last move.
  std::optional<game::Color> draw_offer_;
  bool offered_since_move_[2] = {false, false};
  std::vector<Session*> watchers_;
};

}  // namespace checkers::server
