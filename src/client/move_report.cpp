#include "client/move_report.hpp"

#include <bit>
#include <functional>

#include "client/board_adapter.hpp"
#include "client/notation.hpp"
#include "game/movegen.hpp"

namespace checkers::client {

using game::Color;
using game::Hop;
using game::Position;
using game::Square;

namespace {

bool same_pieces(const Position& a, const Position& b) {
  return a.black() == b.black() && a.white() == b.white() && a.kings() == b.kings();
}

// Depth-first search for the mover's hop sequence from `before` that ends with the named
// hop and gives exactly `after` (our server's hop-by-hop rules).
bool rebuild(const Position& pos, const Position& after, const proto::Move& last,
             std::vector<Hop>& hops, bool& crowned) {
  for (const Hop& hop : game::legal_hops(pos)) {
    const game::HopResult r = game::apply_hop(pos, hop);
    hops.push_back(hop);
    const bool is_last = hop.from == Square{last.x, last.y} && hop.dx == last.dx && hop.dy == last.dy;
    if (is_last && same_pieces(r.next, after)) {
      crowned = r.crowned;
      return true;
    }
    if (!r.turn_over && rebuild(r.next, after, last, hops, crowned)) return true;
    hops.pop_back();
  }
  return false;
}

}  // namespace

std::optional<Square> landing_square(const proto::Board& after, const proto::Move& last) {
  const Square step{last.x + last.dx, last.y + last.dy};
  const Square jump{last.x + 2 * last.dx, last.y + 2 * last.dy};
  if (game::on_board(step) && after.at(step.x, step.y) != proto::Code::Empty) return step;
  if (game::on_board(jump) && after.at(jump.x, jump.y) != proto::Code::Empty) return jump;
  return std::nullopt;
}

MoveReport reconstruct_move(const proto::Board& before, const proto::Board& after,
                            const proto::Move& last, Color me) {
  MoveReport report;
  const Square from{last.x, last.y};
  const auto landing = landing_square(after, last);
  report.mover = owner_at(before, from, me);
  if (!report.mover && landing) report.mover = owner_at(after, *landing, me);
  if (!report.mover) return report;
  const Color mover = *report.mover;
  const Position p_before = to_position(before, me, mover);
  const Position p_after = to_position(after, me, mover);
  report.captured = std::popcount(p_before.pieces(game::opponent(mover))) -
                    std::popcount(p_after.pieces(game::opponent(mover)));
  report.capture = report.captured > 0;

  std::vector<Hop> hops;
  bool crowned = false;
  if (rebuild(p_before, p_after, last, hops, crowned)) {
    report.path.push_back(hops.front().from);
    for (const Hop& h : hops) report.path.push_back(h.to);
    report.crowned = crowned;
    report.exact = true;
    return report;
  }
  // Rules we do not model (the reference server's): report the named hop only.
  report.path.push_back(from);
  if (landing) {
    report.path.push_back(*landing);
    const auto before_code = static_cast<unsigned>(before.at(from.x, from.y));
    const auto after_code = static_cast<unsigned>(after.at(landing->x, landing->y));
    report.crowned = (before_code & 4u) != 0 && (before_code & 2u) == 0 && (after_code & 2u) != 0;
  }
  return report;
}

std::string describe_move(const MoveReport& report) {
  if (report.path.size() < 2) return "a move that could not be read from the board";
  std::string out = path_text(report.path, report.capture);
  if (report.captured == 1) out += ", capturing 1 piece";
  if (report.captured > 1) out += ", capturing " + std::to_string(report.captured) + " pieces";
  if (report.crowned) out += ", and crowned a king";
  return out;
}

}  // namespace checkers::client
