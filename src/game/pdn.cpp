// PDN move text and the human-readable board diagram.
#include "game/pdn.hpp"

#include <charconv>
#include <vector>

namespace checkers::game {
namespace {

// "22x15x6" / "11-15" -> {22, 15, 6}; empty on malformed text.
std::vector<int> parse_squares(std::string_view text) {
  std::vector<int> out;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("-xX:", pos);
    if (end == std::string_view::npos) end = text.size();
    int n = 0;
    const char* b = text.data() + pos;
    const char* e = text.data() + end;
    auto [p, ec] = std::from_chars(b, e, n);
    if (ec != std::errc{} || p != e || n < 1 || n > 32) return {};
    out.push_back(n);
    pos = end + 1;
  }
  return out;
}

char piece_char(Piece p) {
  switch (p) {
    case Piece::BlackMan: return 'b';
    case Piece::BlackKing: return 'B';
    case Piece::WhiteMan: return 'w';
    case Piece::WhiteKing: return 'W';
    case Piece::None: break;
  }
  return '.';
}

std::string pad_left(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

std::optional<Move> find_move(const Position& pos, std::string_view text) {
  const std::vector<int> squares = parse_squares(text);
  if (squares.size() < 2) return std::nullopt;
  MoveList moves;
  generate_moves(pos, moves);
  std::optional<Move> found;
  int matches = 0;
  for (const Move& m : moves) {
    bool full = static_cast<int>(squares.size()) == m.length();
    for (int i = 0; full && i < m.length(); ++i) full = m.index(i) + 1 == squares[static_cast<size_t>(i)];
    if (full) return m;  // the whole path names exactly one move
    if (squares.size() == 2 && m.from_index() + 1 == squares[0] && m.to_index() + 1 == squares[1]) {
      found = m;
      ++matches;
    }
  }
  if (matches != 1) return std::nullopt;
  return found;
}

std::string render_board(const Position& pos) {
  std::string out = "     ";
  for (int x = 0; x < 8; ++x) out += pad_left("x=" + std::to_string(x), 5);
  out += '\n';
  for (int y = 7; y >= 0; --y) {
    out += "y=" + std::to_string(y) + "  ";
    for (int x = 0; x < 8; ++x) {
      const Square s{x, y};
      if (!is_playable(s)) {
        out += "     ";
        continue;
      }
      out += pad_left(std::to_string(pdn_of(s)) + piece_char(pos.piece_at(s)), 5);
    }
    while (out.back() == ' ') out.pop_back();
    out += '\n';
  }
  out += "b/B = Black man/king (moves towards y=0), w/W = White man/king (towards y=7), . = empty\n";
  out += std::string("To move: ") + (pos.side_to_move() == Color::Black ? "Black" : "White");
  if (auto c = pos.continuing_piece()) out += " (continuing the capture with " + std::to_string(pdn_of(*c)) + ")";
  out += "\nFEN: " + pos.to_fen() + "\n";
  return out;
}

}  // namespace checkers::game
