#include "client/local_game.hpp"

#include <spdlog/spdlog.h>

#include "client/board_adapter.hpp"
#include "proto/format.hpp"

namespace checkers::client {

using game::Color;

namespace {

proto::Move to_wire(const game::Hop& h) {
  return proto::Move{static_cast<uint8_t>(h.from.x), static_cast<uint8_t>(h.from.y),
                     static_cast<int8_t>(h.dx), static_cast<int8_t>(h.dy)};
}

}  // namespace

std::string LocalGame::opponent_name(game::Level level) {
  switch (level) {
    case game::Level::Random:
      return "computer-random";
    case game::Level::Medium:
      return "computer-medium";
    case game::Level::Strong:
      return "computer-strong";
  }
  return "computer";
}

LocalGame::LocalGame(reactor::EventLoop& loop, game::Level level, uint64_t seed,
                     Callbacks callbacks)
    : loop_(loop),
      level_(level),
      searcher_(std::make_shared<game::Searcher>(seed)),
      cb_(std::move(callbacks)),
      search_(loop, 1) {}

LocalGame::~LocalGame() {
  if (delivery_timer_ != 0) loop_.cancel(delivery_timer_);
}

void LocalGame::connect() {
  open_ = true;
  post_event(std::nullopt);
}

void LocalGame::deliver(proto::Message m) { post_event(std::move(m)); }

// Events reach the Session from the loop, as a server's would, never from inside send():
// one at a time, from a zero-delay timer that the destructor cancels.
void LocalGame::post_event(std::optional<proto::Message> event) {
  inbox_.push_back(std::move(event));
  arm_delivery();
}

void LocalGame::arm_delivery() {
  if (delivery_timer_ == 0) {
    delivery_timer_ =
        loop_.run_after(reactor::EventLoop::Clock::duration::zero(), [this] { deliver_next(); });
  }
}

void LocalGame::deliver_next() {
  delivery_timer_ = 0;
  if (inbox_.empty() || !open_) return;
  std::optional<proto::Message> event = std::move(inbox_.front());
  inbox_.pop_front();
  if (!inbox_.empty()) arm_delivery();
  // The callbacks may destroy this LocalGame: nothing touches it after them.
  if (!event) {
    if (cb_.connected) cb_.connected();
    return;
  }
  const proto::Message& m = *event;
  const proto::Transition t = dfa_.on_receive(proto::type_of(m));
  if (t.verdict != proto::Verdict::Accept) {
    spdlog::error("local game: {} not allowed in {}", proto::name_of(proto::type_of(m)),
                  proto::name_of(dfa_.state()));
    return;
  }
  spdlog::debug("recv {} -> {}", m, proto::name_of(dfa_.state()));
  if (cb_.message) cb_.message(m);
}

bool LocalGame::send(const proto::Message& m) {
  if (!open_) return false;
  const proto::MsgType type = proto::type_of(m);
  if (dfa_.on_send(type).verdict != proto::Verdict::Accept) {
    spdlog::warn("not sending {} in state {}", proto::name_of(type), proto::name_of(dfa_.state()));
    return false;
  }
  spdlog::debug("send {} -> {}", m, proto::name_of(dfa_.state()));
  if (std::holds_alternative<proto::Connect>(m) || std::holds_alternative<proto::ReQueue>(m)) {
    deliver(proto::QueuePosition{1, 1, kNominalRating});
    start_game();
  } else if (const auto* mm = std::get_if<proto::MakeMove>(&m)) {
    on_person_hop(mm->move);
  } else if (std::holds_alternative<proto::LogOut>(m)) {
    game_.reset();  // the game is abandoned; nothing is rated
    ++generation_;
  }
  return true;
}

void LocalGame::close() {
  if (open_ && logged_in()) dfa_.on_send(proto::MsgType::LogOut);
  open_ = false;
  ++generation_;
}

void LocalGame::start_game() {
  person_ = games_ % 2 == 0 ? Color::Black : Color::White;
  ++games_;
  ++generation_;
  game_.emplace();
  last_ = proto::kFirstTurnSentinel;
  deliver(proto::GameStart{proto::Str16(opponent_name(level_)), kNominalRating});
  advance();
}

proto::Board LocalGame::board_for_person() const { return to_board(game_->position(), person_); }

// Our server's GameRoom::advance: end, forced hops, or whose turn it is.
void LocalGame::advance() {
  while (game_) {
    const game::GameStatus st = game_->status();
    if (st.kind != game::GameStatus::Ongoing) {
      const bool won = st.kind == game::GameStatus::Win && st.winner == person_;
      deliver(proto::GameOver{static_cast<uint8_t>(won ? 1 : 0), kNominalRating, kNominalRating,
                              last_, board_for_person()});
      game_.reset();
      return;
    }
    if (const auto forced = game_->forced_move()) {
      game_->play(forced->from, forced->dx, forced->dy);
      last_ = to_wire(*forced);
      deliver(proto::CompulsoryMove{last_, board_for_person()});
      continue;
    }
    if (game_->side_to_move() == person_) {
      deliver(proto::YourTurn{last_, board_for_person()});
    } else {
      computer_moves();
    }
    return;
  }
}

void LocalGame::on_person_hop(const proto::Move& m) {
  if (!game_ || game_->side_to_move() != person_) return;
  if (!game_->play(game::Square{m.x, m.y}, m.dx, m.dy)) {
    deliver(proto::InvalidMove{m, board_for_person()});
    return;
  }
  last_ = m;
  advance();
}

// The search runs on our own work queue (its completions die with us), so the UI stays
// responsive; the computer's
// hops are played one by one like a client's MakeMoves.
void LocalGame::computer_moves() {
  const game::Position pos = game_->position();
  const uint64_t generation = generation_;
  auto searcher = searcher_;
  const game::Level level = level_;
  search_.submit_serial([searcher, pos, level] { return searcher->choose(pos, level); },
                        [this, generation](game::Move move) {
                          if (generation != generation_ || !game_) return;
                          for (const game::Hop& h : move.hops()) {
                            // A forced continuation is the referee's to play.
                            if (game_->side_to_move() == person_ || game_->forced_move()) break;
                            if (!game_->play(h.from, h.dx, h.dy)) break;
                            last_ = to_wire(h);
                          }
                          advance();
                        });
}

}  // namespace checkers::client
