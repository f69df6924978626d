// The referee: hop-by-hop play, turn boundaries, and the end-of-game rules.
#include "game/game.hpp"

#include <algorithm>

namespace checkers::game {

Game::Game(Position start) : pos_(start) {
  if (!pos_.continuing_piece()) since_irreversible_.push_back(pos_);
  update_status();
}

const std::vector<Hop>& Game::legal_hops() const {
  static const std::vector<Hop> kNone;
  return over() ? kNone : legal_;
}

std::optional<Hop> Game::forced_move() const {
  if (over() || legal_.size() != 1) return std::nullopt;
  return legal_.front();
}

std::optional<HopResult> Game::play(Square from, int dx, int dy) {
  if (status_.kind == GameStatus::Win || (over() && !play_on_after_draws_)) return std::nullopt;
  const auto found = std::find_if(legal_.begin(), legal_.end(), [&](const Hop& h) {
    return h.from == from && h.dx == dx && h.dy == dy;
  });
  if (found == legal_.end()) return std::nullopt;
  const Hop hop = *found;  // legal_ changes below
  const bool man = !is_king(pos_.piece_at(from));
  const HopResult r = apply_hop(pos_, hop);
  ++hops_;
  if (turn_.empty()) turn_.push(index_of(hop.from));
  turn_.push(index_of(hop.to));
  if (hop.capture)
    turn_.set_captured(turn_.captured() |
                       (uint32_t{1} << index_of(Square{hop.from.x + hop.dx, hop.from.y + hop.dy})));
  turn_irreversible_ = turn_irreversible_ || man || hop.capture;
  pos_ = r.next;
  if (r.turn_over)
    end_turn(turn_irreversible_);
  else
    update_status();
  return r;
}

void Game::end_turn(bool irreversible) {
  ++turns_;
  moves_.push_back(turn_);
  turn_ = Move();
  if (irreversible) {
    // No earlier position can recur after a capture or a man move.
    since_irreversible_.clear();
    quiet_ = 0;
  } else {
    ++quiet_;
  }
  since_irreversible_.push_back(pos_);
  turn_irreversible_ = false;
  update_status();
}

void Game::update_status() {
  status_ = GameStatus{};
  game::legal_hops(pos_, legal_);
  if (legal_.empty()) {
    status_.kind = GameStatus::Win;
    status_.winner = opponent(pos_.side_to_move());
    status_.reason = GameStatus::NoLegalMove;
    return;
  }
  if (pos_.continuing_piece()) return;  // draws are only judged at turn boundaries
  if (std::count(since_irreversible_.begin(), since_irreversible_.end(), pos_) >= 3) {
    status_.kind = GameStatus::Draw;
    status_.reason = GameStatus::Repetition;
  } else if (quiet_ >= kQuietTurnLimit) {
    status_.kind = GameStatus::Draw;
    status_.reason = GameStatus::FortyMoveRule;
  }
}

}  // namespace checkers::game
