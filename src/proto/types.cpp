// Bit-level codecs for Move's companions: Board (24 bytes) and Str16 (16 bytes).
#include "proto/types.hpp"

#include <algorithm>

namespace checkers::proto {

namespace {

// Column x occupies bytes 21-3x .. 23-3x, as a big-endian 24-bit number whose
// 3-bit group y is row y (row 0 in the low bits of the column's last byte).
constexpr size_t column_offset(int x) { return static_cast<size_t>(21 - 3 * x); }

constexpr Code code_from_bits(uint32_t bits) {
  // A code without the "used" bit is treated as empty, as the reference client does.
  return (bits & 4u) ? static_cast<Code>(bits) : Code::Empty;
}

}  // namespace

void Board::encode_to(std::span<uint8_t, kWireSize> out) const noexcept {
  for (int x = 0; x < 8; ++x) {
    uint32_t column = 0;
    for (int y = 0; y < 8; ++y) column |= static_cast<uint32_t>(at(x, y)) << (3 * y);
    const size_t off = column_offset(x);
    out[off] = static_cast<uint8_t>(column >> 16);
    out[off + 1] = static_cast<uint8_t>(column >> 8);
    out[off + 2] = static_cast<uint8_t>(column);
  }
}

Board::Wire Board::encode() const noexcept {
  Wire w{};
  encode_to(w);
  return w;
}

Board Board::decode(std::span<const uint8_t, kWireSize> in) noexcept {
  Board b;
  for (int x = 0; x < 8; ++x) {
    const size_t off = column_offset(x);
    const uint32_t column = (uint32_t{in[off]} << 16) | (uint32_t{in[off + 1]} << 8) | in[off + 2];
    for (int y = 0; y < 8; ++y) b.set(x, y, code_from_bits((column >> (3 * y)) & 7u));
  }
  return b;
}

Board Board::flipped_owner() const noexcept {
  Board b;
  for (size_t i = 0; i < codes_.size(); ++i) {
    const auto c = static_cast<uint8_t>(codes_[i]);
    b.codes_[i] = (c & 4u) ? static_cast<Code>(c ^ 1u) : Code::Empty;
  }
  return b;
}

char code_char(Code c) noexcept {
  switch (c) {
    case Code::OwnMan:
      return 'o';
    case Code::OwnKing:
      return 'O';
    case Code::OpponentMan:
      return 'x';
    case Code::OpponentKing:
      return 'X';
    case Code::Empty:
      break;
  }
  return '.';
}

std::string Board::to_string() const {
  std::string s;
  s.reserve(71);
  for (int y = 0; y < 8; ++y) {
    if (y != 0) s.push_back('/');
    for (int x = 0; x < 8; ++x) s.push_back(code_char(at(x, y)));
  }
  return s;
}

std::optional<Board> Board::parse(std::string_view text) {
  Board b;
  int x = 0;
  int y = 0;
  for (char ch : text) {
    if (ch == '/' || ch == '\n') {
      if (x != 8) return std::nullopt;
      x = 0;
      ++y;
      continue;
    }
    if (x >= 8 || y >= 8) return std::nullopt;
    Code c;
    switch (ch) {
      case '.':
        c = Code::Empty;
        break;
      case 'o':
        c = Code::OwnMan;
        break;
      case 'O':
        c = Code::OwnKing;
        break;
      case 'x':
        c = Code::OpponentMan;
        break;
      case 'X':
        c = Code::OpponentKing;
        break;
      default:
        return std::nullopt;
    }
    b.set(x++, y, c);
  }
  // Either exactly 8 full rows without trailing separator, or with one.
  if ((y == 7 && x == 8) || (y == 8 && x == 0)) return b;
  return std::nullopt;
}

Str16 Str16::from_wire(std::span<const uint8_t, kCapacity> in) noexcept {
  Str16 s;
  size_t n = 0;
  while (n < kCapacity && in[n] != 0) {
    s.bytes_[n] = static_cast<char>(in[n]);
    ++n;
  }
  s.size_ = static_cast<uint8_t>(n);
  return s;
}

bool Str16::to_wire(std::span<uint8_t, kCapacity> out) const noexcept {
  if (overlong_) return false;
  for (size_t i = 0; i < kCapacity; ++i) out[i] = i < size_ ? static_cast<uint8_t>(bytes_[i]) : 0;
  return true;
}

std::optional<std::array<char, 16>> pack_str16(std::string_view s) {
  if (s.size() > 16) return std::nullopt;
  std::array<char, 16> field{};
  std::copy(s.begin(), s.end(), field.begin());
  return field;
}

std::string unpack_str16(std::span<const char, 16> field) {
  const auto end = std::find(field.begin(), field.end(), '\0');
  return std::string(field.begin(), end);
}

std::string unpack_str16(std::span<const uint8_t, 16> field) {
  return std::string(Str16::from_wire(field).view());
}

}  // namespace checkers::proto
