#include "client/game_tracker.hpp"

#include "client/board_adapter.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace checkers::client {

using game::Color;

const char* to_string(GameOutcome::Result r) {
  switch (r) {
    case GameOutcome::Result::Win:
      return "win";
    case GameOutcome::Result::Loss:
      return "loss";
    case GameOutcome::Result::Draw:
      return "draw";
    case GameOutcome::Result::OpponentLeft:
      return "opponent left";
    case GameOutcome::Result::Resigned:
      return "resigned";
    case GameOutcome::Result::Unfinished:
      return "draw (not ended by the server)";
  }
  return "?";
}

void GameTracker::begin(const proto::GameStart& start) {
  clear();
  in_game_ = true;
  opponent_ = start.opponent_name.str();
  opponent_rating_ = start.opponent_rating;
}

void GameTracker::begin(const proto::GameStart2& start) {
  clear();
  in_game_ = true;
  opponent_ = start.opponent_name.str();
  opponent_rating_ = start.opponent_rating;
  me_ = start.colour == proto::Colour::Primary ? Color::Black : Color::White;
  first_board_seen_ = true;
}

void GameTracker::watch(const proto::WatchStart& start) {
  clear();
  watched_ = true;
  me_ = Color::Black;
  first_board_seen_ = true;
  black_name_ = start.primary_name.str();
  white_name_ = start.secondary_name.str();
  black_rating_ = start.primary_rating;
  white_rating_ = start.secondary_rating;
  const Color to_move = start.to_move == proto::Colour::Primary ? Color::Black : Color::White;
  record_ = GameRecord(to_position(start.board, Color::Black, to_move), start.ply / 2 + 1);
}

std::string GameTracker::name_of(Color c) const {
  if (watched_) return c == Color::Black ? black_name_ : white_name_;
  return me_ == c ? "you" : opponent_;
}

uint32_t GameTracker::rating_of(Color c) const {
  if (watched_) return c == Color::Black ? black_rating_ : white_rating_;
  return me_ == c ? 0 : opponent_rating_;
}

namespace {

// A v2 path as the hops that play it (a jump's direction points at the captured piece).
std::vector<game::Hop> hops_of(const proto::Path& path) {
  std::vector<game::Hop> hops;
  for (size_t i = 0; i + 1 < path.count && i + 1 < proto::Path::kMaxSquares; ++i) {
    const game::Square from{path.x(i), path.y(i)};
    const game::Square to{path.x(i + 1), path.y(i + 1)};
    const int dx = to.x > from.x ? 1 : -1;
    const int dy = to.y > from.y ? 1 : -1;
    hops.push_back(game::Hop{from, dx, dy, to, std::abs(to.x - from.x) == 2});
  }
  return hops;
}

}  // namespace

GameRecord::Observation GameTracker::moved(const proto::MoveMade& m) {
  const Color me = me_.value_or(Color::Black);
  return record_.observe_move(hops_of(m.path), m.forced != 0, to_position(m.board, me, me));
}

void GameTracker::replay_move(const proto::Path& path) {
  const std::vector<game::Hop> hops = hops_of(path);
  // Played as a whole move: the record's position after it is the rules' one.
  record_.observe_move(hops, false, record_.position_after(hops));
}

void GameTracker::refused(const proto::InvalidMove2& m) {
  record_.revert_own();
  const Color me = me_.value_or(Color::Black);
  record_.resync(to_position(m.board, me, me));
}

void GameTracker::presume_white() {
  if (me_) return;
  me_ = Color::White;
  me_presumed_ = true;
}

GameRecord::Observation GameTracker::observe(const proto::Board& board, const proto::Move& move,
                                             proto::MsgType kind) {
  const bool your_turn = kind == proto::MsgType::YourTurn;
  const bool sentinel = your_turn && move == proto::kFirstTurnSentinel && !first_board_seen_;
  if (!first_board_seen_ && (!me_ || me_presumed_)) me_ = infer_my_color(board, sentinel, move);
  first_board_seen_ = true;
  me_presumed_ = false;
  const Color me = *me_;
  if (sentinel) return record_.resync(to_position(board, me, me));
  if (kind == proto::MsgType::InvalidMove) {
    record_.revert_own();
    const auto cont = record_.position().continuing_piece();
    return record_.resync(to_position(board, me, me, cont));
  }
  const game::Square from{move.x, move.y};
  const game::Hop named{from, move.dx, move.dy, {from.x + move.dx, from.y + move.dy}, false};
  return record_.observe(named, to_position(board, me, me), kind == proto::MsgType::CompulsoryMove,
                         your_turn ? std::optional<Color>(me) : std::nullopt);
}

GameRecord::Observation GameTracker::sent(const game::Hop& hop) {
  GameRecord::Observation obs;
  const size_t before = record_.plies().size();
  const bool was_open = before > 0 && !record_.plies().back().complete;
  if (!record_.play_own(hop)) return obs;
  const auto& plies = record_.plies();
  if (!plies.empty() && plies.back().complete && (plies.size() > before || was_open))
    obs.completed.push_back(plies.size() - 1);
  return obs;
}

game::Position GameTracker::my_position() const {
  const game::Position& pos = record_.position();
  const Color me = me_.value_or(Color::Black);
  return pos.side_to_move() == me ? pos : pos.without_continuation().with_side_to_move(me);
}

bool GameTracker::continuation() const {
  return my_turn() && record_.position().continuing_piece().has_value();
}

std::optional<proto::Board> GameTracker::display_board() const {
  if (!me_) return std::nullopt;
  return to_board(record_.position(), *me_);
}

GameOutcome GameTracker::outcome(GameOutcome::Result r) const {
  GameOutcome out;
  out.result = r;
  out.opponent = opponent_;
  out.moves = record_.move_number() -
              (record_.plies().empty() || record_.plies().back().mover == Color::White ? 1 : 0);
  return out;
}

GameOutcome GameTracker::finish(const proto::GameOver& over) {
  const Color me = me_.value_or(Color::Black);
  const game::Position& pos = record_.position();
  const game::GameStatus st = record_.status();
  GameOutcome out = outcome(GameOutcome::Result::Loss);
  out.old_rating = over.old_rating;
  out.new_rating = over.new_rating;
  auto blocked = [&](Color c, const std::string& who, const std::string& has) {
    return pos.count(c) == 0 ? who + " " + has + " no pieces left" : who + " cannot move";
  };
  if (over.won()) {
    out.result = GameOutcome::Result::Win;
    if (st.kind == game::GameStatus::Win && st.winner == me)
      out.cause = blocked(game::opponent(me), opponent_, "has");
    else if (pos.side_to_move() != me)
      out.cause = opponent_ + " did not move in time";
    else
      out.cause = "the server ended the game";
  } else if (st.kind == game::GameStatus::Win && st.winner != me) {
    out.cause = blocked(me, "you", "have");
  } else if (st.kind == game::GameStatus::Draw) {
    out.result = GameOutcome::Result::Draw;
    out.cause = st.reason == game::GameStatus::Repetition
                    ? "the same position came three times"
                    : "40 moves each without a capture or a man's move";
  } else if (game::has_legal_move(my_position())) {
    // v1 has no draw flag: a lost game leaves us without a move; this one did not.
    out.result = GameOutcome::Result::Draw;
    out.cause = "the server declared the game drawn";
  } else {
    out.cause = "you cannot move";
  }
  in_game_ = false;
  return out;
}

GameOutcome GameTracker::finish(const proto::GameOver2& over) {
  const Color me = me_.value_or(Color::Black);
  const bool primary = me == Color::Black;
  GameOutcome out = outcome(GameOutcome::Result::Draw);
  out.reason = over.reason;
  out.old_rating = primary ? over.primary_old : over.secondary_old;
  out.new_rating = primary ? over.primary_new : over.secondary_new;
  out.ratings = GameOutcome::Ratings{over.primary_old, over.primary_new, over.secondary_old,
                                     over.secondary_new};
  if (over.winner == proto::Winner::Primary) out.winner = Color::Black;
  if (over.winner == proto::Winner::Secondary) out.winner = Color::White;
  if (out.winner)
    out.result = *out.winner == me ? GameOutcome::Result::Win : GameOutcome::Result::Loss;
  if (over.winner == proto::Winner::NoResult) out.result = GameOutcome::Result::Unfinished;
  // The side the reason is about: the loser (for a watcher both are named).
  const Color loser = out.winner ? game::opponent(*out.winner) : me;
  const bool loser_is_me = !watched_ && loser == me;
  const std::string who = name_of(loser);
  switch (over.reason) {
    case proto::EndReason::NoPieces:
      out.cause = who + (loser_is_me ? " have" : " has") + " no pieces left";
      break;
    case proto::EndReason::NoLegalMove:
      out.cause = who + " cannot move";
      break;
    case proto::EndReason::Resignation:
      out.cause = who + " resigned";
      if (loser_is_me) out.result = GameOutcome::Result::Resigned;
      break;
    case proto::EndReason::Time:
      out.cause = who + " ran out of time";
      break;
    case proto::EndReason::PlayerLeft:
      out.cause = who + " left the game";
      if (!watched_ && out.winner == me) out.result = GameOutcome::Result::OpponentLeft;
      break;
    case proto::EndReason::DrawAgreed:
      out.cause = "draw agreed";
      break;
    case proto::EndReason::Repetition:
      out.cause = "the same position came three times";
      break;
    case proto::EndReason::FortyMoveRule:
      out.cause = "40 moves each without a capture or a man's move";
      break;
    case proto::EndReason::ServerShutdown:
      out.cause = "the server is shutting down (not rated)";
      break;
    default:
      out.cause =
          fmt::format("the server ended the game (reason {})", static_cast<unsigned>(over.reason));
  }
  const game::Position server = to_position(over.board, me, record_.position().side_to_move());
  if (server.black() != record_.position().black() || server.white() != record_.position().white())
    record_.resync(server);
  in_game_ = false;
  return out;
}

GameOutcome GameTracker::finish_opponent_left() {
  in_game_ = false;
  GameOutcome out = outcome(GameOutcome::Result::OpponentLeft);
  out.cause = opponent_ + " left the game";
  return out;
}

GameOutcome GameTracker::finish_resigned() {
  in_game_ = false;
  GameOutcome out = outcome(GameOutcome::Result::Resigned);
  out.cause = "you resigned";
  return out;
}

GameOutcome GameTracker::finish_unended() {
  in_game_ = false;
  GameOutcome out = outcome(GameOutcome::Result::Unfinished);
  out.cause = record_.status().reason == game::GameStatus::Repetition
                  ? "the same position came three times"
                  : "40 moves each without a capture or a man's move";
  return out;
}

}  // namespace checkers::client
