#include "client/game_record.hpp"

#include <bit>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace checkers::client {

using game::Color;
using game::Hop;
using game::Position;

namespace {

bool same_pieces(const Position& a, const Position& b) {
  return a.black() == b.black() && a.white() == b.white() && a.kings() == b.kings();
}

bool same_hop(const Hop& a, const Hop& b) {
  return a.from == b.from && a.dx == b.dx && a.dy == b.dy;
}

// Pieces only disappear and men only become kings: a position with fewer pieces or men
// of a colour than `after` cannot lead there.
bool can_reach(const Position& p, const Position& after) {
  for (Color c : {Color::Black, Color::White}) {
    if (std::popcount(p.pieces(c)) < std::popcount(after.pieces(c))) return false;
    if (std::popcount(p.pieces(c) & ~p.kings()) < std::popcount(after.pieces(c) & ~after.kings()))
      return false;
  }
  return true;
}

// Depth-first search for hop sequences with exactly max_turns turn changes before the named hop.
class Explainer {
 public:
  Explainer(const Position& after, const Hop& named, size_t limit, int max_turns)
      : after_(after), named_(named), limit_(limit), max_turns_(max_turns) {}

  std::vector<std::vector<Hop>> run(const Position& from) {
    dfs(from, 0);
    return std::move(found_);
  }

 private:
  static constexpr size_t kMaxNodes = 200000;
  static constexpr size_t kMaxHops = 26;

  void dfs(const Position& pos, int turns) {
    if (found_.size() >= limit_ || ++nodes_ > kMaxNodes || path_.size() >= kMaxHops) return;
    for (const Hop& hop : game::legal_hops(pos)) {
      const game::HopResult r = game::apply_hop(pos, hop);
      if (!can_reach(r.next, after_)) continue;
      path_.push_back(hop);
      if (turns == max_turns_ && same_hop(hop, named_) && same_pieces(r.next, after_))
        found_.push_back(path_);
      const int t = turns + (r.turn_over ? 1 : 0);
      if (t <= max_turns_) dfs(r.next, t);
      path_.pop_back();
      if (found_.size() >= limit_) return;
    }
  }

  const Position& after_;
  Hop named_;
  size_t limit_;
  int max_turns_;
  size_t nodes_ = 0;
  std::vector<Hop> path_;
  std::vector<std::vector<Hop>> found_;
};

}  // namespace

std::vector<std::vector<Hop>> explain_boards(const Position& from, const Position& after,
                                             const Hop& named, size_t limit) {
  // Our own finished ply, the opponent's hidden ply, then the named hop: at most two turn changes.
  for (int turns = 0; turns <= 2; ++turns) {
    auto found = Explainer(after, named, limit, turns).run(from);
    if (!found.empty()) return found;
  }
  return {};
}

std::string Ply::pdn() const {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += capture() ? 'x' : '-';
    out += std::to_string(game::pdn_of(path[i]));
  }
  return out;
}

std::string Ply::description() const {
  std::string out = pdn();
  if (captured > 1) out += fmt::format(" ({} captured)", captured);
  if (crowned) out += ", crowned";
  if (ambiguous) out += " (rebuilt from the boards; another move fits too)";
  if (approximate) out += " (as the server reported it)";
  return out;
}

GameRecord::GameRecord(Position start, int first_move) : game_(start), first_move_(first_move) {
  game_.play_on_after_draws();
}

int GameRecord::move_number() const {
  int number = first_move_;
  for (const Ply& p : plies_)
    if (p.mover == Color::White && p.complete) ++number;
  return number;
}

bool GameRecord::play_own(const Hop& hop) {
  if (!game::find_hop(position(), hop.from, hop.dx, hop.dy)) return false;
  if (!before_own_) before_own_ = Snapshot{game_, plies_, last_hop_};
  Observation ignored;
  apply(hop, false, false, false, ignored);
  return true;
}

void GameRecord::revert_own() {
  if (!before_own_) return;
  game_ = before_own_->game;
  plies_ = before_own_->plies;
  last_hop_ = before_own_->last_hop;
  before_own_.reset();
}

void GameRecord::apply(const Hop& hop, bool forced, bool reconstructed, bool ambiguous,
                       Observation& obs) {
  const Color mover = position().side_to_move();
  const std::optional<game::HopResult> r = game_.play(hop.from, hop.dx, hop.dy);
  if (!r) return;
  if (plies_.empty() || plies_.back().complete || plies_.back().mover != mover) {
    if (!plies_.empty()) plies_.back().complete = true;
    Ply ply;
    ply.mover = mover;
    ply.path.push_back(hop.from);
    ply.forced = forced;
    ply.reconstructed = reconstructed;
    plies_.push_back(ply);
  }
  Ply& ply = plies_.back();
  ply.path.push_back(hop.to);
  ply.captured += r->captured ? 1 : 0;
  ply.crowned = ply.crowned || r->crowned;
  ply.ambiguous = ply.ambiguous || ambiguous;
  if (r->turn_over) {
    ply.complete = true;
    obs.completed.push_back(plies_.size() - 1);
  }
  last_hop_ = hop;
}

Position GameRecord::position_after(const std::vector<Hop>& hops) const {
  game::Game g = game_;
  for (const Hop& h : hops)
    if (!g.play(h.from, h.dx, h.dy)) break;
  return g.position();
}

GameRecord::Observation GameRecord::observe_move(const std::vector<Hop>& hops, bool forced,
                                                 const Position& after) {
  Observation obs;
  if (before_own_ && same_pieces(position(), after)) {
    before_own_.reset();  // the server played the move we show
    return obs;
  }
  if (before_own_) revert_own();  // something else happened: the server's move wins
  for (size_t i = 0; i < hops.size(); ++i) {
    if (!game::find_hop(position(), hops[i].from, hops[i].dx, hops[i].dy)) break;
    apply(hops[i], forced, false, false, obs);
  }
  if (!same_pieces(position(), after)) {
    spdlog::warn("the server's board after its move differs from the rules' one; following it");
    const Observation fixed = resync(after);
    obs.disagreed = true;
    obs.completed.insert(obs.completed.end(), fixed.completed.begin(), fixed.completed.end());
  }
  return obs;
}

GameRecord::Observation GameRecord::observe(const Hop& named, const Position& after, bool forced,
                                            std::optional<Color> to_move) {
  Observation obs;
  // Nothing moved: the server confirms the hop we already show, or ends the game without
  // a move (a turn timeout's GameOver names the last hop, or the first-turn sentinel).
  if (same_pieces(position(), after) && (!to_move || *to_move == position().side_to_move())) {
    before_own_.reset();
    return obs;
  }
  auto found = explain_boards(position(), after, named);
  if (found.empty() && plies_.empty()) {
    // A server that starts from another position: if the first hop named was a step,
    // the position before it is that step taken back.
    const game::Square landing{named.from.x + named.dx, named.from.y + named.dy};
    const game::Piece moved = after.piece_at(landing);
    if (moved != game::Piece::None && after.piece_at(named.from) == game::Piece::None) {
      const Position before = after.with_piece(landing, game::Piece::None)
                                  .with_piece(named.from, moved)
                                  .with_side_to_move(game::color_of(moved));
      found = explain_boards(before, after, named);
      if (!found.empty()) {
        spdlog::warn("the game starts from another position than the standard one: {}",
                     before.to_fen());
        game_ = game::Game(before);
        game_.play_on_after_draws();
      }
    }
  }
  if (found.empty()) {
    take_server_board(after, named, to_move, obs);
    return obs;
  }
  before_own_.reset();
  obs.ambiguous = found.size() > 1;
  const std::vector<Hop>& hops = found.front();
  for (size_t i = 0; i < hops.size(); ++i) {
    const bool last = i + 1 == hops.size();
    apply(hops[i], forced && last, !last, obs.ambiguous && !last, obs);
  }
  if (to_move && *to_move != position().side_to_move()) {
    spdlog::warn(
        "the server gives the turn to {} where the rules give it to {}; following the server",
        *to_move == Color::Black ? "Black" : "White",
        position().side_to_move() == Color::Black ? "Black" : "White");
    resync(after.with_side_to_move(*to_move));
  }
  return obs;
}

void GameRecord::take_server_board(const Position& server, const Hop& named,
                                   std::optional<Color> to_move, Observation& obs) {
  obs.disagreed = true;
  before_own_.reset();
  spdlog::warn(
      "the server's board differs from the game record (its rules differ?): record {}, server {}; "
      "following the server",
      position().to_fen(), server.to_fen());
  // The named hop is all we know: a step lands next to its origin, a jump two squares away.
  Ply ply;
  ply.path.push_back(named.from);
  const game::Square step{named.from.x + named.dx, named.from.y + named.dy};
  const game::Square jump{named.from.x + 2 * named.dx, named.from.y + 2 * named.dy};
  game::Square landing = step;
  if (server.piece_at(step) == game::Piece::None && server.piece_at(jump) != game::Piece::None)
    landing = jump;
  ply.path.push_back(landing);
  const game::Piece moved = server.piece_at(landing);
  ply.mover = moved == game::Piece::None ? position().side_to_move() : game::color_of(moved);
  // Before the first ply the record only assumed the standard start: nothing to compare.
  if (!plies_.empty()) {
    ply.captured = std::max(
        0, position().count(game::opponent(ply.mover)) - server.count(game::opponent(ply.mover)));
    ply.crowned = !game::is_king(position().piece_at(named.from)) && game::is_king(moved);
  }
  ply.approximate = true;
  ply.complete = true;
  if (!plies_.empty()) plies_.back().complete = true;
  plies_.push_back(ply);
  obs.completed.push_back(plies_.size() - 1);
  last_hop_ = named;
  game_ = game::Game(
      server.without_continuation().with_side_to_move(to_move.value_or(game::opponent(ply.mover))));
  game_.play_on_after_draws();
}

GameRecord::Observation GameRecord::resync(const Position& server) {
  Observation obs;
  if (!same_pieces(position(), server) || position().side_to_move() != server.side_to_move()) {
    obs.disagreed = !same_pieces(position(), server);
    if (obs.disagreed)
      spdlog::warn(
          "the server's board differs from the game record: record {}, server {}; following the "
          "server",
          position().to_fen(), server.to_fen());
    if (!plies_.empty()) plies_.back().complete = true;
    game_ = game::Game(server);
    game_.play_on_after_draws();
  }
  return obs;
}

std::string GameRecord::move_list(size_t last_moves) const {
  std::vector<std::string> moves;
  int number = first_move_;
  bool black_open = false;
  for (const Ply& p : plies_) {
    if (p.mover == Color::Black) {
      moves.push_back(fmt::format("{}. {}", number, p.pdn()));
      black_open = true;
    } else {
      if (black_open)
        moves.back() += " " + p.pdn();
      else
        moves.push_back(fmt::format("{}. ... {}", number, p.pdn()));
      black_open = false;
      ++number;
    }
  }
  const size_t first =
      last_moves == 0 || moves.size() <= last_moves ? 0 : moves.size() - last_moves;
  std::string out;
  for (size_t i = first; i < moves.size(); ++i) {
    if (!out.empty()) out += "  ";
    out += moves[i];
  }
  return out;
}

}  // namespace checkers::client
