// GameDriver: plays a game between two ProtocolClients that have both received
// GameStart, choosing legal hops with the rules library from the boards the
// server sends (so the server's referee is checked against an independent
// reading of its own messages). It counts what it sees - CompulsoryMoves,
// multi-capture continuations - so tests can assert those paths were taken.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "game/movegen.hpp"
#include "game/position.hpp"
#include "proto/messages.hpp"
#include "support/protocol_client.hpp"

namespace checkers::test {

// Picks one of `legal` (never empty) in `pos` (the chooser's side to move).
using Strategy =
    std::function<game::Hop(const game::Position& pos, const std::vector<game::Hop>& legal)>;

// Uniformly random legal hops from a seeded generator (reproducible games).
Strategy random_strategy(uint32_t seed);
// Always the first legal hop.
Strategy first_hop_strategy();

// Which colour a board belongs to, from the receiver's first board of a game
// (Black's men start on y = 5..7, White's on y = 0..2).
game::Color infer_color(const proto::Board& first_board);
// The position seen on `board` by a player of colour `me`, `to_move` to play.
// `last_move` (from YourTurn) tells whether `me` is in the middle of a capture
// sequence: then the continuing piece is set.
game::Position position_from_board(const proto::Board& board, game::Color me, game::Color to_move,
                                   std::optional<proto::Move> last_move = std::nullopt);
// Board of `pos` as seen by `viewer` (owner bit = viewer's pieces).
proto::Board board_for(const game::Position& pos, game::Color viewer);
proto::Move to_wire(const game::Hop& hop);

struct GameReport {
  bool finished = false;  // both sides got GameOver / OpponentDisconnect
  std::optional<proto::GameOver> over[2];
  bool opponent_disconnect[2] = {false, false};
  game::Color color[2] = {game::Color::Black, game::Color::White};
  int moves_sent = 0;        // MakeMoves sent (both players)
  int compulsory_moves = 0;  // CompulsoryMoves received (counted per receiver)
  int continuations = 0;     // YourTurns whose last_move was the receiver's own capture
  int to_move = -1;          // when stopped early: index of the player to move
  std::optional<proto::YourTurn> pending_turn;  // ... and the YourTurn it has not answered
};

class GameDriver {
 public:
  GameDriver(ProtocolClient& a, ProtocolClient& b) : players_{&a, &b} {}

  // Plays until both players have received the end of the game, or until
  // `max_moves` MakeMoves were sent and a player is to move again.
  GameReport play(const Strategy& strategy, int max_moves = 100000,
                  std::chrono::milliseconds message_timeout = 10s);

 private:
  ProtocolClient* players_[2];
};

// Outcome of one client's game in play_games().
struct ClientGame {
  std::optional<proto::GameStart> start;
  std::optional<proto::GameOver> over;
  bool opponent_disconnect = false;
  int moves_sent = 0;
  int compulsory_moves = 0;  // CompulsoryMoves received
  int continuations = 0;     // YourTurns in the middle of this client's own multi-capture
};

// Many clients at once, each acting on its own messages only (queued clients
// wait for GameStart, then play with `strategy` until their game ends). Returns
// when every client's game ended; throws if nothing arrives for `idle_timeout`.
std::vector<ClientGame> play_games(const std::vector<ProtocolClient*>& clients,
                                   const Strategy& strategy,
                                   std::chrono::milliseconds idle_timeout = 20s);

}  // namespace checkers::test
