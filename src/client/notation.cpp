#include "client/notation.hpp"

#include <cctype>
#include <cstdlib>

#include "client/board_adapter.hpp"

namespace checkers::client {

using game::Color;
using game::Hop;
using game::Piece;
using game::Position;
using game::Square;

namespace {

bool is_separator(char c) { return c == '-' || c == 'x' || c == ':'; }

// A token repeated back in an error, cut: a pasted page must not come back whole.
std::string quoted(std::string_view tok) {
  return "'" + std::string(tok.substr(0, 12)) + (tok.size() > 12 ? "...'" : "'");
}

// One square token: "15" or "e5".
std::optional<Square> parse_square(std::string_view tok, std::string& error) {
  if (tok.empty()) {
    error = "a square is missing (write moves like 11-15, 22x15 or c3-d4)";
    return std::nullopt;
  }
  if (std::isdigit(static_cast<unsigned char>(tok[0])) != 0) {
    int n = 0;
    for (char c : tok) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0 || n > 100) {
        error = quoted(tok) + " is not a square (use 1-32 or a1-h8)";
        return std::nullopt;
      }
      n = n * 10 + (c - '0');
    }
    if (n < 1 || n > 32) {
      error = "there is no square " + quoted(tok) + ": squares are numbered 1 to 32";
      return std::nullopt;
    }
    return game::square_of_pdn(n);
  }
  if (tok.size() == 2 && tok[0] >= 'a' && tok[0] <= 'h' && tok[1] >= '1' && tok[1] <= '8') {
    const Square s{tok[0] - 'a', tok[1] - '1'};
    if (!game::is_playable(s)) {
      error = std::string(tok) + " is a light square; pieces stand only on the dark squares";
      return std::nullopt;
    }
    return s;
  }
  error = quoted(tok) + " is not a square (use 1-32 or a1-h8)";
  return std::nullopt;
}

int sign(int v) { return v > 0 ? 1 : -1; }

std::string piece_name(Piece p) { return game::is_king(p) ? "king" : "man"; }

// Why the single hop from -> to is not legal for the side to move in `pos` (the hop is
// known not to be among the legal ones); `after_capture`: an earlier hop of the same
// move captured.
std::string explain_illegal(const Position& pos, Square from, Square to, bool after_capture) {
  const Color me = pos.side_to_move();
  const Piece piece = pos.piece_at(from);
  if (piece == Piece::None) return "there is no piece on " + square_label(from);
  if (game::color_of(piece) != me) return "the piece on " + square_label(from) + " is not yours";
  if (const auto cont = pos.continuing_piece(); cont && *cont != from)
    return "you must continue capturing with the piece on " + square_label(*cont);
  const int dx = to.x - from.x;
  const int dy = to.y - from.y;
  if (std::abs(dx) != std::abs(dy) || (std::abs(dx) != 1 && std::abs(dx) != 2))
    return "from " + square_label(from) + " to " + square_label(to) +
           " is not a diagonal step (one square) or jump (two squares)";
  if (pos.piece_at(to) != Piece::None) return "square " + square_label(to) + " is occupied";
  if (!game::is_king(piece) && sign(dy) != game::forward_dy(me))
    return "men move only forward; only kings may move backwards";
  if (std::abs(dx) == 2) {
    const Square mid{from.x + dx / 2, from.y + dy / 2};
    const Piece jumped = pos.piece_at(mid);
    if (jumped == Piece::None || game::color_of(jumped) == me)
      return "there is no opponent piece on " + square_label(mid) + " to jump over";
  } else if (after_capture) {
    return "after a capture only further captures by the same piece may follow";
  } else if (game::has_capture(pos)) {
    return "a capture is compulsory: you must jump";
  }
  return "the " + piece_name(piece) + " on " + square_label(from) + " cannot move to " +
         square_label(to);
}

// The short form "22x6": exactly one legal capture sequence from -> to.
std::optional<PlannedMove> plan_short_capture(const Position& pos, const MoveText& text) {
  if (text.path.size() != 2) return std::nullopt;
  const Square from = text.path[0];
  const Square to = text.path[1];
  const int dist = std::abs(to.x - from.x);
  if (dist <= 2 && std::abs(to.y - from.y) <= 2) return std::nullopt;
  game::MoveList moves;
  game::generate_moves(pos, moves);
  std::vector<game::Move> matches;
  for (const game::Move& m : moves)
    if (m.is_capture() && m.from() == from && m.to() == to) matches.push_back(m);
  if (matches.size() == 1) return PlannedMove{matches[0].hops(), {}};
  if (matches.size() > 1)
    return PlannedMove{{},
                       "several capture paths lead from " + square_label(from) + " to " +
                           square_label(to) + "; type the whole path, e.g. " + matches[0].to_pdn()};
  return std::nullopt;
}

}  // namespace

ParsedMove parse_move_text(std::string_view text) {
  std::string t;
  for (char c : text)
    if (std::isspace(static_cast<unsigned char>(c)) == 0)
      t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t.empty()) return {std::nullopt, "no move given"};
  MoveText mt;
  size_t start = 0;
  bool any_separator = false;
  for (size_t i = 0; i <= t.size(); ++i) {
    if (i < t.size() && !is_separator(t[i])) continue;
    std::string error;
    const auto sq = parse_square(std::string_view(t).substr(start, i - start), error);
    if (!sq) return {std::nullopt, error};
    mt.path.push_back(*sq);
    if (i < t.size()) {
      any_separator = true;
      if (t[i] == 'x') mt.capture = true;
    }
    start = i + 1;
  }
  if (!any_separator || mt.path.size() < 2)
    return {std::nullopt, "a move needs two squares, like 11-15, 22x15 or c3-d4"};
  if (mt.path.size() > game::Move::kMaxSquares)
    return {std::nullopt, "that path is longer than any capture sequence can be"};
  return {std::move(mt), {}};
}

PlannedMove plan_move(const Position& pos, const MoveText& text) {
  if (auto shortcut = plan_short_capture(pos, text)) return *shortcut;
  PlannedMove plan;
  Position p = pos;
  for (size_t i = 0; i + 1 < text.path.size(); ++i) {
    const Square from = text.path[i];
    const Square to = text.path[i + 1];
    std::optional<Hop> hop;
    const int dx = to.x - from.x;
    const int dy = to.y - from.y;
    if (std::abs(dx) == std::abs(dy) && (std::abs(dx) == 1 || std::abs(dx) == 2))
      hop = game::find_hop(p, from, sign(dx), sign(dy));
    if (!hop || !(hop->to == to)) return {{}, explain_illegal(p, from, to, i > 0)};
    const game::HopResult r = game::apply_hop(p, *hop);
    plan.hops.push_back(*hop);
    p = r.next;
    if (r.turn_over && i + 2 < text.path.size()) {
      const std::string where = square_label(to);
      return {{},
              r.crowned ? "the man is crowned on " + where + ", which ends the move"
                        : "the move ends on " + where + "; nothing more to capture"};
    }
  }
  return plan;
}

PlannedMove plan_move(const Position& pos, std::string_view text) {
  ParsedMove parsed = parse_move_text(text);
  if (!parsed.move) return {{}, parsed.error};
  return plan_move(pos, *parsed.move);
}

std::string path_text(const std::vector<Square>& path, bool capture) {
  const char sep = capture ? 'x' : '-';
  std::string pdn;
  std::string alg;
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) {
      pdn += sep;
      alg += sep;
    }
    pdn += std::to_string(game::pdn_of(path[i]));
    alg += algebraic(path[i]);
  }
  return pdn + " (" + alg + ")";
}

std::vector<std::string> legal_move_texts(const Position& pos) {
  game::MoveList moves;
  game::generate_moves(pos, moves);
  std::vector<std::string> out;
  for (const game::Move& m : moves) {
    std::vector<Square> path;
    for (int i = 0; i < m.length(); ++i) path.push_back(game::square_of_index(m.index(i)));
    out.push_back(path_text(path, m.is_capture()));
  }
  return out;
}

std::string legal_move_list(const Position& pos) {
  const auto texts = legal_move_texts(pos);
  if (texts.empty()) return "none";
  std::string out;
  for (const auto& t : texts) {
    if (!out.empty()) out += ", ";
    out += t;
  }
  return out;
}

}  // namespace checkers::client
