// PDN <-> protocol (x, y) mapping, the bitboard geometry, the start position as protocol v1
// describes it, and PDN FEN parsing and round trips.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <string>

#include "game/bitboard.hpp"
#include "game/position.hpp"

using namespace checkers::game;

TEST_CASE("PDN numbering follows the standard diagram with Black at the top") {
  // Square 1 is in Black's back rank (y = 7), numbering runs along ranks towards White.
  CHECK(square_of_pdn(1) == Square{1, 7});
  CHECK(square_of_pdn(4) == Square{7, 7});
  CHECK(square_of_pdn(5) == Square{0, 6});
  CHECK(square_of_pdn(11) == Square{5, 5});
  CHECK(square_of_pdn(15) == Square{4, 4});
  CHECK(square_of_pdn(29) == Square{0, 0});  // a1, White's single corner
  CHECK(square_of_pdn(32) == Square{6, 0});
  for (int n = 1; n <= 32; ++n) {
    const Square s = square_of_pdn(n);
    CHECK(is_playable(s));
    CHECK(pdn_of(s) == n);
    CHECK(index_of(s) == n - 1);
    CHECK(square_of_index(n - 1) == s);
    if (n <= 12) CHECK(s.y >= 5);  // Black's start squares
    if (n >= 21) CHECK(s.y <= 2);  // White's start squares
  }
  CHECK(pdn_of(Square{0, 1}) == 0);  // light square
  CHECK(index_of(Square{8, 0}) == -1);
  CHECK(index_of(Square{-1, 1}) == -1);
}

TEST_CASE("bitboard shifts agree with diagonal steps in (x, y)") {
  for (int i = 0; i < 32; ++i) {
    const Square s = square_of_index(i);
    for (int d = 0; d < 4; ++d) {
      const Square t{s.x + bb::kDx[static_cast<size_t>(d)], s.y + bb::kDy[static_cast<size_t>(d)]};
      const uint32_t shifted = bb::shift(bb::bit(i), d);
      if (on_board(t)) {
        REQUIRE(shifted == bb::bit(index_of(t)));
        CHECK(bb::neighbour(i, d) == index_of(t));
      } else {
        CHECK(shifted == 0);
        CHECK(bb::neighbour(i, d) == -1);
      }
      CHECK(bb::dir_of(bb::kDx[static_cast<size_t>(d)], bb::kDy[static_cast<size_t>(d)]) == d);
    }
  }
}

namespace {

// Code (3 bits) of square (x, y) in a protocol v1 Board (PROTOCOL-v1.md §2.2).
int board_code(const std::array<uint8_t, 24>& bytes, int x, int y) {
  const int i = 8 * x + y;
  int code = 0;
  for (int k = 0; k < 3; ++k) {
    const int b = 3 * i + k;  // bit number counted from the least significant end
    if (bytes[static_cast<size_t>(23 - b / 8)] & (1 << (b % 8))) code |= 1 << k;
  }
  return code;
}

std::array<uint8_t, 24> from_hex(const std::string& hex) {
  std::array<uint8_t, 24> out{};
  for (size_t i = 0; i < 24; ++i)
    out[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return out;
}

}  // namespace

TEST_CASE("start position matches the protocol's start board (primary = Black)") {
  const Position start = Position::start();
  CHECK(start.side_to_move() == Color::Black);  // the primary moves first
  // PROTOCOL-v1.md §3, primary view: owner bit = primary = Black.
  const auto primary = from_hex("a28020140104a28020140104a28020140104a28020140104");
  for (int x = 0; x < 8; ++x) {
    for (int y = 0; y < 8; ++y) {
      const Piece p = start.piece_at(Square{x, y});
      int expected = 0;
      if (p == Piece::BlackMan) expected = 0b101;  // own man
      if (p == Piece::WhiteMan) expected = 0b100;  // opponent man
      INFO("x=" << x << " y=" << y);
      CHECK(board_code(primary, x, y) == expected);
      const bool dark = (x + y) % 2 == 0;
      CHECK((p == Piece::BlackMan) == (dark && y >= 5));
      CHECK((p == Piece::WhiteMan) == (dark && y <= 2));
    }
  }
  CHECK(start.count(Color::Black) == 12);
  CHECK(start.count(Color::White) == 12);
}

TEST_CASE("PDN FEN parsing") {
  auto p = Position::from_fen("W:W21,22,K27:B1,2,K5");
  REQUIRE(p);
  CHECK(p->side_to_move() == Color::White);
  CHECK(p->piece_at(square_of_pdn(21)) == Piece::WhiteMan);
  CHECK(p->piece_at(square_of_pdn(27)) == Piece::WhiteKing);
  CHECK(p->piece_at(square_of_pdn(1)) == Piece::BlackMan);
  CHECK(p->piece_at(square_of_pdn(5)) == Piece::BlackKing);
  CHECK(p->piece_at(square_of_pdn(3)) == Piece::None);
  CHECK(p->count(Color::White) == 3);
  CHECK(p->count(Color::Black) == 3);

  auto ranges = Position::from_fen("B:W21-32:B1-12");
  REQUIRE(ranges);
  CHECK(*ranges == Position::start());
  CHECK(Position::from_fen("[FEN \"x\"]") == std::nullopt);
  CHECK(Position::from_fen(" \"B:W21-32:B1-12.\" ") == Position::start());

  for (const char* bad :
       {"", "B", "X:W1:B2", "B:W33:B1", "B:W0:B1", "B:W1:B1", "B:W1,1:B2", "B:W1:W2", "B:W1",
        "B:Wx:B2", "B:W5-2:B1", "B:W1:B2:W3", "B:W1::B2", "B:WKK1:B2"}) {
    INFO(bad);
    CHECK_FALSE(Position::from_fen(bad).has_value());
  }
}

TEST_CASE("PDN FEN round trips") {
  const Position start = Position::start();
  CHECK(start.to_fen() == "B:W21,22,23,24,25,26,27,28,29,30,31,32:B1,2,3,4,5,6,7,8,9,10,11,12");
  for (const char* fen :
       {"W:W21,22,K27:B1,2,K5", "B:WK13,K29:BK18,K22", "B:W:B1", "W:W32:B", "B:W18,19,32:B15"}) {
    auto p = Position::from_fen(fen);
    REQUIRE(p);
    CHECK(p->to_fen() == fen);
    CHECK(Position::from_fen(p->to_fen()) == p);
  }
}

TEST_CASE("positions built from pieces, and the hash") {
  std::array<Piece, 32> pieces{};
  pieces[static_cast<size_t>(index_of(Square{2, 2}))] = Piece::BlackKing;
  pieces[static_cast<size_t>(index_of(Square{3, 3}))] = Piece::WhiteMan;
  const Position p = Position::from_pieces(pieces, Color::White);
  CHECK(p.piece_at(Square{2, 2}) == Piece::BlackKing);
  CHECK(p.piece_at(Square{3, 3}) == Piece::WhiteMan);
  CHECK(p.piece_at(Square{1, 2}) == Piece::None);
  CHECK(p.to_fen() == "W:W18:BK22");
  CHECK(p == Position()
                 .with_piece(Square{2, 2}, Piece::BlackKing)
                 .with_piece(Square{3, 3}, Piece::WhiteMan)
                 .with_side_to_move(Color::White));
  CHECK(p.hash() != p.with_side_to_move(Color::Black).hash());
  CHECK(p.hash() != p.with_continuation(Square{2, 2}).hash());
  CHECK(p.hash() == Position::from_fen("W:W18:BK22")->hash());
  CHECK(p.with_continuation(Square{2, 2}).continuing_piece() == Square{2, 2});
  CHECK_FALSE(p.continuing_piece().has_value());
  CHECK(color_of(Piece::WhiteKing) == Color::White);
  CHECK(is_king(Piece::BlackKing));
  CHECK_FALSE(is_king(Piece::WhiteMan));
  CHECK(opponent(Color::Black) == Color::White);
}
