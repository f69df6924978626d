#include "client/board_adapter.hpp"

#include <array>

namespace checkers::client {

using game::Color;
using game::Piece;
using game::Square;

game::Position to_position(const proto::Board& board, Color me, Color to_move,
                           std::optional<Square> continuing) {
  std::array<Piece, 32> pieces{};
  for (int i = 0; i < 32; ++i) {
    const Square s = game::square_of_index(i);
    const proto::Code code = board.at(s.x, s.y);
    const auto bits = static_cast<unsigned>(code);
    if ((bits & 4u) == 0) continue;  // the used bit clear means empty (PROTOCOL §2.2)
    const Color owner = (bits & 1u) != 0 ? me : game::opponent(me);
    pieces[static_cast<size_t>(i)] = game::make_piece(owner, (bits & 2u) != 0);
  }
  game::Position pos = game::Position::from_pieces(pieces, to_move);
  if (continuing) pos = pos.with_continuation(*continuing);
  return pos;
}

proto::Board to_board(const game::Position& pos, Color me) {
  proto::Board board;
  for (int i = 0; i < 32; ++i) {
    const Piece p = pos.piece_at_index(i);
    if (p == Piece::None) continue;
    const Square s = game::square_of_index(i);
    const bool own = game::color_of(p) == me;
    const bool king = game::is_king(p);
    board.set(s.x, s.y,
              own ? (king ? proto::Code::OwnKing : proto::Code::OwnMan)
                  : (king ? proto::Code::OpponentKing : proto::Code::OpponentMan));
  }
  return board;
}

Color infer_my_color(const proto::Board& board, bool first_turn_sentinel,
                     std::optional<proto::Move> first_hop) {
  if (first_turn_sentinel) return Color::Black;
  // No men to tell (a server starting from another position): the first hop of a game
  // is Black's, so whoever owns the piece it moved is Black.
  bool own_men = false;
  for (int i = 0; i < 32; ++i) {
    const Square s = game::square_of_index(i);
    own_men = own_men || board.at(s.x, s.y) == proto::Code::OwnMan;
  }
  if (!own_men && first_hop) {
    for (int reach : {1, 2}) {
      const Square landing{first_hop->x + reach * first_hop->dx,
                           first_hop->y + reach * first_hop->dy};
      if (!game::on_board(landing)) continue;
      const auto bits = static_cast<unsigned>(board.at(landing.x, landing.y));
      if ((bits & 4u) != 0) return (bits & 1u) != 0 ? Color::Black : Color::White;
    }
  }
  int men = 0;
  int rows = 0;
  for (int x = 0; x < 8; ++x) {
    for (int y = 0; y < 8; ++y) {
      if (board.at(x, y) == proto::Code::OwnMan) {
        ++men;
        rows += y;
      }
    }
  }
  // Black's men start on rows 5-7 and move up towards 0; White's the other way.
  if (men > 0 && rows * 2 > men * 7) return Color::Black;
  return Color::White;
}

std::optional<Color> owner_at(const proto::Board& board, Square s, Color me) {
  if (!game::on_board(s)) return std::nullopt;
  const auto bits = static_cast<unsigned>(board.at(s.x, s.y));
  if ((bits & 4u) == 0) return std::nullopt;
  return (bits & 1u) != 0 ? me : game::opponent(me);
}

std::string algebraic(Square s) {
  std::string out;
  out += static_cast<char>('a' + s.x);
  out += static_cast<char>('1' + s.y);
  return out;
}

std::string square_label(Square s) {
  if (!game::is_playable(s)) return algebraic(s);
  return std::to_string(game::pdn_of(s)) + " (" + algebraic(s) + ")";
}

}  // namespace checkers::client
