// GameRecord: the client's one record of a game - every ply once, in order, with who
// played it and whether the server played it by itself. Narration, the board drawn, the
// move list and the saved PDN all read from here.
//
// Protocol v1 does not show every hop: the opponent's hops before a CompulsoryMove or a
// YourTurn are behind the board it carries. observe() rebuilds them with src/game (the
// hop sequences that lead from the record's position to the server's board and end with
// the hop the server named); when none does - a server with other rules - the server's
// board wins and the difference is logged at WARNING.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "game/game.hpp"
#include "game/movegen.hpp"
#include "game/position.hpp"

namespace checkers::client {

struct Ply {
  game::Color mover = game::Color::Black;
  std::vector<game::Square> path;  // from, then every landing square
  int captured = 0;
  bool crowned = false;
  bool forced = false;         // the server played the whole ply by itself
  bool reconstructed = false;  // v1 hid it: rebuilt from the boards
  bool ambiguous = false;      // more than one ply explains the boards; this is one of them
  bool approximate = false;    // the server's rules differ: only the named hop is known
  bool complete = false;       // the turn passed (or the game ended)

  bool capture() const { return captured > 0; }
  // "22x15x6", "11-15".
  std::string pdn() const;
  // "22x15x6 (2 captured)", "27-31, crowned".
  std::string description() const;
};

class GameRecord {
 public:
  // first_move: the number of the full move the game is at in `start` (a watched game
  // joined in the middle).
  explicit GameRecord(game::Position start = game::Position::start(), int first_move = 1);

  // The position after every ply in the record (absolute colours, continuing piece set
  // mid-capture); the side to move is whose turn the record says it is.
  const game::Position& position() const { return game_.position(); }
  const std::vector<Ply>& plies() const { return plies_; }
  // Full moves started (Black's ply opens a move).
  int move_number() const;
  // Draw by the standard rules (repetition, 40-move rule) that the server did not end.
  game::GameStatus status() const { return game_.status(); }

  // Our own hop, shown at once; false if it is not legal in position().
  bool play_own(const game::Hop& hop);
  // The server refused what we sent: back to the position before our unconfirmed hops.
  void revert_own();

  struct Observation {
    std::vector<size_t> completed;  // indices of plies completed by this observation
    bool disagreed = false;         // the server's board differs from every rebuild
    bool ambiguous = false;
  };
  // The server names `named` (a hop) and its board `after` (pieces only matter).
  // forced: the server played `named` by itself (CompulsoryMove). to_move: whose turn
  // the message says it is, when it says (YourTurn: the receiver).
  Observation observe(const game::Hop& named, const game::Position& after, bool forced,
                      std::optional<game::Color> to_move);
  // The server's board without a hop to explain it (InvalidMove, first turn).
  Observation resync(const game::Position& server);
  // Protocol v2: the server names a whole move (MoveMade). Our own move, already shown,
  // is confirmed; any other is played as one ply. Then the server's board `after` wins
  // if the two differ.
  Observation observe_move(const std::vector<game::Hop>& hops, bool forced,
                           const game::Position& after);
  bool has_unconfirmed_own() const { return before_own_.has_value(); }
  // The position after playing these hops from position() (unchanged by illegal ones).
  game::Position position_after(const std::vector<game::Hop>& hops) const;

  // The move list: "1. 11-15 22-18  2. 15x22 25x18" (White's first move as "1. ... 22-18"
  // when the game starts with White to move).
  std::string move_list(size_t last_moves = 0) const;

 private:
  void apply(const game::Hop& hop, bool forced, bool reconstructed, bool ambiguous,
             Observation& obs);
  void take_server_board(const game::Position& server, const game::Hop& named,
                         std::optional<game::Color> to_move, Observation& obs);

  struct Snapshot {
    game::Game game;
    std::vector<Ply> plies;
    std::optional<game::Hop> last_hop;
  };

  game::Game game_;
  int first_move_ = 1;
  std::vector<Ply> plies_;
  std::optional<Snapshot> before_own_;  // before our hops the server has not confirmed yet
  std::optional<game::Hop> last_hop_;
};

// Hop sequences from `from` that end with `named` and leave exactly the pieces of
// `after`; at most `limit` of them, those with the fewest turn changes first.
std::vector<std::vector<game::Hop>> explain_boards(const game::Position& from,
                                                   const game::Position& after,
                                                   const game::Hop& named, size_t limit = 2);

}  // namespace checkers::client
