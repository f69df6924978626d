// Vocabulary of the rules engine: sides, squares in protocol coordinates, pieces, and the
// mapping between protocol (x, y), PDN square numbers 1-32 and the engine's 0-31 bit index.
//
// Mapping (see docs/RULES.md for the diagram): x is the file (a..h -> 0..7) and y the rank
// minus one (1..8 -> 0..7), so (0,0) is a1, White's single corner, PDN 29. PDN numbers run
// along ranks from Black's back rank (y = 7: squares 1-4 at x = 1,3,5,7) to White's back rank
// (y = 0: squares 29-32 at x = 0,2,4,6). The internal index is PDN - 1.
#pragma once

#include <cstdint>

namespace checkers::game {

// Black moves first: it is the protocol's primary player (men on y = 5..7, moving towards y = 0).
enum class Color : uint8_t { Black, White };

constexpr Color opponent(Color c) { return c == Color::Black ? Color::White : Color::Black; }

// A square in protocol coordinates; playable (dark) iff x + y is even.
struct Square {
  int x = 0;
  int y = 0;
  friend constexpr bool operator==(Square, Square) = default;
};

constexpr bool on_board(Square s) { return s.x >= 0 && s.x < 8 && s.y >= 0 && s.y < 8; }
constexpr bool is_playable(Square s) { return on_board(s) && (s.x + s.y) % 2 == 0; }

// Internal bit index 0..31 of a playable square, or -1 for any other square.
constexpr int index_of(Square s) {
  if (!is_playable(s)) return -1;
  return (7 - s.y) * 4 + s.x / 2;
}

// Inverse of index_of; precondition 0 <= i < 32.
constexpr Square square_of_index(int i) {
  const int y = 7 - i / 4;
  return Square{2 * (i % 4) + (y % 2 == 1 ? 1 : 0), y};
}

// PDN square number 1..32 of a playable square, 0 for any other square.
constexpr int pdn_of(Square s) { return index_of(s) + 1; }

// Inverse of pdn_of; precondition 1 <= n <= 32.
constexpr Square square_of_pdn(int n) { return square_of_index(n - 1); }

enum class Piece : uint8_t { None, BlackMan, BlackKing, WhiteMan, WhiteKing };

// Precondition: p != Piece::None.
constexpr Color color_of(Piece p) {
  return (p == Piece::WhiteMan || p == Piece::WhiteKing) ? Color::White : Color::Black;
}
constexpr bool is_king(Piece p) { return p == Piece::BlackKing || p == Piece::WhiteKing; }
constexpr Piece make_piece(Color c, bool king) {
  if (c == Color::Black) return king ? Piece::BlackKing : Piece::BlackMan;
  return king ? Piece::WhiteKing : Piece::WhiteMan;
}

// Row y on which a man of colour c is crowned (Black moves towards y = 0, White towards y = 7).
constexpr int crowning_row(Color c) { return c == Color::Black ? 0 : 7; }
// The dy of a man's forward move.
constexpr int forward_dy(Color c) { return c == Color::Black ? -1 : +1; }

}  // namespace checkers::game
