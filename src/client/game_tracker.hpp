// GameTracker: what the client knows about the game in progress, built only from what
// the server sent: the opponent, our colour, the last board (always the server's), the
// piece that must continue a capture, and a count of moves. It also turns each board
// message into a MoveReport ("bob captured 22x15") and the final GameOver into an outcome.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "client/move_report.hpp"
#include "game/movegen.hpp"
#include "game/position.hpp"
#include "proto/messages.hpp"

namespace checkers::client {

struct GameOutcome {
  enum class Result { Win, Loss, Draw, OpponentLeft, Resigned };
  Result result = Result::Loss;
  std::optional<uint32_t> old_rating;
  std::optional<uint32_t> new_rating;
  int moves = 0;
  std::string opponent;
};

const char* to_string(GameOutcome::Result r);  // "win", "loss", ...

class GameTracker {
 public:
  void begin(const proto::GameStart& start);
  void clear() { *this = GameTracker{}; }
  bool in_game() const { return in_game_; }

  // A board from YourTurn / CompulsoryMove / InvalidMove / GameOver with the move it
  // names. Returns what happened since the previous board, when a real move did.
  std::optional<MoveReport> observe(const proto::Board& board, const proto::Move& move,
                                    proto::MsgType kind);
  // We sent this hop (from my_position()): remembered to describe the opponent's reply.
  void sent(const game::Hop& hop);

  // The position for our move: our colour to move, the continuing piece set when the
  // last YourTurn named our own capture.
  game::Position my_position() const;
  bool continuation() const { return continuing_.has_value(); }

  // After observe()ing the GameOver's board.
  GameOutcome finish(const proto::GameOver& over);
  GameOutcome finish_opponent_left();
  GameOutcome finish_resigned();

  const std::string& opponent() const { return opponent_; }
  uint32_t opponent_rating() const { return opponent_rating_; }
  std::optional<game::Color> my_color() const { return me_; }
  const std::optional<proto::Board>& board() const { return board_; }
  int moves() const { return plies_; }
  bool my_first_turn_seen() const { return my_turns_ > 0; }

 private:
  void count_mover(game::Color mover);

  bool in_game_ = false;
  std::string opponent_;
  uint32_t opponent_rating_ = 0;
  std::optional<game::Color> me_;
  std::optional<proto::Board> board_;        // the server's last board
  std::optional<proto::Board> report_base_;  // board_ plus the hops we sent since
  std::optional<game::Square> continuing_;
  std::optional<game::Color> last_mover_;
  int plies_ = 0;
  int my_turns_ = 0;
};

}  // namespace checkers::client
