// A checkers position: three 32-bit bitboards (black, white, kings; bit i = internal index i,
// see types.hpp), the side to move, and - while a multi-capture is being played hop by hop -
// the square of the piece that must continue capturing. Values are small and cheap to copy.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "game/types.hpp"

namespace checkers::game {

class Position {
 public:
  Position() = default;  // empty board, Black to move

  // The standard start: Black men on PDN 1-12 (y = 5..7), White men on 21-32 (y = 0..2),
  // Black to move.
  static Position start();
  // by_index[i] is the piece on internal index i (PDN i + 1).
  static Position from_pieces(const std::array<Piece, 32>& by_index, Color to_move);
  // Raw bitboards; a bit set in both colours is dropped from white. kings is masked by the
  // occupied squares. continuation = internal index or -1.
  static Position from_bitboards(uint32_t black, uint32_t white, uint32_t kings, Color to_move,
                                 int continuation = -1);
  // PDN FEN: "B:W21,22,K27:B1,2,K5" (side to move, then each colour's squares 1-32, K = king;
  // ranges such as 1-12 are accepted). nullopt on any malformed text.
  static std::optional<Position> from_fen(std::string_view fen);
  // PDN FEN of this position (squares ascending, White's list first). The continuing piece,
  // which PDN cannot express, is not written.
  std::string to_fen() const;

  Color side_to_move() const { return to_move_; }
  Piece piece_at(Square s) const;  // Piece::None off the board or on a light square
  Piece piece_at_index(int i) const;
  // Set while a capture sequence is in progress: the same side must continue with this piece.
  std::optional<Square> continuing_piece() const;
  int continuing_index() const { return continuation_; }  // -1 when none
  Position with_continuation(Square s) const;
  Position without_continuation() const;
  Position with_piece(Square s, Piece p) const;  // p = None empties the square
  Position with_side_to_move(Color c) const;

  uint32_t pieces(Color c) const { return c == Color::Black ? black_ : white_; }
  uint32_t black() const { return black_; }
  uint32_t white() const { return white_; }
  uint32_t kings() const { return kings_; }
  uint32_t men() const { return (black_ | white_) & ~kings_; }
  uint32_t occupied() const { return black_ | white_; }
  uint32_t empty() const { return ~(black_ | white_); }
  int count(Color c) const;

  // Zobrist hash of pieces, side to move and continuing piece.
  uint64_t hash() const;

  friend bool operator==(const Position&, const Position&) = default;

 private:
  uint32_t black_ = 0;
  uint32_t white_ = 0;
  uint32_t kings_ = 0;
  Color to_move_ = Color::Black;
  int8_t continuation_ = -1;
};

}  // namespace checkers::game
