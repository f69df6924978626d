// Full-move and hop generation on bitboards, move execution and perft.
#include "game/movegen.hpp"

#include <bit>

#include "game/bitboard.hpp"

namespace checkers::game {
namespace {

// Enough for the legal hops of nearly every position: one allocation per legal_hops().
constexpr size_t kMaxHopsReserved = 16;

struct Sides {
  Color us;
  uint32_t own;
  uint32_t opp;
  uint32_t kings;
  uint32_t empty;
};

Sides sides_of(const Position& pos) {
  const Color us = pos.side_to_move();
  return Sides{us, pos.pieces(us), pos.pieces(opponent(us)), pos.kings(), pos.empty()};
}

bool may_move(const Sides& s, bool king, int d) { return king || bb::man_dir(s.us, d); }

// The pieces of `movers` that can jump in direction d.
uint32_t jumpers_in(const Sides& s, uint32_t movers, int d) {
  return bb::shift(bb::shift(s.empty, 3 - d) & s.opp, 3 - d) & movers;
}

// All pieces of the side to move that have a capture.
uint32_t all_jumpers(const Sides& s) {
  uint32_t r = 0;
  for (int d = 0; d < 4; ++d)
    r |= jumpers_in(s, bb::man_dir(s.us, d) ? s.own : (s.own & s.kings), d);
  return r;
}

// Can the piece on i (king or not) jump now, given the board in s (captured pieces removed)?
bool can_jump_from(const Sides& s, int i, bool king) {
  for (int d = 0; d < 4; ++d) {
    if (!may_move(s, king, d)) continue;
    const int land = bb::landing(i, d);
    if (land >= 0 && (s.opp & bb::bit(bb::neighbour(i, d))) && (s.empty & bb::bit(land)))
      return true;
  }
  return false;
}

// Depth-first search of capture sequences from i. Captured pieces stay on the board until
// the move ends (they cannot be jumped twice); the origin square counts as empty.
void capture_sequences(const Sides& s, int i, bool king, uint32_t captured, Move& m,
                       MoveList& out) {
  bool extended = false;
  for (int d = 0; d < 4; ++d) {
    if (!may_move(s, king, d)) continue;
    const int land = bb::landing(i, d);
    if (land < 0) continue;
    const uint32_t mid = bb::bit(bb::neighbour(i, d));
    if (!(s.opp & mid) || (captured & mid) || !(s.empty & bb::bit(land))) continue;
    extended = true;
    m.push(land);
    if (!king && (bb::crown_row(s.us) & bb::bit(land))) {  // crowning ends the move
      m.set_captured(captured | mid);
      out.push_back(m);
    } else {
      capture_sequences(s, land, king, captured | mid, m, out);
    }
    m.pop();
  }
  if (!extended && captured) {
    m.set_captured(captured);
    out.push_back(m);
  }
}

void generate_captures_from(Sides s, int i, MoveList& out) {
  s.empty |= bb::bit(i);  // the moving piece has left its square
  Move m;
  m.push(i);
  capture_sequences(s, i, (s.kings & bb::bit(i)) != 0, 0, m, out);
}

void generate_steps(const Sides& s, MoveList& out) {
  uint32_t movers = s.own;
  while (movers) {
    const int i = bb::pop_lsb(movers);
    const bool king = (s.kings & bb::bit(i)) != 0;
    for (int d = 0; d < 4; ++d) {
      if (!may_move(s, king, d)) continue;
      const int to = bb::neighbour(i, d);
      if (to < 0 || !(s.empty & bb::bit(to))) continue;
      Move m;
      m.push(i);
      m.push(to);
      out.push_back(m);
    }
  }
}

int count_steps(const Sides& s) {
  int n = 0;
  const uint32_t own_kings = s.own & s.kings;
  for (int d = 0; d < 4; ++d)
    n += std::popcount(bb::shift(bb::man_dir(s.us, d) ? s.own : own_kings, d) & s.empty);
  return n;
}

Hop make_hop(int from, int d, bool capture) {
  const int to = capture ? bb::landing(from, d) : bb::neighbour(from, d);
  return Hop{square_of_index(from), bb::kDx[static_cast<size_t>(d)],
             bb::kDy[static_cast<size_t>(d)], square_of_index(to), capture};
}

void capture_hops_from(const Sides& s, int i, std::vector<Hop>& out) {
  const bool king = (s.kings & bb::bit(i)) != 0;
  for (int d = 0; d < 4; ++d) {
    if (!may_move(s, king, d)) continue;
    const int land = bb::landing(i, d);
    if (land >= 0 && (s.opp & bb::bit(bb::neighbour(i, d))) && (s.empty & bb::bit(land)))
      out.push_back(make_hop(i, d, true));
  }
}

}  // namespace

int Move::capture_count() const { return std::popcount(captured_); }

bool operator==(const Move& a, const Move& b) {
  if (a.len_ != b.len_ || a.captured_ != b.captured_) return false;
  for (int i = 0; i < a.len_; ++i)
    if (a.path_[static_cast<size_t>(i)] != b.path_[static_cast<size_t>(i)]) return false;
  return true;
}

Hop Move::hop(int i) const {
  const Square a = square_of_index(index(i));
  const Square b = square_of_index(index(i + 1));
  return Hop{a, b.x > a.x ? 1 : -1, b.y > a.y ? 1 : -1, b, is_capture()};
}

std::vector<Hop> Move::hops() const {
  std::vector<Hop> out;
  for (int i = 0; i + 1 < len_; ++i) out.push_back(hop(i));
  return out;
}

std::string Move::to_pdn() const {
  std::string out;
  for (int i = 0; i < len_; ++i) {
    if (i > 0) out += is_capture() ? 'x' : '-';
    out += std::to_string(index(i) + 1);
  }
  return out;
}

void generate_moves(const Position& pos, MoveList& out) {
  out.clear();
  const Sides s = sides_of(pos);
  if (pos.continuing_index() >= 0) {
    if (s.own & bb::bit(pos.continuing_index()))
      generate_captures_from(s, pos.continuing_index(), out);
    return;
  }
  uint32_t jumpers = all_jumpers(s);
  if (jumpers) {
    while (jumpers) generate_captures_from(s, bb::pop_lsb(jumpers), out);
    return;
  }
  generate_steps(s, out);
}

int count_moves(const Position& pos) {
  const Sides s = sides_of(pos);
  if (pos.continuing_index() >= 0 || all_jumpers(s)) {
    MoveList list;
    generate_moves(pos, list);
    return static_cast<int>(list.size());
  }
  return count_steps(s);
}

bool has_capture(const Position& pos) {
  const Sides s = sides_of(pos);
  if (pos.continuing_index() >= 0) {
    const int i = pos.continuing_index();
    return (s.own & bb::bit(i)) && can_jump_from(s, i, (s.kings & bb::bit(i)) != 0);
  }
  return all_jumpers(s) != 0;
}

bool has_legal_move(const Position& pos) {
  if (pos.continuing_index() >= 0) return has_capture(pos);
  const Sides s = sides_of(pos);
  return all_jumpers(s) != 0 || count_steps(s) != 0;
}

Position play(const Position& pos, const Move& move) {
  const Color us = pos.side_to_move();
  const uint32_t from = bb::bit(move.from_index());
  const uint32_t to = bb::bit(move.to_index());
  uint32_t own = (pos.pieces(us) & ~from) | to;
  uint32_t opp = pos.pieces(opponent(us)) & ~move.captured();
  uint32_t kings = pos.kings() & ~move.captured();
  if (kings & from)
    kings = (kings & ~from) | to;
  else if (bb::crown_row(us) & to)
    kings |= to;
  return us == Color::Black ? Position::from_bitboards(own, opp, kings, opponent(us))
                            : Position::from_bitboards(opp, own, kings, opponent(us));
}

uint64_t perft(const Position& pos, int depth) {
  if (depth <= 0) return 1;
  if (depth == 1) return static_cast<uint64_t>(count_moves(pos));
  MoveList list;
  generate_moves(pos, list);
  uint64_t n = 0;
  for (const Move& m : list) n += perft(play(pos, m), depth - 1);
  return n;
}

std::vector<Hop> legal_hops(const Position& pos) {
  std::vector<Hop> out;
  legal_hops(pos, out);
  return out;
}

void legal_hops(const Position& pos, std::vector<Hop>& out) {
  out.clear();
  out.reserve(kMaxHopsReserved);
  const Sides s = sides_of(pos);
  if (pos.continuing_index() >= 0) {
    if (s.own & bb::bit(pos.continuing_index())) capture_hops_from(s, pos.continuing_index(), out);
    return;
  }
  uint32_t jumpers = all_jumpers(s);
  if (jumpers) {
    while (jumpers) capture_hops_from(s, bb::pop_lsb(jumpers), out);
    return;
  }
  MoveList steps;
  generate_steps(s, steps);
  for (const Move& m : steps) out.push_back(m.hop(0));
}

std::optional<Hop> find_hop(const Position& pos, Square from, int dx, int dy) {
  for (const Hop& h : legal_hops(pos))
    if (h.from == from && h.dx == dx && h.dy == dy) return h;
  return std::nullopt;
}

std::optional<Hop> forced_move(const Position& pos) {
  const std::vector<Hop> hops = legal_hops(pos);
  if (hops.size() != 1) return std::nullopt;
  return hops.front();
}

HopResult apply_hop(const Position& pos, const Hop& hop) {
  const Color us = pos.side_to_move();
  const int from_i = index_of(hop.from);
  const int to_i = index_of(hop.to);
  const uint32_t from = bb::bit(from_i), to = bb::bit(to_i);
  const bool king = (pos.kings() & from) != 0;
  uint32_t own = (pos.pieces(us) & ~from) | to;
  uint32_t opp = pos.pieces(opponent(us));
  uint32_t kings = pos.kings();
  if (hop.capture) {
    const uint32_t mid = bb::bit(bb::neighbour(from_i, bb::dir_of(hop.dx, hop.dy)));
    opp &= ~mid;
    kings &= ~mid;
  }
  HopResult r;
  r.captured = hop.capture;
  if (king) {
    kings = (kings & ~from) | to;
  } else if (bb::crown_row(us) & to) {
    kings |= to;
    r.crowned = true;
  }
  const uint32_t black = us == Color::Black ? own : opp;
  const uint32_t white = us == Color::Black ? opp : own;
  Position same_side = Position::from_bitboards(black, white, kings, us, to_i);
  r.turn_over = !(hop.capture && !r.crowned && has_capture(same_side));
  r.next = r.turn_over ? Position::from_bitboards(black, white, kings, opponent(us)) : same_side;
  return r;
}

}  // namespace checkers::game
