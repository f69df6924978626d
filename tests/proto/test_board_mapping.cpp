// proto::Board <-> game::Position against the golden vectors' boards.
#include <catch2/catch.hpp>

#include <random>

#include "proto/board_mapping.hpp"
#include "vector_json.hpp"

using namespace checkers;
using proto::Board;

namespace {
Board vector_board(const std::string& name) {
  const nlohmann::json doc = proto::test::load_vectors();
  for (const nlohmann::json& c : doc.at("cases"))
    if (c.at("name") == name) return proto::test::board_from_json(c.at("fields").at("board"));
  FAIL("no vector " << name);
  return Board{};
}
}  // namespace

TEST_CASE("the start position is the vectors' start board for both viewers", "[proto][mapping]") {
  const game::Position start = game::Position::start();
  CHECK(proto::board_for(start, game::Color::Black) == vector_board("board_start_primary_view"));
  CHECK(proto::board_for(start, game::Color::White) == vector_board("board_start_secondary_view"));
  CHECK(proto::position_from(vector_board("board_start_primary_view"), game::Color::Black,
                             game::Color::Black) == start);
  CHECK(proto::position_from(vector_board("board_start_secondary_view"), game::Color::White,
                             game::Color::Black) == start);
}

TEST_CASE("a board with kings maps to one position from both views", "[proto][mapping]") {
  const Board primary = vector_board("board_midgame_kings_primary_view");
  const Board secondary = vector_board("board_midgame_kings_secondary_view");
  const game::Position a = proto::position_from(primary, game::Color::Black, game::Color::White);
  const game::Position b = proto::position_from(secondary, game::Color::White, game::Color::White);
  CHECK(a == b);
  CHECK(proto::board_for(a, game::Color::Black) == primary);
  CHECK(proto::board_for(a, game::Color::White) == secondary);
  // (1,3) own king of the primary = a Black king.
  CHECK(a.piece_at(game::Square{1, 3}) == game::Piece::BlackKing);
}

TEST_CASE("random positions survive board_for / position_from", "[proto][mapping]") {
  std::mt19937 rng(99);
  static constexpr game::Piece kinds[] = {game::Piece::None, game::Piece::BlackMan,
                                          game::Piece::BlackKing, game::Piece::WhiteMan,
                                          game::Piece::WhiteKing};
  for (int n = 0; n < 300; ++n) {
    std::array<game::Piece, 32> pieces{};
    for (auto& p : pieces) p = kinds[rng() % 5];
    const game::Color to_move = rng() % 2 ? game::Color::Black : game::Color::White;
    const game::Position pos = game::Position::from_pieces(pieces, to_move);
    for (game::Color viewer : {game::Color::Black, game::Color::White}) {
      const Board b = proto::board_for(pos, viewer);
      CHECK(proto::position_from(b, viewer, to_move) == pos);
      CHECK(b.flipped_owner() == proto::board_for(pos, game::opponent(viewer)));
    }
  }
}
