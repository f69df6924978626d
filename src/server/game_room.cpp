#include "server/game_room.hpp"

#include <spdlog/spdlog.h>

#include "proto/format.hpp"
#include "proto/messages.hpp"
#include "server/session.hpp"

namespace checkers::server {

using game::Color;

proto::Board board_for_viewer(const game::Position& pos, Color viewer) {
  proto::Board b;
  const uint32_t own = pos.pieces(viewer);
  const uint32_t occupied = pos.occupied();
  const uint32_t kings = pos.kings();
  for (int i = 0; i < 32; ++i) {
    const uint32_t bit = uint32_t{1} << i;
    if ((occupied & bit) == 0) continue;
    const game::Square s = game::square_of_index(i);
    const bool mine = (own & bit) != 0;
    const bool king = (kings & bit) != 0;
    b.set(s.x, s.y,
          mine ? (king ? proto::Code::OwnKing : proto::Code::OwnMan)
               : (king ? proto::Code::OpponentKing : proto::Code::OpponentMan));
  }
  return b;
}

proto::Move to_wire(const game::Hop& hop) {
  return proto::Move{static_cast<uint8_t>(hop.from.x), static_cast<uint8_t>(hop.from.y),
                     static_cast<int8_t>(hop.dx), static_cast<int8_t>(hop.dy)};
}

GameRoom::GameRoom(uint64_t id, reactor::EventLoop& loop, Clock::duration turn_timeout,
                   Session& black, Session& white, EndCallback on_end)
    : id_(id),
      started_(std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()),
      loop_(loop),
      turn_timeout_(turn_timeout),
      black_(&black),
      white_(&white),
      black_name_(black.account()),
      white_name_(white.account()),
      on_end_(std::move(on_end)) {}

GameRoom::~GameRoom() {
  if (turn_timer_ != 0) loop_.cancel(turn_timer_);
}

Color GameRoom::color_of(const Session& s) const {
  return &s == black_ ? Color::Black : Color::White;
}

void GameRoom::start() {
  spdlog::info("game #{} started: {} ({}, black, moves first) vs {} ({})", id_, black_name_,
               black_->rating(), white_name_, white_->rating());
  black_->send(proto::GameStart{proto::Str16(white_name_), white_->rating()});
  white_->send(proto::GameStart{proto::Str16(black_name_), black_->rating()});
  advance();
}

void GameRoom::advance() {
  while (phase_ == Phase::Playing) {
    const game::GameStatus st = game_.status();
    if (st.kind != game::GameStatus::Ongoing) {
      const char* why = st.reason == game::GameStatus::NoLegalMove     ? "no-legal-move"
                        : st.reason == game::GameStatus::Repetition    ? "repetition"
                        : st.reason == game::GameStatus::FortyMoveRule ? "forty-move-rule"
                                                                       : "game-over";
      finish(End{EndKind::Finished, st.winner, why});
      return;
    }
    if (const std::optional<game::Hop> forced = game_.forced_move()) {
      game_.play(forced->from, forced->dx, forced->dy);
      last_move_ = to_wire(*forced);
      const proto::Board for_black = board_for_viewer(game_.position(), Color::Black);
      if (black_) black_->send(proto::CompulsoryMove{last_move_, for_black});
      if (white_) white_->send(proto::CompulsoryMove{last_move_, for_black.flipped_owner()});
      continue;
    }
    const Color mover = game_.side_to_move();
    if (Session* s = player(mover))
      s->send(proto::YourTurn{last_move_, board_for_viewer(game_.position(), mover)});
    arm_turn_timer();
    return;
  }
}

// Per move only the deadline moves; the one timer, when it fires early,
// re-arms itself for the remaining time (no timer churn per move).
void GameRoom::arm_turn_timer() {
  turn_deadline_ = loop_.now() + turn_timeout_;
  if (turn_timer_ == 0) turn_timer_ = loop_.run_at(turn_deadline_, [this] { on_turn_timer(); });
}

void GameRoom::on_turn_timer() {
  turn_timer_ = 0;
  if (phase_ != Phase::Playing) return;
  if (loop_.now() < turn_deadline_) {
    turn_timer_ = loop_.run_at(turn_deadline_, [this] { on_turn_timer(); });
    return;
  }
  on_turn_timeout();
}

void GameRoom::on_move(Session& s, const proto::Move& m) {
  if (phase_ != Phase::Playing) return;  // result pending: the move is moot
  const Color c = color_of(s);
  if (c != game_.side_to_move()) {
    // The DFA only lets the player in UserMove send MakeMove; this is a bug.
    spdlog::error("{} BUG: MakeMove out of turn in game #{}", s.tag(), id_);
    return;
  }
  const std::optional<game::HopResult> r = game_.play(game::Square{m.x, m.y}, m.dx, m.dy);
  if (!r) {
    // The turn clock keeps running: retries do not buy time.
    s.send(proto::InvalidMove{m, board_for_viewer(game_.position(), c)});
    return;
  }
  last_move_ = m;
  advance();
}

void GameRoom::on_turn_timeout() {
  if (phase_ != Phase::Playing) return;
  const Color loser = game_.side_to_move();
  Session* s = player(loser);
  // Protocol v1 has no message for this in UserMove: the player only sees the connection close.
  spdlog::info(
      "game #{}: {} ({}) made no move within the turn limit of {:.0f} s: the game is lost, the "
      "connection is closed",
      id_, loser == Color::Black ? black_name_ : white_name_,
      loser == Color::Black ? "black" : "white",
      std::chrono::duration<double>(turn_timeout_).count());
  finish(End{EndKind::Timeout, game::opponent(loser), "timeout"});
  // The loser sits in UserMove, where the protocol has no GameOver: it is
  // treated as having abandoned the game and disconnected.
  if (s != nullptr) {
    slot(loser) = nullptr;
    s->set_room(0);
    s->close_after_flush("turn timeout: the game is lost");
  }
}

void GameRoom::on_leave(Session& s) {
  const Color c = color_of(s);
  if (player(c) != &s) return;
  slot(c) = nullptr;
  s.set_room(0);
  if (phase_ == Phase::Playing) finish(End{EndKind::Abandoned, game::opponent(c), "abandoned"});
}

void GameRoom::finish(End end) {
  phase_ = Phase::Finishing;
  end_ = std::move(end);
  if (turn_timer_ != 0) loop_.cancel(turn_timer_);
  turn_timer_ = 0;
  on_end_(*this, end_);
}

void GameRoom::abort_unrated() {
  if (phase_ != Phase::Playing) return;
  phase_ = Phase::Over;
  if (turn_timer_ != 0) loop_.cancel(turn_timer_);
  turn_timer_ = 0;
  for (Color c : {Color::Black, Color::White}) {
    if (Session* s = player(c)) {
      s->send(proto::OpponentDisconnect{});
      s->set_room(0);
      slot(c) = nullptr;
    }
  }
}

void GameRoom::deliver_result(const GameRecord& rec, bool ok) {
  if (phase_ != Phase::Finishing) return;
  phase_ = Phase::Over;
  const proto::Board for_black = board_for_viewer(game_.position(), Color::Black);
  for (Color c : {Color::Black, Color::White}) {
    Session* s = player(c);
    if (s == nullptr) continue;
    s->set_room(0);
    slot(c) = nullptr;
    const bool black = c == Color::Black;
    const Glicko& before = black ? rec.a_before : rec.b_before;
    const Glicko& after = black ? rec.a_after : rec.b_after;
    s->set_last_opponent(black ? white_name_ : black_name_);
    if (!ok || end_.kind == EndKind::Abandoned) {
      // Abandoned: the opponent learns it the protocol's way (its new rating
      // shows in its next QueuePosition). !ok: no result we could stand by.
      s->send(proto::OpponentDisconnect{});
    } else {
      s->send(proto::GameOver{static_cast<uint8_t>(end_.winner == c ? 1 : 0), after.wire_rating(),
                              before.wire_rating(), last_move_,
                              black ? for_black : for_black.flipped_owner()});
    }
    if (ok) s->set_rating(after.wire_rating());
  }
}

}  // namespace checkers::server
