// Position construction, piece access, PDN FEN and the Zobrist hash.
#include "game/position.hpp"

#include <bit>
#include <charconv>

#include "game/bitboard.hpp"

namespace checkers::game {
namespace {

struct ZobristKeys {
  std::array<std::array<uint64_t, 32>, 4> piece{};  // BlackMan, BlackKing, WhiteMan, WhiteKing
  std::array<uint64_t, 32> continuation{};
  uint64_t white_to_move = 0;
};

constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr ZobristKeys make_zobrist() {
  ZobristKeys k{};
  uint64_t state = 0x636865636B657273ull;  // "checkers"
  for (auto& table : k.piece)
    for (auto& key : table) key = splitmix64(state);
  for (auto& key : k.continuation) key = splitmix64(state);
  k.white_to_move = splitmix64(state);
  return k;
}

constexpr ZobristKeys kZobrist = make_zobrist();

uint64_t hash_bits(uint32_t bits, const std::array<uint64_t, 32>& keys) {
  uint64_t h = 0;
  while (bits) h ^= keys[static_cast<size_t>(bb::pop_lsb(bits))];
  return h;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' ||
                        s.back() == '\r' || s.back() == '.' || s.back() == '"'))
    s.remove_suffix(1);
  return s;
}

std::optional<int> parse_square(std::string_view s) {
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || p != s.data() + s.size() || n < 1 || n > 32) return std::nullopt;
  return n;
}

// One colour's list after its letter: "21,22,K27" or "1-12". Adds the squares to men/kings.
bool parse_square_list(std::string_view list, uint32_t& pieces, uint32_t& kings) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    bool king = false;
    if (!item.empty() && (item.front() == 'K' || item.front() == 'k')) {
      king = true;
      item.remove_prefix(1);
    }
    const size_t dash = item.find('-');
    auto first = parse_square(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_square(item.substr(dash + 1));
    if (!first || !last || *last < *first) return false;
    for (int n = *first; n <= *last; ++n) {
      const uint32_t b = bb::bit(n - 1);
      if (pieces & b) return false;
      pieces |= b;
      if (king) kings |= b;
    }
  }
  return true;
}

std::string square_list(uint32_t pieces, uint32_t kings) {
  std::string out;
  while (pieces) {
    const int i = bb::pop_lsb(pieces);
    if (!out.empty()) out += ',';
    if (kings & bb::bit(i)) out += 'K';
    out += std::to_string(i + 1);
  }
  return out;
}

}  // namespace

Position Position::start() { return from_bitboards(0x00000FFFu, 0xFFF00000u, 0, Color::Black); }

Position Position::from_bitboards(uint32_t black, uint32_t white, uint32_t kings, Color to_move,
                                  int continuation) {
  Position p;
  p.black_ = black;
  p.white_ = white & ~black;
  p.kings_ = kings & (p.black_ | p.white_);
  p.to_move_ = to_move;
  p.continuation_ = static_cast<int8_t>(continuation >= 0 && continuation < 32 ? continuation : -1);
  return p;
}

Position Position::from_pieces(const std::array<Piece, 32>& by_index, Color to_move) {
  uint32_t black = 0, white = 0, kings = 0;
  for (int i = 0; i < 32; ++i) {
    const Piece piece = by_index[static_cast<size_t>(i)];
    if (piece == Piece::None) continue;
    (color_of(piece) == Color::Black ? black : white) |= bb::bit(i);
    if (is_king(piece)) kings |= bb::bit(i);
  }
  return from_bitboards(black, white, kings, to_move);
}

std::optional<Position> Position::from_fen(std::string_view fen) {
  fen = trim(fen);
  if (fen.size() < 2 || fen[1] != ':') return std::nullopt;
  Color to_move;
  if (fen[0] == 'B' || fen[0] == 'b')
    to_move = Color::Black;
  else if (fen[0] == 'W' || fen[0] == 'w')
    to_move = Color::White;
  else
    return std::nullopt;
  std::string_view rest = fen.substr(2);
  uint32_t black = 0, white = 0, kings = 0;
  bool seen_black = false, seen_white = false;
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    std::string_view section = trim(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
    if (section.empty()) return std::nullopt;
    const char colour = section.front();
    section.remove_prefix(1);
    if ((colour == 'B' || colour == 'b') && !seen_black) {
      seen_black = true;
      if (!parse_square_list(section, black, kings)) return std::nullopt;
    } else if ((colour == 'W' || colour == 'w') && !seen_white) {
      seen_white = true;
      if (!parse_square_list(section, white, kings)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (!seen_black || !seen_white || (black & white)) return std::nullopt;
  return from_bitboards(black, white, kings, to_move);
}

std::string Position::to_fen() const {
  std::string out = to_move_ == Color::Black ? "B" : "W";
  out += ":W" + square_list(white_, kings_);
  out += ":B" + square_list(black_, kings_);
  return out;
}

Piece Position::piece_at_index(int i) const {
  if (i < 0 || i >= 32) return Piece::None;
  const uint32_t b = bb::bit(i);
  if (black_ & b) return (kings_ & b) ? Piece::BlackKing : Piece::BlackMan;
  if (white_ & b) return (kings_ & b) ? Piece::WhiteKing : Piece::WhiteMan;
  return Piece::None;
}

Piece Position::piece_at(Square s) const { return piece_at_index(index_of(s)); }

std::optional<Square> Position::continuing_piece() const {
  if (continuation_ < 0) return std::nullopt;
  return square_of_index(continuation_);
}

Position Position::with_continuation(Square s) const {
  Position p = *this;
  p.continuation_ = static_cast<int8_t>(index_of(s));
  return p;
}

Position Position::without_continuation() const {
  Position p = *this;
  p.continuation_ = -1;
  return p;
}

Position Position::with_piece(Square s, Piece piece) const {
  const int i = index_of(s);
  if (i < 0) return *this;
  const uint32_t b = bb::bit(i);
  uint32_t black = black_ & ~b, white = white_ & ~b, kings = kings_ & ~b;
  if (piece != Piece::None) {
    (color_of(piece) == Color::Black ? black : white) |= b;
    if (is_king(piece)) kings |= b;
  }
  return from_bitboards(black, white, kings, to_move_, continuation_);
}

Position Position::with_side_to_move(Color c) const {
  Position p = *this;
  p.to_move_ = c;
  return p;
}

int Position::count(Color c) const { return std::popcount(pieces(c)); }

uint64_t Position::hash() const {
  uint64_t h = hash_bits(black_ & ~kings_, kZobrist.piece[0]) ^
               hash_bits(black_ & kings_, kZobrist.piece[1]) ^
               hash_bits(white_ & ~kings_, kZobrist.piece[2]) ^
               hash_bits(white_ & kings_, kZobrist.piece[3]);
  if (to_move_ == Color::White) h ^= kZobrist.white_to_move;
  if (continuation_ >= 0) h ^= kZobrist.continuation[static_cast<size_t>(continuation_)];
  return h;
}

}  // namespace checkers::game
