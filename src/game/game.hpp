// The referee of one game (used by the server, no I/O): holds the position and the history
// needed for the draw rules, accepts hops, and reports the result.
#pragma once

#include <optional>
#include <vector>

#include "game/movegen.hpp"
#include "game/position.hpp"

namespace checkers::game {

struct GameStatus {
  enum Kind { Ongoing, Win, Draw } kind = Ongoing;
  std::optional<Color> winner;  // set iff kind == Win
  enum Reason { None, NoLegalMove, Repetition, FortyMoveRule } reason = None;
};

class Game {
 public:
  // 40 moves by each side without a capture or a man move.
  static constexpr int kQuietTurnLimit = 80;

  explicit Game(Position start = Position::start());

  const Position& position() const { return pos_; }
  Color side_to_move() const { return pos_.side_to_move(); }
  // Empty once the game is over.
  const std::vector<Hop>& legal_hops() const;
  std::optional<Hop> forced_move() const;
  // Plays one hop; nullopt (position unchanged) if it is not legal or the game is over.
  std::optional<HopResult> play(Square from, int dx, int dy);
  // A record of a game refereed elsewhere (a client on a server that does not end drawn
  // games) keeps playing after a draw; status() still says Draw until the next capture
  // or man move.
  void play_on_after_draws() { play_on_after_draws_ = true; }
  GameStatus status() const { return status_; }
  bool over() const { return status_.kind != GameStatus::Ongoing; }

  // Every completed turn so far, in order: the path of squares and the captures (what a
  // game record or PDN needs). A turn still in progress (mid-capture) is not included.
  const std::vector<Move>& moves() const { return moves_; }

  int ply_count() const { return turns_; }    // completed turns (full moves)
  int hop_count() const { return hops_; }     // hops played
  int quiet_turns() const { return quiet_; }  // turns since the last capture or man move

 private:
  void end_turn(bool irreversible);
  void update_status();

  Position pos_;
  std::vector<Hop> legal_;  // of pos_, computed once per position (the server's hot path)
  std::vector<Position> since_irreversible_;  // turn-boundary positions, current included
  bool turn_irreversible_ = false;            // a capture or man move in the turn so far
  std::vector<Move> moves_;                   // completed turns
  Move turn_;                                 // the turn in progress
  int turns_ = 0;
  int hops_ = 0;
  int quiet_ = 0;
  GameStatus status_;
  bool play_on_after_draws_ = false;
};

}  // namespace checkers::game
