#include "bench/hop_picker.hpp"

namespace checkers::bench {
namespace {

using proto::Board;
using proto::Code;

bool on_board(int x, int y) { return x >= 0 && x < 8 && y >= 0 && y < 8; }
bool own(Code c) { return c == Code::OwnMan || c == Code::OwnKing; }
bool opponent(Code c) { return c == Code::OpponentMan || c == Code::OpponentKing; }
int forward_dy(Side side) { return side == Side::Primary ? -1 : +1; }

// Appends the hops of the piece on (x, y): captures when `captures_only`, else steps.
void piece_hops(const Board& b, Side side, int x, int y, bool captures_only, HopList& out) {
  const Code c = b.at(x, y);
  const bool king = c == Code::OwnKing;
  for (int dy : {-1, +1}) {
    if (!king && dy != forward_dy(side)) continue;
    for (int dx : {-1, +1}) {
      const int nx = x + dx, ny = y + dy;
      if (!on_board(nx, ny)) continue;
      const Code n = b.at(nx, ny);
      bool legal = false;
      if (captures_only) {
        const int lx = nx + dx, ly = ny + dy;
        legal = opponent(n) && on_board(lx, ly) && b.at(lx, ly) == Code::Empty;
      } else {
        legal = n == Code::Empty;
      }
      if (legal && out.size < out.hops.size())
        out.hops[out.size++] = proto::Move{static_cast<uint8_t>(x), static_cast<uint8_t>(y),
                                           static_cast<int8_t>(dx), static_cast<int8_t>(dy)};
    }
  }
}

}  // namespace

void legal_hops(const Board& board, Side side, Square8 continuing, HopList& out) {
  out.size = 0;
  out.captures = true;
  if (continuing.valid()) {
    if (own(board.at(continuing.x, continuing.y)))
      piece_hops(board, side, continuing.x, continuing.y, true, out);
    return;
  }
  for (int x = 0; x < 8; ++x)
    for (int y = (x & 1); y < 8; y += 2)
      if (own(board.at(x, y))) piece_hops(board, side, x, y, true, out);
  if (out.size != 0) return;
  out.captures = false;
  for (int x = 0; x < 8; ++x)
    for (int y = (x & 1); y < 8; y += 2)
      if (own(board.at(x, y))) piece_hops(board, side, x, y, false, out);
}

Square8 continuing_piece(const Board& board, Side side, proto::Move m) {
  const int nx = m.x + m.dx, ny = m.y + m.dy;
  const int lx = nx + m.dx, ly = ny + m.dy;
  if (!on_board(lx, ly) || board.at(nx, ny) != Code::Empty || !own(board.at(lx, ly)) ||
      board.at(m.x, m.y) != Code::Empty)
    return {};
  HopList again;
  piece_hops(board, side, lx, ly, true, again);
  if (again.size == 0) return {};
  return Square8{static_cast<int8_t>(lx), static_cast<int8_t>(ly)};
}

std::optional<proto::Move> pick_hop(const Board& board, Side side, Square8 continuing, Rng& rng) {
  HopList list;
  legal_hops(board, side, continuing, list);
  if (list.size == 0) return std::nullopt;
  return list.hops[rng.below(static_cast<uint32_t>(list.size))];
}

}  // namespace checkers::bench
