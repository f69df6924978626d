// Wire-level value types of the Checkers Protocol v1: the 1-byte Move, the 24-byte
// Board and the fixed 16-byte NUL-padded string (Str16). These are codecs only:
// whether a move or a position makes sense in a game is the game layer's business.
// Layouts: docs/PROTOCOL.md §2 (they follow the reference implementation, not the
// original design text).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace checkers::proto {

// A square plus a diagonal direction. `x`, `y` are 0-7; `dx`, `dy` are -1 or +1.
// A jump is written as the direction towards the captured piece.
struct Move {
  uint8_t x = 0;
  uint8_t y = 0;
  int8_t dx = -1;
  int8_t dy = -1;

  // x<<5 | y<<2 | (dx>0)<<1 | (dy>0). Out-of-range x/y are masked to 3 bits;
  // any dx/dy > 0 counts as +1, anything else as -1.
  constexpr uint8_t encode() const noexcept {
    return static_cast<uint8_t>(((x & 7u) << 5) | ((y & 7u) << 2) | ((dx > 0 ? 1u : 0u) << 1) |
                                (dy > 0 ? 1u : 0u));
  }
  // Every byte decodes.
  static constexpr Move decode(uint8_t b) noexcept {
    return Move{static_cast<uint8_t>(b >> 5), static_cast<uint8_t>((b >> 2) & 7u),
                static_cast<int8_t>((b & 2u) ? 1 : -1), static_cast<int8_t>((b & 1u) ? 1 : -1)};
  }
  // The neighbouring square in the move's direction (may be off the board: -1 or 8).
  constexpr int to_x() const noexcept { return int{x} + dx; }
  constexpr int to_y() const noexcept { return int{y} + dy; }

  constexpr bool operator==(const Move&) const = default;
};

// The first YourTurn of a game carries this as last_move (wire byte 0x00). It
// leaves the board, so it can never be a real move.
inline constexpr Move kFirstTurnSentinel{0, 0, -1, -1};

// 3-bit square code: bit 2 = used, bit 1 = king, bit 0 = owned by the receiver.
enum class Code : uint8_t {
  Empty = 0,
  OpponentMan = 4,
  OwnMan = 5,
  OpponentKing = 6,
  OwnKing = 7,
};

// 64 square codes seen by one player, indexed by absolute (x, y), 0-7 each.
class Board {
 public:
  static constexpr size_t kWireSize = 24;
  using Wire = std::array<uint8_t, kWireSize>;

  constexpr Board() = default;

  constexpr Code at(int x, int y) const noexcept { return codes_[index(x, y)]; }
  constexpr void set(int x, int y, Code c) noexcept { codes_[index(x, y)] = c; }

  // The 24 bytes are one big-endian 192-bit number; square (x,y) is the 3-bit
  // group at bit 3*(8x+y) from the least significant end.
  Wire encode() const noexcept;
  void encode_to(std::span<uint8_t, kWireSize> out) const noexcept;
  // Exact inverse of encode() for the five defined codes; a code with the used
  // bit clear (1-3, never sent by conforming peers) decodes as Empty.
  static Board decode(std::span<const uint8_t, kWireSize> in) noexcept;

  // The same position seen by the other player: owner bit inverted on every
  // occupied square.
  Board flipped_owner() const noexcept;

  // Compact text: 8 rows y = 0..7 separated by '/', x left to right, characters
  // '.' empty, 'o' own man, 'O' own king, 'x' opponent man, 'X' opponent king.
  std::string to_string() const;
  // Parses 8 rows of 8 of those characters separated by '/' or '\n' (a trailing
  // separator is allowed); nullopt on anything else.
  static std::optional<Board> parse(std::string_view text);

  constexpr bool operator==(const Board&) const = default;

 private:
  static constexpr size_t index(int x, int y) noexcept {
    return static_cast<size_t>(((x & 7) << 3) | (y & 7));
  }
  std::array<Code, 64> codes_{};
};

char code_char(Code c) noexcept;

// A fixed 16-byte wire string: up to 16 bytes of text, NUL-padded on the wire, no
// terminator when all 16 are used. Allocation-free. It converts implicitly from
// text so messages read naturally (`Connect{1, "cam", "pw"}`); text longer than
// 16 bytes is never cut: the value is marked overlong and encoding it fails.
class Str16 {
 public:
  static constexpr size_t kCapacity = 16;
  using Wire = std::array<uint8_t, kCapacity>;

  constexpr Str16() = default;
  constexpr Str16(std::string_view s) noexcept {  // NOLINT: implicit by design
    if (s.size() > kCapacity) {
      overlong_ = true;
      return;
    }
    for (size_t i = 0; i < s.size(); ++i) bytes_[i] = s[i];
    size_ = static_cast<uint8_t>(s.size());
  }
  constexpr Str16(const char* s) noexcept : Str16(std::string_view(s)) {}
  Str16(const std::string& s) noexcept : Str16(std::string_view(s)) {}

  // nullopt if `s` is longer than 16 bytes.
  static constexpr std::optional<Str16> make(std::string_view s) noexcept {
    if (s.size() > kCapacity) return std::nullopt;
    return Str16(s);
  }
  // Bytes up to the first NUL (all 16 if there is none).
  static Str16 from_wire(std::span<const uint8_t, kCapacity> in) noexcept;
  // Writes the text and NUL padding; false (nothing written) if overlong.
  bool to_wire(std::span<uint8_t, kCapacity> out) const noexcept;

  constexpr bool overlong() const noexcept { return overlong_; }
  constexpr std::string_view view() const noexcept { return {bytes_.data(), size_}; }
  constexpr size_t size() const noexcept { return size_; }
  constexpr bool empty() const noexcept { return size_ == 0; }
  std::string str() const { return std::string(view()); }

  constexpr bool operator==(const Str16&) const = default;
  // Compares with text (string_view, std::string, literals); an overlong value
  // equals no text. A template so that `name == "cam"` is not ambiguous with the
  // implicit conversion to Str16.
  template <class Text>
  requires std::is_convertible_v<const Text&, std::string_view>
  friend constexpr bool operator==(const Str16& a, const Text& b) noexcept {
    return !a.overlong_ && a.view() == std::string_view(b);
  }

 private:
  std::array<char, kCapacity> bytes_{};
  uint8_t size_ = 0;
  bool overlong_ = false;
};

// Free-function form of the str16 codec. pack: nullopt if `s` is over 16 bytes.
std::optional<std::array<char, 16>> pack_str16(std::string_view s);
// unpack: the bytes up to the first NUL (all 16 if none).
std::string unpack_str16(std::span<const char, 16> field);
std::string unpack_str16(std::span<const uint8_t, 16> field);

}  // namespace checkers::proto
