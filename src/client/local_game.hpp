// LocalGame: `checkers-client --vs-computer` - a Link that is the referee itself, on this
// machine, with no server: it answers Connect and ReQueue, pairs the person with the
// engine (src/game's Searcher), and plays the game exactly as our server would on the
// wire (hop by hop, forced hops as CompulsoryMove, draws by the standard rules), so the
// Session, the UI, the move list and the saved PDN are the same as for a rated game. The
// person plays Black in the first game and the colours alternate; nothing is rated.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "client/link.hpp"
#include "game/game.hpp"
#include "game/search.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/work_queue.hpp"

namespace checkers::client {

class LocalGame : public Link {
 public:
  static constexpr uint32_t kNominalRating = 1500;

  LocalGame(reactor::EventLoop& loop, game::Level level, uint64_t seed, Callbacks callbacks);
  ~LocalGame() override;

  void connect() override;
  bool send(const proto::Message& m) override;
  void close() override;
  bool connected() const override { return open_; }
  proto::State state() const override { return dfa_.state(); }

  // "the computer (medium)".
  static std::string opponent_name(game::Level level);

 private:
  void deliver(proto::Message m);
  // nullopt: the "connected" event.
  void post_event(std::optional<proto::Message> event);
  void arm_delivery();
  void deliver_next();
  void start_game();
  void advance();
  void on_person_hop(const proto::Move& m);
  void computer_moves();
  proto::Board board_for_person() const;

  reactor::EventLoop& loop_;
  game::Level level_;
  std::shared_ptr<game::Searcher> searcher_;
  Callbacks cb_;
  proto::DfaTracker dfa_{proto::Role::Client};
  bool open_ = false;
  int games_ = 0;
  game::Color person_ = game::Color::Black;
  std::optional<game::Game> game_;
  proto::Move last_ = proto::kFirstTurnSentinel;
  uint64_t generation_ = 0;  // a search result for an abandoned game is dropped
  std::deque<std::optional<proto::Message>> inbox_;
  reactor::TimerId delivery_timer_ = 0;
  reactor::WorkQueue search_;  // last: destroyed first, dropping a search's completion
};

}  // namespace checkers::client
