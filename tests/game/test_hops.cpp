// The protocol v1 mapping: one MakeMove = one hop (a jump names the direction towards the
// captured piece), multi-captures hop by hop with only the continuing piece legal, and
// forced_move = exactly one legal hop (the server's CompulsoryMove).
#include <catch2/catch.hpp>

#include <vector>

#include "game/game.hpp"
#include "game/movegen.hpp"

using namespace checkers::game;

namespace {

Position fen(const char* text) {
  auto p = Position::from_fen(text);
  REQUIRE(p);
  return *p;
}

Square sq(int pdn) { return square_of_pdn(pdn); }

}  // namespace

TEST_CASE("hops of the start position are the seven steps, none forced") {
  const std::vector<Hop> hops = legal_hops(Position::start());
  CHECK(hops.size() == 7);
  for (const Hop& h : hops) {
    CHECK_FALSE(h.capture);
    CHECK(h.dy == -1);  // Black (primary) moves towards y = 0
    CHECK(h.to == Square{h.from.x + h.dx, h.from.y + h.dy});
  }
  CHECK_FALSE(forced_move(Position::start()).has_value());
  // 11-15 is (5,5) towards (-x, -y).
  const auto h = find_hop(Position::start(), Square{5, 5}, -1, -1);
  REQUIRE(h);
  CHECK(h->to == sq(15));
  CHECK_FALSE(find_hop(Position::start(), Square{5, 5}, -1, +1).has_value());  // backwards
  CHECK_FALSE(find_hop(Position::start(), Square{4, 4}, -1, -1).has_value());  // empty square
  CHECK_FALSE(find_hop(Position::start(), Square{0, 2}, +1, +1).has_value());  // White's piece
  CHECK_FALSE(find_hop(Position::start(), Square{5, 6}, -1, -1).has_value());  // light square
}

TEST_CASE("a forced capture is the only hop and is announced as forced") {
  const Position p = fen("B:W19,30:B9,15");
  const std::vector<Hop> hops = legal_hops(p);
  REQUIRE(hops.size() == 1);
  // The jump is written towards the captured piece on 19 = (5,3); it lands on 24 = (6,2).
  CHECK(hops[0] == Hop{sq(15), +1, -1, sq(24), true});
  CHECK(forced_move(p) == hops[0]);
  CHECK_FALSE(find_hop(p, sq(9), -1, -1).has_value());  // the step 9-13 is illegal now

  Game game(p);
  CHECK_FALSE(game.play(sq(9), -1, -1).has_value());
  CHECK(game.position() == p);
  const auto r = game.play(sq(15), +1, -1);
  REQUIRE(r);
  CHECK(r->captured);
  CHECK(r->turn_over);
  CHECK(game.position().piece_at(sq(19)) == Piece::None);
  CHECK(game.side_to_move() == Color::White);
}

TEST_CASE("a single legal step is forced too") {
  const Position p = fen("W:W32:B1");  // 32 = (6,0) can go to 27 or 28
  CHECK(legal_hops(p).size() == 2);
  const Position q = fen("W:W28:B1");  // 28 = (7,1): only (6,2) = 24
  REQUIRE(forced_move(q));
  CHECK(*forced_move(q) == Hop{sq(28), -1, +1, sq(24), false});
}

TEST_CASE("several captures: the player chooses, nothing is forced") {
  const Position p = fen("B:W18,19,32:B15");
  const std::vector<Hop> hops = legal_hops(p);
  CHECK(hops ==
        std::vector<Hop>{Hop{sq(15), -1, -1, sq(22), true}, Hop{sq(15), +1, -1, sq(24), true}});
  CHECK_FALSE(forced_move(p).has_value());
  for (const Hop& choice : hops) {
    Game game(p);
    const auto r = game.play(choice.from, choice.dx, choice.dy);
    REQUIRE(r);
    CHECK(game.position().piece_at(choice.to) == Piece::BlackMan);
    CHECK(game.position().count(Color::White) == 2);
  }
}

TEST_CASE("a multi-capture is played hop by hop with only the continuing piece") {
  const Position p = fen("B:W10,16,18,30:B6,12");
  CHECK(legal_hops(p).size() == 2);  // 6 over 10, 12 over 16
  Game game(p);
  const auto first = game.play(sq(6), +1, -1);
  REQUIRE(first);
  CHECK(first->captured);
  CHECK_FALSE(first->turn_over);
  CHECK(game.side_to_move() == Color::Black);  // the same player is asked again
  CHECK(game.position().continuing_piece() == sq(15));
  CHECK(game.ply_count() == 0);
  // 12x19 was legal a hop ago but now only the piece on 15 may move.
  CHECK_FALSE(game.play(sq(12), -1, -1).has_value());
  const std::vector<Hop> hops = game.legal_hops();
  REQUIRE(hops.size() == 1);
  CHECK(hops[0] == Hop{sq(15), -1, -1, sq(22), true});
  CHECK(game.forced_move() == hops[0]);  // the server plays it as CompulsoryMove
  const auto second = game.play(sq(15), -1, -1);
  REQUIRE(second);
  CHECK(second->turn_over);
  CHECK(game.side_to_move() == Color::White);
  CHECK_FALSE(game.position().continuing_piece().has_value());
  CHECK(game.position().to_fen() == "W:W16,30:B12,22");
  CHECK(game.ply_count() == 1);
  CHECK(game.hop_count() == 2);
}

TEST_CASE("crowning mid-sequence ends the turn at the hop level") {
  const Position p = fen("B:W26,27:B22");
  const auto r = apply_hop(p, *find_hop(p, sq(22), +1, -1));
  CHECK(r.crowned);
  CHECK(r.turn_over);
  CHECK(r.next.side_to_move() == Color::White);
  CHECK(r.next.piece_at(sq(31)) == Piece::BlackKing);
  // A king in the same place continues.
  const Position k = fen("B:W26,27:BK22");
  const auto kr = apply_hop(k, *find_hop(k, sq(22), +1, -1));
  CHECK_FALSE(kr.crowned);
  CHECK_FALSE(kr.turn_over);
  CHECK(legal_hops(kr.next) == std::vector<Hop>{Hop{sq(31), +1, +1, sq(24), true}});
}

TEST_CASE("kings capture backwards at the hop level") {
  const Position king = fen("B:W18:BK22");
  CHECK(legal_hops(king) == std::vector<Hop>{Hop{sq(22), +1, +1, sq(15), true}});
  const Position man = fen("B:W18:B22");
  CHECK_FALSE(find_hop(man, sq(22), +1, +1).has_value());
  CHECK(legal_hops(man).size() == 2);
}

TEST_CASE("continuation positions also drive the full-move generator") {
  const Position p = fen("B:W10,16,18,30:B6,12");
  const Position mid = apply_hop(p, *find_hop(p, sq(6), +1, -1)).next;
  MoveList list;
  generate_moves(mid, list);
  REQUIRE(list.size() == 1);
  CHECK(list[0].to_pdn() == "15x22");
  CHECK(play(mid, list[0]) == Position::from_fen("W:W16,30:B12,22"));
}
