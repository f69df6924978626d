#include "client/game_tracker.hpp"

#include "client/board_adapter.hpp"

#include <cstdlib>

namespace checkers::client {

using game::Color;

const char* to_string(GameOutcome::Result r) {
  switch (r) {
    case GameOutcome::Result::Win: return "win";
    case GameOutcome::Result::Loss: return "loss";
    case GameOutcome::Result::Draw: return "draw";
    case GameOutcome::Result::OpponentLeft: return "opponent left";
    case GameOutcome::Result::Resigned: return "resigned";
  }
  return "?";
}

void GameTracker::begin(const proto::GameStart& start) {
  clear();
  in_game_ = true;
  opponent_ = start.opponent_name.str();
  opponent_rating_ = start.opponent_rating;
}

void GameTracker::count_mover(Color mover) {
  if (last_mover_ != mover) ++plies_;
  last_mover_ = mover;
}

std::optional<MoveReport> GameTracker::observe(const proto::Board& board, const proto::Move& move,
                                               proto::MsgType kind) {
  const bool your_turn = kind == proto::MsgType::YourTurn;
  const bool sentinel = your_turn && move == proto::kFirstTurnSentinel && !board_;
  if (!me_) me_ = infer_my_color(board, sentinel);
  // A rejected hop leaves everything as it was, a continuing capture included.
  if (kind != proto::MsgType::InvalidMove) continuing_.reset();
  std::optional<MoveReport> report;
  if (!sentinel && kind != proto::MsgType::InvalidMove) {
    // White's first board follows Black's first move from the standard start.
    const proto::Board before =
        report_base_ ? *report_base_ : board_ ? *board_ : to_board(game::Position::start(), *me_);
    report = reconstruct_move(before, board, move, *me_);
    // Our forced reply arrives on the board after the opponent's move, which we never
    // saw on its own: when our hops alone do not explain the change, count theirs too.
    if (kind == proto::MsgType::CompulsoryMove && report->mover == me_ && !report->exact &&
        last_mover_ == me_)
      count_mover(game::opponent(*me_));
    if (report->mover) count_mover(*report->mover);
    if (your_turn && report->mover == me_) {
      // Our own capture named in YourTurn: we go on capturing with that piece.
      const auto landing = landing_square(board, move);
      if (landing && std::abs(landing->x - move.x) == 2) {
        const auto pos = to_position(board, *me_, *me_, *landing);
        if (!game::legal_hops(pos).empty()) continuing_ = *landing;
      }
    }
  }
  board_ = board;
  report_base_.reset();
  if (your_turn && !continuing_) ++my_turns_;
  return report;
}

void GameTracker::sent(const game::Hop& hop) {
  if (!board_ || !me_) return;
  const game::Position pos = my_position();
  if (!game::find_hop(pos, hop.from, hop.dx, hop.dy)) return;
  const auto result = game::apply_hop(pos, hop);
  report_base_ = to_board(result.next, *me_);
  count_mover(*me_);
}

game::Position GameTracker::my_position() const {
  const Color me = me_.value_or(Color::Black);
  if (!board_) return game::Position{};
  return to_position(*board_, me, me, continuing_);
}

GameOutcome GameTracker::finish(const proto::GameOver& over) {
  GameOutcome out;
  out.opponent = opponent_;
  out.moves = plies_;
  out.old_rating = over.old_rating;
  out.new_rating = over.new_rating;
  if (over.won()) {
    out.result = GameOutcome::Result::Win;
  } else {
    // v1 has no draw flag: a game lost on the board leaves us without a legal move.
    const Color me = me_.value_or(Color::Black);
    const bool can_move = game::has_legal_move(to_position(over.board, me, me));
    out.result = can_move ? GameOutcome::Result::Draw : GameOutcome::Result::Loss;
  }
  in_game_ = false;
  return out;
}

GameOutcome GameTracker::finish_opponent_left() {
  GameOutcome out;
  out.result = GameOutcome::Result::OpponentLeft;
  out.opponent = opponent_;
  out.moves = plies_;
  in_game_ = false;
  return out;
}

GameOutcome GameTracker::finish_resigned() {
  GameOutcome out = finish_opponent_left();
  out.result = GameOutcome::Result::Resigned;
  return out;
}

}  // namespace checkers::client
