// Move parsing and local legality: what the player types becomes hops, or a reason.
#include <catch2/catch.hpp>

#include "client/board_adapter.hpp"
#include "client/notation.hpp"
#include "game/position.hpp"

using namespace checkers;
using client::plan_move;
using game::Color;
using game::Position;
using game::Square;

TEST_CASE("square names follow the game library's PDN mapping") {
  CHECK(client::algebraic(Square{0, 0}) == "a1");
  CHECK(client::square_label(game::square_of_pdn(11)) == "11 (f6)");
  CHECK(client::square_label(game::square_of_pdn(29)) == "29 (a1)");
}

TEST_CASE("parse accepts PDN numbers and coordinates, rejects nonsense with a reason") {
  auto p = client::parse_move_text(" 11-15 ");
  REQUIRE(p.move);
  CHECK(p.move->path.size() == 2);
  CHECK(p.move->path[0] == game::square_of_pdn(11));
  CHECK_FALSE(p.move->capture);
  p = client::parse_move_text("22x15x6");
  REQUIRE(p.move);
  CHECK(p.move->path.size() == 3);
  CHECK(p.move->capture);
  p = client::parse_move_text("C3-D4");
  REQUIRE(p.move);
  CHECK(p.move->path[0] == Square{2, 2});
  CHECK(client::parse_move_text("33-15").error.find("1 to 32") != std::string::npos);
  CHECK(client::parse_move_text("c4-d5").error.find("light square") != std::string::npos);
  CHECK_FALSE(client::parse_move_text("11").move);
  CHECK_FALSE(client::parse_move_text("hello").move);
  CHECK_FALSE(client::parse_move_text("11-").move);
}

TEST_CASE("opening moves for Black from the start position") {
  const Position start = Position::start();
  const auto ok = plan_move(start, "11-15");
  REQUIRE(ok.ok());
  CHECK(ok.hops.size() == 1);
  CHECK(ok.hops[0].from == game::square_of_pdn(11));
  CHECK(ok.hops[0].to == game::square_of_pdn(15));
  CHECK(plan_move(start, "f6-e5").ok());
  CHECK(plan_move(start, "11-16").ok());
  CHECK(plan_move(start, "11-16 ").ok());
  CHECK(plan_move(start, "15-19").error.find("no piece on 15") != std::string::npos);
  CHECK(plan_move(start, "22-18").error.find("not yours") != std::string::npos);
  CHECK(plan_move(start, "7-11").error.find("occupied") != std::string::npos);
  CHECK(plan_move(start, "11-19").error.find("not a diagonal") != std::string::npos);
  CHECK(client::legal_move_texts(start).size() == 7);
  CHECK(client::legal_move_list(start).find("11-15 (f6-e5)") != std::string::npos);
}

TEST_CASE("men may not move backwards, captures are compulsory, multi-jumps become hops") {
  // Black men on 14 and 23-adjacent setup: W:W18,26:B14,K1 style built from FEN.
  auto pos = Position::from_fen("B:W18,27:B14,1");
  REQUIRE(pos);
  // 14x23 jumps 18; then 23x32 jumps 27 (continuation)... check what the engine says.
  const auto legal = client::legal_move_texts(*pos);
  REQUIRE_FALSE(legal.empty());
  CHECK(legal[0].find('x') != std::string::npos);
  const auto step = plan_move(*pos, "1-5");
  CHECK(step.error.find("compulsory") != std::string::npos);
  const auto back = plan_move(Position::from_fen("B:W30:B14").value(), "14-10");
  CHECK(back.error.find("only forward") != std::string::npos);
}

TEST_CASE("a typed multi-jump is checked hop by hop and split into hops") {
  // Black man on 22 (c3)... use a white-to-move position: White man on 22 jumps 18 and 11.
  auto pos = Position::from_fen("W:W22:B18,11,1");
  REQUIRE(pos);
  const auto full = plan_move(*pos, "22x15x8");
  REQUIRE(full.ok());
  CHECK(full.hops.size() == 2);
  CHECK(full.hops[0].capture);
  CHECK(full.hops[1].to == game::square_of_pdn(8));
  const auto partial = plan_move(*pos, "22x15");
  REQUIRE(partial.ok());
  CHECK(partial.hops.size() == 1);
  const auto shortcut = plan_move(*pos, "22x8");
  REQUIRE(shortcut.ok());
  CHECK(shortcut.hops.size() == 2);
  const auto bad = plan_move(*pos, "22x15x6");
  CHECK_FALSE(bad.ok());
  // In the middle of the sequence only the continuing piece may move.
  const auto mid = client::plan_move(pos->with_continuation(game::square_of_pdn(22)), "22x15");
  CHECK(mid.ok());
}

TEST_CASE("boards convert both ways and the colour is inferred") {
  const Position start = Position::start();
  const auto black_view = client::to_board(start, Color::Black);
  const auto white_view = client::to_board(start, Color::White);
  CHECK(client::to_position(black_view, Color::Black, Color::Black) == start);
  CHECK(client::to_position(white_view, Color::White, Color::Black) == start);
  CHECK(client::infer_my_color(black_view, true) == Color::Black);
  CHECK(client::infer_my_color(black_view, false) == Color::Black);
  CHECK(client::infer_my_color(white_view, false) == Color::White);
  // The protocol's documented starting board (primary view) matches the engine's start.
  auto parsed = proto::Board::parse(
      "x.x.x.x./.x.x.x.x/x.x.x.x./......../......../.o.o.o.o/o.o.o.o./.o.o.o.o");
  REQUIRE(parsed);
  CHECK(*parsed == black_view);
}
