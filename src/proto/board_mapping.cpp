// Board <-> game::Position: walks the 32 playable squares.
#include "proto/board_mapping.hpp"

#include <array>

namespace checkers::proto {

namespace {

Code code_for(game::Piece p, game::Color viewer) {
  if (p == game::Piece::None) return Code::Empty;
  const bool own = game::color_of(p) == viewer;
  if (game::is_king(p)) return own ? Code::OwnKing : Code::OpponentKing;
  return own ? Code::OwnMan : Code::OpponentMan;
}

game::Piece piece_for(Code c, game::Color viewer) {
  switch (c) {
    case Code::OwnMan:
      return game::make_piece(viewer, false);
    case Code::OwnKing:
      return game::make_piece(viewer, true);
    case Code::OpponentMan:
      return game::make_piece(game::opponent(viewer), false);
    case Code::OpponentKing:
      return game::make_piece(game::opponent(viewer), true);
    case Code::Empty:
      break;
  }
  return game::Piece::None;
}

}  // namespace

Board board_for(const game::Position& pos, game::Color viewer) {
  Board b;
  for (int i = 0; i < 32; ++i) {
    const game::Square s = game::square_of_index(i);
    b.set(s.x, s.y, code_for(pos.piece_at(s), viewer));
  }
  return b;
}

game::Position position_from(const Board& board, game::Color viewer, game::Color to_move) {
  std::array<game::Piece, 32> pieces{};
  for (int i = 0; i < 32; ++i) {
    const game::Square s = game::square_of_index(i);
    pieces[static_cast<size_t>(i)] = piece_for(board.at(s.x, s.y), viewer);
  }
  return game::Position::from_pieces(pieces, to_move);
}

}  // namespace checkers::proto
