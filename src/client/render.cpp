#include "client/render.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "client/board_adapter.hpp"

namespace checkers::client {

using game::Color;
using game::Square;

namespace {

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kLightBg = "\x1b[47m";
constexpr const char* kDarkBg = "\x1b[42m";
constexpr const char* kHighlightBg = "\x1b[43m";
constexpr const char* kBlackPiece = "\x1b[1;30m";
constexpr const char* kWhitePiece = "\x1b[1;97m";

char piece_char(const proto::Board& board, Square s, Color me) {
  const auto owner = owner_at(board, s, me);
  if (!owner) return '.';
  const bool king = (static_cast<unsigned>(board.at(s.x, s.y)) & 2u) != 0;
  const char c = *owner == Color::Black ? 'b' : 'w';
  return king ? static_cast<char>(c - 'a' + 'A') : c;
}

// Screen column/row -> board square: White sees y = 7 at the top and x = 0 at the left
// (the standard diagram); Black the same turned by 180 degrees.
Square square_at(int row, int col, Color me) {
  return me == Color::White ? Square{col, 7 - row} : Square{7 - col, row};
}

std::string cell(const proto::Board& board, Square s, Color me, const RenderOptions& opts) {
  const bool dark = game::is_playable(s);
  const char c = dark ? piece_char(board, s, me) : ' ';
  if (!opts.ansi) return fmt::format(" {} ", c);
  const bool lit = std::find(opts.highlight.begin(), opts.highlight.end(), s) != opts.highlight.end();
  const char* bg = !dark ? kLightBg : lit ? kHighlightBg : kDarkBg;
  if (c == '.' || c == ' ') return fmt::format("{}   {}", bg, kReset);
  const char* fg = (c == 'b' || c == 'B') ? kBlackPiece : kWhitePiece;
  return fmt::format("{}{} {} {}", bg, fg, c, kReset);
}

std::string key_cell(Square s) {
  if (!game::is_playable(s)) return "   ";
  return fmt::format("{:>2} ", game::pdn_of(s));
}

}  // namespace

std::string render_board(const proto::Board& board, Color me, const RenderOptions& opts) {
  std::string files;
  for (int col = 0; col < 8; ++col)
    files += fmt::format(" {} ", static_cast<char>('a' + square_at(0, col, me).x));
  std::string out = fmt::format("    {}        square numbers\n", files);
  for (int row = 0; row < 8; ++row) {
    const int rank = square_at(row, 0, me).y + 1;
    std::string line = fmt::format(" {}  ", rank);
    std::string key;
    for (int col = 0; col < 8; ++col) {
      const Square s = square_at(row, col, me);
      line += cell(board, s, me, opts);
      key += key_cell(s);
    }
    out += fmt::format("{}  {}    {}\n", line, rank, key);
  }
  out += fmt::format("    {}\n", files);
  return out;
}

}  // namespace checkers::client
