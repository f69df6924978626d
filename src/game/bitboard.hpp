// Internal bitboard geometry shared by the engine's .cpp files (not part of the public API).
// Bit i = internal index i = PDN i + 1; row r = i / 4 counts from Black's back rank (y = 7 - r).
// Direction d: 0 = (dx -1, dy -1), 1 = (+1, -1), 2 = (-1, +1), 3 = (+1, +1); 3 - d reverses d.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#include "game/types.hpp"

namespace checkers::game::bb {

inline constexpr uint32_t kEvenRows = 0x0F0F0F0Fu;  // r even: y odd, squares at odd x
inline constexpr uint32_t kOddRows = 0xF0F0F0F0u;   // r odd: y even, squares at even x
inline constexpr uint32_t kCol0 = 0x11111111u;      // first square of each row
inline constexpr uint32_t kCol3 = 0x88888888u;      // last square of each row
inline constexpr uint32_t kRowY0 = 0xF0000000u;     // y = 0: Black men crown here (PDN 29-32)
inline constexpr uint32_t kRowY7 = 0x0000000Fu;     // y = 7: White men crown here (PDN 1-4)

inline constexpr std::array<int, 4> kDx{-1, +1, -1, +1};
inline constexpr std::array<int, 4> kDy{-1, -1, +1, +1};

constexpr int dir_of(int dx, int dy) { return (dx > 0 ? 1 : 0) + (dy > 0 ? 2 : 0); }
constexpr uint32_t bit(int i) { return uint32_t{1} << i; }

// Every square of s moved one step in direction d; squares that would leave the board vanish.
constexpr uint32_t shift(uint32_t s, int d) {
  switch (d) {
    case 0:
      return ((s & kEvenRows) << 4) | ((s & kOddRows & ~kCol0) << 3);
    case 1:
      return ((s & kEvenRows & ~kCol3) << 5) | ((s & kOddRows) << 4);
    case 2:
      return ((s & kEvenRows) >> 4) | ((s & kOddRows & ~kCol0) >> 5);
    default:
      return ((s & kEvenRows & ~kCol3) >> 3) | ((s & kOddRows) >> 4);
  }
}

constexpr uint32_t crown_row(Color c) { return c == Color::Black ? kRowY0 : kRowY7; }
// Directions a man of colour c may move in (forward only).
constexpr bool man_dir(Color c, int d) { return c == Color::Black ? d < 2 : d >= 2; }

// neighbour[i][d]: index one step from i in direction d, or -1 off the board.
struct Tables {
  std::array<std::array<int8_t, 4>, 32> neighbour{};
  std::array<std::array<int8_t, 4>, 32> landing{};  // two steps, or -1
};

constexpr Tables make_tables() {
  Tables t{};
  for (int i = 0; i < 32; ++i) {
    for (int d = 0; d < 4; ++d) {
      const uint32_t one = shift(bit(i), d);
      const uint32_t two = shift(one, d);
      t.neighbour[static_cast<size_t>(i)][static_cast<size_t>(d)] =
          static_cast<int8_t>(one ? std::countr_zero(one) : -1);
      t.landing[static_cast<size_t>(i)][static_cast<size_t>(d)] =
          static_cast<int8_t>(two ? std::countr_zero(two) : -1);
    }
  }
  return t;
}

inline constexpr Tables kTables = make_tables();

inline int neighbour(int i, int d) {
  return kTables.neighbour[static_cast<size_t>(i)][static_cast<size_t>(d)];
}
inline int landing(int i, int d) {
  return kTables.landing[static_cast<size_t>(i)][static_cast<size_t>(d)];
}

// Pops and returns the lowest set bit's index.
inline int pop_lsb(uint32_t& s) {
  const int i = std::countr_zero(s);
  s &= s - 1;
  return i;
}

}  // namespace checkers::game::bb
