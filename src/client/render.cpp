#include "client/render.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "client/board_adapter.hpp"
#include "client/terminal.hpp"

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
  const bool lit =
      std::find(opts.highlight.begin(), opts.highlight.end(), s) != opts.highlight.end();
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

std::vector<std::string> side_move_lines(const std::string& move_list, int room, size_t rows) {
  if (move_list.empty()) return {""};
  std::vector<std::string> lines;
  for (size_t at = 0; at < move_list.size();) {
    // Entries ("12. 13x22x31 19x12") are separated by two spaces.
    size_t next = move_list.find("  ", at);
    if (next == std::string::npos) next = move_list.size();
    const std::string entry = wrap_text(move_list.substr(at, next - at), room, " ", "    ");
    at = next + 2;
    for (size_t from = 0; from <= entry.size();) {
      const size_t nl = std::min(entry.find('\n', from), entry.size());
      lines.push_back(entry.substr(from, nl - from));
      from = nl + 1;
    }
  }
  if (lines.size() > rows) lines.erase(lines.begin(), lines.end() - static_cast<long>(rows));
  lines.insert(lines.begin(), "moves");
  return lines;
}

int board_columns(bool key) { return key ? 59 : 31; }

std::string render_board(const proto::Board& board, Color me, const RenderOptions& opts) {
  std::string files;
  for (int col = 0; col < 8; ++col)
    files += fmt::format(" {} ", static_cast<char>('a' + square_at(0, col, me).x));
  std::vector<std::string> lines;
  std::vector<int> widths;  // printable columns of each line
  lines.push_back(fmt::format("    {}{}", files, opts.key ? "        square numbers" : ""));
  widths.push_back(static_cast<int>(lines.back().size()));
  for (int row = 0; row < 8; ++row) {
    const int rank = square_at(row, 0, me).y + 1;
    std::string line = fmt::format(" {}  ", rank);
    std::string key;
    for (int col = 0; col < 8; ++col) {
      const Square s = square_at(row, col, me);
      line += cell(board, s, me, opts);
      key += key_cell(s);
    }
    while (!key.empty() && key.back() == ' ') key.pop_back();
    lines.push_back(opts.key ? fmt::format("{}  {}    {}", line, rank, key)
                             : fmt::format("{}  {}", line, rank));
    widths.push_back(opts.key ? 4 + 24 + 7 + static_cast<int>(key.size()) : 31);
  }
  lines.push_back(fmt::format("    {}", files));
  widths.push_back(static_cast<int>(lines.back().size()));
  const int column = board_columns(opts.key) + 2;
  const int room = opts.width - 1 - column;
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    out += lines[i];
    if (i < opts.side.size() && room >= 8 && !opts.side[i].empty()) {
      std::string side = opts.side[i];
      if (static_cast<int>(side.size()) > room) side = side.substr(0, static_cast<size_t>(room));
      out += std::string(static_cast<size_t>(std::max(1, column - widths[i])), ' ') + side;
    }
    out += '\n';
  }
  return out;
}

}  // namespace checkers::client
