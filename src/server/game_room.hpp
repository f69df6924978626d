// GameRoom: one running game between two sessions. It owns the referee
// (game::Game - every rules decision is the game library's), plays forced hops
// itself (CompulsoryMove to both), hands the turn over (YourTurn with the last
// hop), answers illegal moves (InvalidMove with the unchanged board) and runs
// the turn clock. How a game ends (a win, a draw, a timeout, a player leaving)
// is reported to the owner, which records it and, once the result is durable,
// calls deliver_result() to send GameOver / OpponentDisconnect.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "game/game.hpp"
#include "proto/types.hpp"
#include "reactor/event_loop.hpp"
#include "server/account.hpp"

namespace checkers::server {

class Session;

// The board as `viewer` receives it: owner bit = viewer's pieces, absolute coordinates.
proto::Board board_for_viewer(const game::Position& pos, game::Color viewer);
proto::Move to_wire(const game::Hop& hop);

class GameRoom {
 public:
  enum class EndKind {
    Finished,   // win or draw on the board
    Timeout,    // the player to move ran out of time (the loser's connection is closed)
    Abandoned,  // a player logged out or disconnected
  };
  struct End {
    EndKind kind = EndKind::Finished;
    std::optional<game::Color> winner;  // nullopt = draw
    std::string reason;                 // for the journal and the log
  };
  using EndCallback = std::function<void(GameRoom&, const End&)>;
  using Clock = reactor::EventLoop::Clock;

  // black moves first (the protocol's primary player).
  GameRoom(uint64_t id, reactor::EventLoop& loop, Clock::duration turn_timeout, Session& black,
           Session& white, EndCallback on_end);
  ~GameRoom();
  GameRoom(const GameRoom&) = delete;
  GameRoom& operator=(const GameRoom&) = delete;

  // GameStart to both, then the first turn.
  void start();
  // A MakeMove from `s` (its DFA state is now ProcessingGameState).
  void on_move(Session& s, const proto::Move& m);
  // `s` logged out or disconnected. While the game runs this ends it (the
  // leaver loses); afterwards it only detaches.
  void on_leave(Session& s);
  // Shutdown: ends a running game without a result; OpponentDisconnect to both.
  void abort_unrated();
  // The recorded result is durable (ok) or could not be stored (!ok): tell the
  // players still attached. `record` has a = black, b = white.
  void deliver_result(const GameRecord& record, bool ok);

  uint64_t id() const { return id_; }
  int64_t started() const { return started_; }  // unix seconds
  bool playing() const { return phase_ == Phase::Playing; }
  const game::Game& game() const { return game_; }
  // Attached session of a colour (null once it left).
  Session* player(game::Color c) const { return c == game::Color::Black ? black_ : white_; }
  const std::string& name(game::Color c) const {
    return c == game::Color::Black ? black_name_ : white_name_;
  }
  const End& end() const { return end_; }

 private:
  enum class Phase { Playing, Finishing, Over };

  game::Color color_of(const Session& s) const;
  Session*& slot(game::Color c) { return c == game::Color::Black ? black_ : white_; }
  // Plays forced hops, then gives the turn to the side to move (or ends the game).
  void advance();
  void arm_turn_timer();
  void on_turn_timer();
  void on_turn_timeout();
  void finish(End end);

  uint64_t id_;
  int64_t started_;
  reactor::EventLoop& loop_;
  Clock::duration turn_timeout_;
  Session* black_;
  Session* white_;
  std::string black_name_, white_name_;
  EndCallback on_end_;
  game::Game game_;
  Phase phase_ = Phase::Playing;
  End end_;
  proto::Move last_move_ = proto::kFirstTurnSentinel;
  reactor::TimerId turn_timer_ = 0;
  Clock::time_point turn_deadline_{};
};

}  // namespace checkers::server
