#include "server/game_room.hpp"

#include <bit>

#include <spdlog/spdlog.h>

#include <algorithm>

#include "game/movegen.hpp"
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
  for (uint32_t left = occupied; left != 0; left &= left - 1) {
    const int i = std::countr_zero(left);
    const uint32_t bit = uint32_t{1} << i;
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

proto::Path to_path(const game::Move& move) {
  proto::Path p;
  p.count = static_cast<uint8_t>(std::min<int>(move.length(), proto::Path::kMaxSquares));
  for (int i = 0; i < p.count; ++i) {
    const game::Square s = game::square_of_index(move.index(i));
    p.squares[static_cast<size_t>(i)] = proto::square_index(s.x, s.y);
  }
  return p;
}

namespace {

proto::Colour wire_colour(Color c) {
  return c == Color::Black ? proto::Colour::Primary : proto::Colour::Secondary;
}

bool same_squares(const proto::Path& a, const proto::Path& b) {
  return a.count == b.count &&
         std::equal(a.squares.begin(), a.squares.begin() + a.count, b.squares.begin());
}

uint8_t square_of(game::Square s) { return proto::square_index(s.x, s.y); }

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

GameRoom::GameRoom(uint64_t id, reactor::EventLoop& loop, const Settings& settings, Session& black,
                   Session& white, EndCallback on_end)
    : id_(id),
      started_(unix_now()),
      loop_(loop),
      black_(&black),
      white_(&white),
      black_name_(black.account()),
      white_name_(white.account()),
      black_rating_(black.rating()),
      white_rating_(white.rating()),
      black_version_(black.version()),
      white_version_(white.version()),
      on_end_(std::move(on_end)),
      // docs/PROTOCOL-v2.md §7: Fischer between v2 players, v1's per-move limit otherwise.
      clock_(black.version() >= 2 && white.version() >= 2
                 ? GameClock::fischer(settings.time_control)
                 : GameClock::per_move(settings.turn_timeout)) {}

GameRoom::~GameRoom() {
  if (clock_timer_ != 0) loop_.cancel(clock_timer_);
  for (Session* w : watchers_) w->v2().watching = 0;
}

Color GameRoom::color_of(const Session& s) const {
  return &s == black_ ? Color::Black : Color::White;
}

bool GameRoom::is_v2(Color c) const {
  return (c == Color::Black ? black_version_ : white_version_) >= 2;
}

Session* GameRoom::opponent_of(const Session& s) const {
  if (&s == black_) return white_;
  if (&s == white_) return black_;
  return nullptr;
}

uint32_t GameRoom::clock_of(Color c) const { return clock_.wire_remaining(c, loop_.now()); }

void GameRoom::start() {
  spdlog::info("game #{} started: {} ({}, v{}, black, moves first) vs {} ({}, v{}), {} clock", id_,
               black_name_, black_rating_, black_version_, white_name_, white_rating_,
               white_version_, proto::name_of(clock_.kind()));
  for (Color c : {Color::Black, Color::White}) {
    Session* s = player(c);
    const Color o = game::opponent(c);
    if (!is_v2(c)) {
      s->send(proto::GameStart{proto::Str16(name(o)), player(o)->rating()});
      continue;
    }
    proto::GameStart2 m;
    m.game_id = wire_id();
    m.colour = wire_colour(c);
    m.opponent_name = proto::Str16(name(o));
    m.opponent_rating = player(o)->rating();
    m.own_rating = s->rating();
    // The house bot is version 0 to v2 players (PROTOCOL-v2.md §10).
    m.opponent_version =
        player(o)->is_house_bot() ? 0 : (o == Color::Black ? black_version_ : white_version_);
    m.clock_kind = clock_.kind();
    m.base_ms = static_cast<uint32_t>(clock_.base().count());
    m.increment_ms = static_cast<uint32_t>(clock_.increment().count());
    s->send(m);
  }
  advance();
}

void GameRoom::advance() {
  while (phase_ == Phase::Playing) {
    const game::GameStatus st = game_.status();
    if (st.kind != game::GameStatus::Ongoing) {
      End end{EndKind::Finished, st.winner, "game-over", proto::EndReason::NoLegalMove};
      if (st.reason == game::GameStatus::Repetition) {
        end.reason = "repetition";
        end.code = proto::EndReason::Repetition;
      } else if (st.reason == game::GameStatus::FortyMoveRule) {
        end.reason = "forty-move-rule";
        end.code = proto::EndReason::FortyMoveRule;
      } else if (game_.position().pieces(game_.side_to_move()) == 0) {
        end.reason = "no-pieces";
        end.code = proto::EndReason::NoPieces;
      } else {
        end.reason = "no-legal-move";
      }
      finish(std::move(end));
      return;
    }
    const Color mover = game_.side_to_move();
    if (is_v2(mover)) {
      // A v2 player moves whole moves: forced only when exactly one whole move is legal.
      game::MoveList moves;
      game::generate_moves(game_.position(), moves);
      if (turn_squares_.empty() && moves.size() == 1) {
        for (const game::Hop& hop : moves[0].hops()) play_hop(hop, true);
        continue;
      }
    } else if (const std::optional<game::Hop> forced = game_.forced_move()) {
      play_hop(*forced, true);  // v1: hop by hop (PROTOCOL.md §9)
      continue;
    }
    give_turn(mover);
    return;
  }
}

void GameRoom::play_hop(const game::Hop& hop, bool forced) {
  const Color mover = game_.side_to_move();
  if (turn_squares_.empty()) {
    turn_squares_.push_back(square_of(hop.from));
    turn_forced_ = true;
  }
  const std::optional<game::HopResult> r = game_.play(hop.from, hop.dx, hop.dy);
  if (!r) {
    spdlog::error("game #{} BUG: hop {} not playable", id_, to_wire(hop));
    return;
  }
  turn_squares_.push_back(square_of(hop.to));
  turn_forced_ = turn_forced_ && forced;
  last_move_ = to_wire(hop);
  if (forced) {
    // v1 players see every forced hop (PROTOCOL.md §9); v2 players the whole move.
    const proto::Board for_black = board_for_viewer(game_.position(), Color::Black);
    for (Color c : {Color::Black, Color::White})
      if (Session* s = player(c); s != nullptr && !is_v2(c))
        s->send(proto::CompulsoryMove{last_move_,
                                      c == Color::Black ? for_black : for_black.flipped_owner()});
  }
  if (r->turn_over || game_.over()) on_turn_complete(mover);
}

void GameRoom::on_turn_complete(Color mover) {
  // A forced move uses no time and earns no increment (PROTOCOL-v2.md §6.3, §7.1).
  clock_.end_turn(loop_.now(), !turn_forced_);
  ++plies_;
  const std::optional<proto::Path> path = proto::Path::of_squares(turn_squares_);
  proto::MoveMade m;
  m.ply = plies_;
  m.mover = wire_colour(mover);
  m.forced = turn_forced_ ? 1 : 0;
  m.path = path.value_or(proto::Path{});
  m.primary_clock = clock_of(Color::Black);
  m.secondary_clock = clock_of(Color::White);
  const proto::Board for_black = board_for_viewer(game_.position(), Color::Black);
  for (Color c : {Color::Black, Color::White})
    if (Session* s = player(c); s != nullptr && is_v2(c)) {
      m.board = c == Color::Black ? for_black : for_black.flipped_owner();
      s->send(m);
    }
  m.board = for_black;
  to_watchers(m);
  turn_squares_.clear();
  // The mover may offer again; an offer made to the mover lapses (PROTOCOL-v2.md §6.4).
  offered_since_move_[mover == Color::Black ? 0 : 1] = false;
  if (draw_offer_ == game::opponent(mover)) draw_offer_.reset();
}

void GameRoom::give_turn(Color mover) {
  const Clock::time_point deadline = clock_.start_turn(mover, loop_.now());
  if (Session* s = player(mover)) {
    const proto::Board board = board_for_viewer(game_.position(), mover);
    if (is_v2(mover))
      s->send(proto::YourTurn2{plies_, board, clock_of(Color::Black), clock_of(Color::White)});
    else
      s->send(proto::YourTurn{last_move_, board});
  }
  arm_clock_timer(deadline);
}

// The game's one timer, created once and moved to each new deadline.
void GameRoom::arm_clock_timer(Clock::time_point deadline) {
  if (clock_timer_ != 0 && loop_.move_timer(clock_timer_, deadline)) return;
  clock_timer_ = loop_.run_at(deadline, [this] { on_clock_timer(); });
}

void GameRoom::on_clock_timer() {
  clock_timer_ = 0;
  if (phase_ != Phase::Playing || !clock_.running()) return;
  on_time_out();
}

void GameRoom::on_move(Session& s, const proto::Move& m) {
  if (phase_ != Phase::Playing) return;  // result pending: the move is moot
  const Color c = color_of(s);
  if (c != game_.side_to_move()) {
    // The DFA only lets the player in UserMove send MakeMove; this is a bug.
    spdlog::error("{} BUG: MakeMove out of turn in game #{}", s.tag(), id_);
    return;
  }
  const std::optional<game::Hop> hop =
      game::find_hop(game_.position(), game::Square{m.x, m.y}, m.dx, m.dy);
  if (!hop) {
    // The turn clock keeps running: retries do not buy time.
    s.send(proto::InvalidMove{m, board_for_viewer(game_.position(), c)});
    return;
  }
  play_hop(*hop, false);
  advance();
}

proto::InvalidMoveReason GameRoom::why_not(const proto::Path& path) const {
  if (!path.well_formed()) return proto::InvalidMoveReason::Malformed;
  if (!path.is_jump() && game::has_capture(game_.position()))
    return proto::InvalidMoveReason::CaptureCompulsory;
  if (path.is_jump()) {
    game::MoveList moves;
    game::generate_moves(game_.position(), moves);
    for (const game::Move& mv : moves) {
      const proto::Path full = to_path(mv);
      if (full.count > path.count &&
          std::equal(path.squares.begin(), path.squares.begin() + path.count, full.squares.begin()))
        return proto::InvalidMoveReason::CaptureMustContinue;
    }
  }
  return proto::InvalidMoveReason::Illegal;
}

void GameRoom::on_path(Session& s, const proto::Path& path) {
  if (phase_ != Phase::Playing) return;
  const Color c = color_of(s);
  if (c != game_.side_to_move()) {
    spdlog::error("{} BUG: MakeMove2 out of turn in game #{}", s.tag(), id_);
    return;
  }
  game::MoveList moves;
  game::generate_moves(game_.position(), moves);
  for (const game::Move& mv : moves) {
    if (!path.well_formed() || !same_squares(to_path(mv), path)) continue;
    for (const game::Hop& hop : mv.hops()) play_hop(hop, false);
    advance();
    return;
  }
  s.send(proto::InvalidMove2{path, why_not(path), board_for_viewer(game_.position(), c)});
}

void GameRoom::on_resign(Session& s) {
  if (phase_ != Phase::Playing) return;
  const Color c = color_of(s);
  spdlog::info("game #{}: {} resigned", id_, name(c));
  finish(End{EndKind::Resigned, game::opponent(c), "resigned", proto::EndReason::Resignation});
}

void GameRoom::on_offer_draw(Session& s) {
  if (phase_ != Phase::Playing) return;
  const Color c = color_of(s);
  const Color o = game::opponent(c);
  Session* other = player(o);
  if (other == nullptr || !is_v2(o)) {
    s.send(proto::DrawDeclined{proto::DrawDeclineReason::OpponentCannot});
    return;
  }
  if (draw_offer_ == o) {  // offering while the opponent's offer is open accepts it
    finish(End{EndKind::DrawAgreed, std::nullopt, "draw-agreed", proto::EndReason::DrawAgreed});
    return;
  }
  const size_t i = c == Color::Black ? 0 : 1;
  if (offered_since_move_[i]) {
    s.send(proto::DrawDeclined{proto::DrawDeclineReason::AlreadyOffered});
    return;
  }
  offered_since_move_[i] = true;
  draw_offer_ = c;
  other->send(proto::DrawOffered{});
}

void GameRoom::on_answer_draw(Session& s, bool accept) {
  if (phase_ != Phase::Playing) return;
  const Color c = color_of(s);
  const Color o = game::opponent(c);
  if (draw_offer_ != o) return;  // lapsed or never made: ignored (PROTOCOL-v2.md §6.4)
  if (accept) {
    finish(End{EndKind::DrawAgreed, std::nullopt, "draw-agreed", proto::EndReason::DrawAgreed});
    return;
  }
  draw_offer_.reset();
  if (Session* other = player(o)) other->send(proto::DrawDeclined{});
}

void GameRoom::on_time_out() {
  if (phase_ != Phase::Playing) return;
  const Color loser = game_.side_to_move();
  Session* s = player(loser);
  if (is_v2(loser))
    spdlog::info("game #{}: {} ({}) ran out of time ({} clock): the game is lost", id_, name(loser),
                 loser == Color::Black ? "black" : "white", proto::name_of(clock_.kind()));
  else
    spdlog::info(
        "game #{}: {} ({}) made no move within the turn limit of {:.0f} s: the game is lost, the "
        "connection is closed",
        id_, name(loser), loser == Color::Black ? "black" : "white",
        std::chrono::duration<double>(clock_.base()).count());
  finish(End{EndKind::Timeout, game::opponent(loser), "timeout", proto::EndReason::Time});
  // A v1 loser sits in UserMove, where protocol v1 has no GameOver: it is treated
  // as having abandoned the game and disconnected. A v2 loser gets GameOver2.
  if (s != nullptr && !is_v2(loser)) {
    slot(loser) = nullptr;
    s->set_room(0);
    s->close_after_flush("turn timeout: the game is lost");
  }
}

void GameRoom::on_leave(Session& s) {
  if (std::find(watchers_.begin(), watchers_.end(), &s) != watchers_.end()) {
    remove_watcher(s);
    return;
  }
  const Color c = color_of(s);
  if (player(c) != &s) return;
  slot(c) = nullptr;
  s.set_room(0);
  if (phase_ == Phase::Playing)
    finish(End{EndKind::Abandoned, game::opponent(c), "abandoned", proto::EndReason::PlayerLeft});
}

void GameRoom::finish(End end) {
  phase_ = Phase::Finishing;
  end_ = std::move(end);
  clock_.end_turn(loop_.now(), false);
  if (clock_timer_ != 0) loop_.cancel(clock_timer_);
  clock_timer_ = 0;
  draw_offer_.reset();
  on_end_(*this, end_);
}

void GameRoom::abort_unrated() {
  if (phase_ != Phase::Playing) return;
  phase_ = Phase::Over;
  clock_.end_turn(loop_.now(), false);
  if (clock_timer_ != 0) loop_.cancel(clock_timer_);
  clock_timer_ = 0;
  proto::GameOver2 over = game_over(proto::Winner::NoResult, proto::EndReason::ServerShutdown);
  over.primary_old = over.primary_new = black_rating_;
  over.secondary_old = over.secondary_new = white_rating_;
  const proto::Board for_black = board_for_viewer(game_.position(), Color::Black);
  for (Color c : {Color::Black, Color::White}) {
    if (Session* s = player(c)) {
      if (is_v2(c)) {
        over.board = c == Color::Black ? for_black : for_black.flipped_owner();
        s->send(over);
      } else {
        s->send(proto::OpponentDisconnect{});
      }
      s->set_room(0);
      slot(c) = nullptr;
    }
  }
  over.board = for_black;
  to_watchers(over);
  for (Session* w : watchers_) w->v2().watching = 0;
  watchers_.clear();
}

proto::GameOver2 GameRoom::game_over(proto::Winner winner, proto::EndReason reason) const {
  proto::GameOver2 over;
  over.game_id = wire_id();
  over.winner = winner;
  over.reason = reason;
  over.plies = plies_;
  over.primary_clock = clock_of(Color::Black);
  over.secondary_clock = clock_of(Color::White);
  return over;
}

void GameRoom::deliver_result(const GameRecord& rec, bool ok) {
  if (phase_ != Phase::Finishing) return;
  phase_ = Phase::Over;
  const proto::Board for_black = board_for_viewer(game_.position(), Color::Black);
  const proto::Winner winner = !ok                            ? proto::Winner::NoResult
                               : !end_.winner                 ? proto::Winner::Draw
                               : *end_.winner == Color::Black ? proto::Winner::Primary
                                                              : proto::Winner::Secondary;
  proto::GameOver2 over = game_over(winner, end_.code);
  over.primary_old = rec.a_before.wire_rating();
  over.primary_new = ok ? rec.a_after.wire_rating() : over.primary_old;
  over.secondary_old = rec.b_before.wire_rating();
  over.secondary_new = ok ? rec.b_after.wire_rating() : over.secondary_old;
  // The winner hears it first, as in v1.
  const Color first = end_.winner.value_or(Color::Black);
  for (Color c : {first, game::opponent(first)}) {
    Session* s = player(c);
    if (s == nullptr) continue;
    s->set_room(0);
    slot(c) = nullptr;
    const bool black = c == Color::Black;
    const Glicko& before = black ? rec.a_before : rec.b_before;
    const Glicko& after = black ? rec.a_after : rec.b_after;
    s->set_last_opponent(black ? white_name_ : black_name_);
    if (is_v2(c)) {
      over.board = black ? for_black : for_black.flipped_owner();
      s->send(over);
    } else if (!ok || end_.kind == EndKind::Abandoned) {
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
  over.board = for_black;
  to_watchers(over);
  for (Session* w : watchers_) w->v2().watching = 0;
  watchers_.clear();
}

// ---------------------------------------------------------------- spectating

bool GameRoom::add_watcher(Session& s) {
  if (watchers_.size() >= kMaxWatchers) return false;
  watchers_.push_back(&s);
  s.v2().watching = id_;
  proto::WatchStart m;
  m.game_id = wire_id();
  m.primary_name = proto::Str16(black_name_);
  m.primary_rating = black_rating_;
  m.secondary_name = proto::Str16(white_name_);
  m.secondary_rating = white_rating_;
  m.clock_kind = clock_.kind();
  m.base_ms = static_cast<uint32_t>(clock_.base().count());
  m.increment_ms = static_cast<uint32_t>(clock_.increment().count());
  m.ply = plies_;
  m.to_move = wire_colour(game_.side_to_move());
  m.board = board_for_viewer(game_.position(), Color::Black);
  m.primary_clock = clock_of(Color::Black);
  m.secondary_clock = clock_of(Color::White);
  m.watchers = static_cast<uint16_t>(watchers_.size());
  s.send(m);
  send_watcher_count();
  return true;
}

void GameRoom::remove_watcher(Session& s) {
  const auto it = std::find(watchers_.begin(), watchers_.end(), &s);
  if (it == watchers_.end()) return;
  watchers_.erase(it);
  s.v2().watching = 0;
  send_watcher_count();
}

void GameRoom::send_watcher_count() {
  if (phase_ != Phase::Playing) return;
  const proto::WatcherCount m{static_cast<uint16_t>(watchers_.size())};
  for (Color c : {Color::Black, Color::White})
    if (Session* s = player(c); s != nullptr && is_v2(c)) s->send(m);
  to_watchers(m);
}

template <class T>
void GameRoom::to_watchers(const T& m) {
  for (Session* w : watchers_) w->send(m);
}

proto::GameEntry GameRoom::entry() const {
  proto::GameEntry e;
  e.game_id = wire_id();
  e.primary_name = proto::Str16(black_name_);
  e.primary_rating = black_rating_;
  e.secondary_name = proto::Str16(white_name_);
  e.secondary_rating = white_rating_;
  e.ply = plies_;
  e.primary_clock = clock_of(Color::Black);
  e.secondary_clock = clock_of(Color::White);
  e.watchers = static_cast<uint16_t>(watchers_.size());
  return e;
}

}  // namespace checkers::server
