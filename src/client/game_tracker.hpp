// GameTracker: what the client knows about the game in progress: the opponent, our
// colour, the server's last board, and the GameRecord (every ply, the current
// position). Server messages go in through observe(), our own hops through sent(); the
// end of the game becomes a GameOutcome with the cause the client can tell.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "client/game_record.hpp"
#include "game/movegen.hpp"
#include "game/position.hpp"
#include "proto/messages.hpp"

namespace checkers::client {

struct GameOutcome {
  enum class Result { Win, Loss, Draw, OpponentLeft, Resigned, Unfinished };
  Result result = Result::Loss;
  std::optional<proto::EndReason> reason;  // protocol v2 tells why
  std::string cause;                       // "bob has no legal move", "threefold repetition", ...
  std::optional<uint32_t> old_rating;
  std::optional<uint32_t> new_rating;
  int moves = 0;  // full moves
  std::string opponent;
  bool we_left = false;               // we ended it by leaving (resigned, or left an unended draw)
  std::optional<game::Color> winner;  // protocol v2: who won (none: a draw, no result)
  // Protocol v2: both players' ratings before and after (a watched game shows both).
  struct Ratings {
    uint32_t black_old = 0, black_new = 0, white_old = 0, white_new = 0;
  };
  std::optional<Ratings> ratings;
  // When the game ended, if the server recorded it (a game fetched with `games`); a game
  // just played ended now.
  std::optional<std::time_t> ended_at;
};

// "win", "loss", "draw", "opponent left", "resigned", "draw (not ended by the server)".
const char* to_string(GameOutcome::Result r);

class GameTracker {
 public:
  void begin(const proto::GameStart& start);
  // Protocol v2: the colour and both ratings are told.
  void begin(const proto::GameStart2& start);
  // Protocol v2: a game we watch, from its current position (WatchStart). Told like a
  // game we play as Black (the board comes in the primary's view), but both players are
  // named and nothing is ours; in_game() stays false.
  void watch(const proto::WatchStart& start);
  bool watched() const { return watched_; }
  void clear() { *this = GameTracker{}; }
  // We left the game (LogOut); the record stays for saving and `history`.
  void leave() { in_game_ = false; }
  bool in_game() const { return in_game_; }

  // A board from YourTurn / CompulsoryMove / InvalidMove / GameOver with the move it names.
  GameRecord::Observation observe(const proto::Board& board, const proto::Move& move,
                                  proto::MsgType kind);
  // Protocol v2: a whole move (MoveMade) and the server's board after it.
  GameRecord::Observation moved(const proto::MoveMade& m);
  // A whole move of a fetched record (no board to check against).
  void replay_move(const proto::Path& path);
  // Protocol v2: our move was refused; back to the server's board.
  void refused(const proto::InvalidMove2& m);
  // We sent this hop: shown at once (the plies it completes are returned).
  GameRecord::Observation sent(const game::Hop& hop);
  // No message told our colour right after GameStart: we wait, so we are White.
  void presume_white();

  // The position for our move (our colour to move, a continuing piece set).
  game::Position my_position() const;
  bool continuation() const;
  bool my_turn() const { return me_ && record_.position().side_to_move() == *me_; }

  GameOutcome finish(const proto::GameOver& over);
  // Protocol v2: the result with its reason and the ratings.
  GameOutcome finish(const proto::GameOver2& over);
  GameOutcome finish_opponent_left();
  GameOutcome finish_resigned();
  GameOutcome finish_unended();

  const std::string& opponent() const { return opponent_; }
  // The player of colour c in a watched game (name, rating); in our own game the
  // opponent, or "you" for us.
  std::string name_of(game::Color c) const;
  uint32_t rating_of(game::Color c) const;
  uint32_t opponent_rating() const { return opponent_rating_; }
  std::optional<game::Color> my_color() const { return me_; }
  const GameRecord& record() const { return record_; }
  // The board to draw: the record's position (our own move shown before the server's reply).
  std::optional<proto::Board> display_board() const;
  int moves() const { return record_.move_number(); }

 private:
  GameOutcome outcome(GameOutcome::Result r) const;

  bool in_game_ = false;
  std::string opponent_;
  uint32_t opponent_rating_ = 0;
  std::optional<game::Color> me_;
  bool me_presumed_ = false;
  bool watched_ = false;
  std::string black_name_, white_name_;  // a watched game's players
  uint32_t black_rating_ = 0, white_rating_ = 0;
  bool first_board_seen_ = false;
  GameRecord record_;
};

}  // namespace checkers::client
