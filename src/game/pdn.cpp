// PDN move text and the human-readable board diagram.
#include "game/pdn.hpp"

#include <cctype>
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
    case Piece::BlackMan:
      return 'b';
    case Piece::BlackKing:
      return 'B';
    case Piece::WhiteMan:
      return 'w';
    case Piece::WhiteKing:
      return 'W';
    case Piece::None:
      break;
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
    for (int i = 0; full && i < m.length(); ++i)
      full = m.index(i) + 1 == squares[static_cast<size_t>(i)];
    if (full) return m;  // the whole path names exactly one move
    if (squares.size() == 2 && m.from_index() + 1 == squares[0] && m.to_index() + 1 == squares[1]) {
      found = m;
      ++matches;
    }
  }
  if (matches != 1) return std::nullopt;
  return found;
}

namespace {

std::string tag_value(const PdnGame& game, std::string_view name) {
  for (const auto& [k, v] : game.tags)
    if (k == name) return v;
  return {};
}

std::optional<Position> start_of(const PdnGame& game, std::string& error) {
  const std::string fen = tag_value(game, "FEN");
  if (fen.empty()) return Position::start();
  auto pos = Position::from_fen(fen);
  if (!pos) error = "the FEN tag is not a valid position: " + fen;
  return pos;
}

bool is_result(std::string_view w) {
  return w == "1-0" || w == "0-1" || w == "1/2-1/2" || w == "*" || w == "2-0" || w == "0-2" ||
         w == "1-1";
}

}  // namespace

std::string write_pdn(const PdnGame& game) {
  std::string out;
  for (const auto& [k, v] : game.tags) {
    std::string escaped;
    for (char c : v) {
      if (c == '"' || c == '\\') escaped += '\\';
      escaped += c;
    }
    out += "[" + k + " \"" + escaped + "\"]\n";
  }
  out += "\n";
  std::string err;
  const auto start = start_of(game, err);
  bool white_first = start && start->side_to_move() == Color::White;
  std::vector<std::string> words;
  int number = 1;
  for (size_t i = 0; i < game.moves.size(); ++i) {
    const bool white = (i % 2 == 1) != white_first;
    // A move number stays on the line of its move.
    if (!white)
      words.push_back(std::to_string(number) + ". " + game.moves[i]);
    else if (i == 0)
      words.push_back(std::to_string(number) + ". ... " + game.moves[i]);
    else
      words.push_back(game.moves[i]);
    if (white) ++number;
  }
  words.push_back(game.result.empty() ? "*" : game.result);
  std::string line;
  for (const std::string& w : words) {
    if (!line.empty() && line.size() + 1 + w.size() > 79) {
      out += line + "\n";
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += w;
  }
  out += line + "\n";
  return out;
}

std::optional<std::vector<PdnGame>> parse_pdn_games(std::string_view text, std::string& error) {
  std::vector<PdnGame> games;
  PdnGame game;
  game.result.clear();
  bool has_movetext = false;
  // A game ends at its result; tags after move text without one start the next game.
  auto finish_game = [&] {
    if (game.result.empty()) game.result = "*";
    games.push_back(std::move(game));
    game = PdnGame{};
    game.result.clear();
    has_movetext = false;
  };
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    error = "game " + std::to_string(games.size() + 1) + ": " + why;
    return std::optional<std::vector<PdnGame>>{};
  };
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (c == '[') {
      if (has_movetext) finish_game();
      const size_t end = text.find(']', i);
      if (end == std::string_view::npos) return fail("a tag without its closing ]");
      std::string_view tag = text.substr(i + 1, end - i - 1);
      const size_t q1 = tag.find('"');
      const size_t q2 = tag.rfind('"');
      if (q1 == std::string_view::npos || q2 == q1) return fail("a tag without a quoted value");
      std::string name(tag.substr(0, q1));
      while (!name.empty() && name.back() == ' ') name.pop_back();
      std::string value;
      for (size_t k = q1 + 1; k < q2; ++k) {
        if (tag[k] == '\\' && k + 1 < q2) ++k;
        value += tag[k];
      }
      game.tags.emplace_back(name, value);
      i = end + 1;
    } else if (c == '{') {
      const size_t end = text.find('}', i);
      if (end == std::string_view::npos) return fail("a comment without its closing }");
      i = end + 1;
    } else {
      size_t end = i;
      while (end < text.size() && std::isspace(static_cast<unsigned char>(text[end])) == 0 &&
             text[end] != '{' && text[end] != '[')
        ++end;
      std::string_view word = text.substr(i, end - i);
      i = end;
      if (is_result(word)) {
        game.result = std::string(word);
        finish_game();
        continue;
      }
      has_movetext = true;
      // Move numbers "12." and "12..." / "...".
      size_t digits = 0;
      while (digits < word.size() && std::isdigit(static_cast<unsigned char>(word[digits])) != 0)
        ++digits;
      if (digits < word.size() && word[digits] == '.') {
        word.remove_prefix(digits);
        while (!word.empty() && word.front() == '.') word.remove_prefix(1);
        if (word.empty()) continue;
      }
      if (word.find_first_not_of("0123456789-xX:") != std::string_view::npos)
        return fail("'" + std::string(word) + "' is not a move");
      game.moves.emplace_back(word);
    }
  }
  if (has_movetext || !game.tags.empty()) finish_game();
  return games;
}

std::optional<PdnGame> parse_pdn(std::string_view text, std::string& error) {
  std::optional<std::vector<PdnGame>> games = parse_pdn_games(text, error);
  if (!games) return std::nullopt;
  if (games->size() != 1) {
    error = games->empty() ? "no game in the text"
                           : std::to_string(games->size()) + " games where one was expected";
    return std::nullopt;
  }
  return std::move(games->front());
}

std::optional<Position> replay_pdn(const PdnGame& game, std::string& error) {
  std::optional<Position> pos = start_of(game, error);
  if (!pos) return std::nullopt;
  for (size_t i = 0; i < game.moves.size(); ++i) {
    const std::optional<Move> m = find_move(*pos, game.moves[i]);
    if (!m) {
      error = "move " + std::to_string(i / 2 + 1) +
              (pos->side_to_move() == Color::Black ? " (Black) " : " (White) ") + game.moves[i] +
              " is not legal in this position";
      return std::nullopt;
    }
    *pos = play(*pos, *m);
  }
  return pos;
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
  out +=
      "b/B = Black man/king (moves towards y=0), w/W = White man/king (towards y=7), . = empty\n";
  out += std::string("To move: ") + (pos.side_to_move() == Color::Black ? "Black" : "White");
  if (auto c = pos.continuing_piece())
    out += " (continuing the capture with " + std::to_string(pdn_of(*c)) + ")";
  out += "\nFEN: " + pos.to_fen() + "\n";
  return out;
}

}  // namespace checkers::game
