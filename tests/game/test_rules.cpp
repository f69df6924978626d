// The referee (Game): end of game by no legal move, draws by threefold repetition and by the
// 40-move rule, and what counts as progress for them.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "game/game.hpp"

using namespace checkers::game;

namespace {

Position fen(const char* text) {
  auto p = Position::from_fen(text);
  REQUIRE(p);
  return *p;
}

Square sq(int pdn) { return square_of_pdn(pdn); }

// Plays the step from PDN square a to the adjacent square b.
void step(Game& g, int a, int b) {
  const Square from = sq(a), to = sq(b);
  INFO(a << "-" << b);
  REQUIRE(g.play(from, to.x - from.x, to.y - from.y).has_value());
}

}  // namespace

TEST_CASE("a fresh game is ongoing") {
  Game g;
  CHECK(g.status().kind == GameStatus::Ongoing);
  CHECK(g.status().reason == GameStatus::None);
  CHECK(g.side_to_move() == Color::Black);
  CHECK(g.legal_hops().size() == 7);
  CHECK(g.position() == Position::start());
}

TEST_CASE("a blocked side loses") {
  Game g(fen("B:W29:B18,25"));
  CHECK_FALSE(g.over());
  step(g, 18, 22);  // now White's man on 29 has neither a step nor a jump
  CHECK(g.status().kind == GameStatus::Win);
  CHECK(g.status().winner == Color::Black);
  CHECK(g.status().reason == GameStatus::NoLegalMove);
  CHECK(g.legal_hops().empty());
  CHECK_FALSE(g.forced_move().has_value());
  // Nothing more can be played.
  CHECK_FALSE(g.play(sq(29), +1, +1).has_value());
  // A position given with the side to move blocked is already decided.
  CHECK(Game(fen("W:W29:B22,25")).status().winner == Color::Black);
}

TEST_CASE("a side without pieces loses") {
  Game g(fen("W:W23:B18"));
  REQUIRE(g.play(sq(23), -1, +1));  // 23 jumps 18, Black has nothing left
  CHECK(g.status().kind == GameStatus::Win);
  CHECK(g.status().winner == Color::White);
  CHECK(g.status().reason == GameStatus::NoLegalMove);
}

TEST_CASE("draw by threefold repetition at turn boundaries") {
  Game g(fen("B:WK32:BK1"));
  for (int cycle = 0; cycle < 2; ++cycle) {
    step(g, 1, 6);
    step(g, 32, 27);
    step(g, 6, 1);
    CHECK(g.status().kind == GameStatus::Ongoing);
    step(g, 27, 32);
    if (cycle == 0) CHECK(g.status().kind == GameStatus::Ongoing);  // second occurrence only
  }
  CHECK(g.status().kind == GameStatus::Draw);
  CHECK(g.status().reason == GameStatus::Repetition);
  CHECK_FALSE(g.status().winner.has_value());
  CHECK_FALSE(g.play(sq(1), +1, -1).has_value());
  CHECK(g.ply_count() == 8);
}

TEST_CASE("draw by the 40-move rule: 80 turns without a capture or a man move") {
  // Two kings each roam without repeating a position three times.
  Game g(fen("B:WK29,K32:BK1,K4"));
  std::map<uint64_t, int> seen;
  seen[g.position().hash()] = 1;
  for (int turn = 0; turn < 80; ++turn) {
    REQUIRE(g.status().kind == GameStatus::Ongoing);
    CHECK(g.quiet_turns() == turn);
    // Pick the first step that leads to the least-seen position and gives no capture away.
    std::optional<Hop> pick;
    int best = 1 << 30;
    for (const Hop& h : g.legal_hops()) {
      REQUIRE_FALSE(h.capture);
      const Position next = apply_hop(g.position(), h).next;
      if (!legal_hops(next).empty() && legal_hops(next).front().capture) continue;
      const int n = seen[next.hash()];
      if (n < best) {
        best = n;
        pick = h;
      }
    }
    REQUIRE(pick);
    REQUIRE(best < 2);
    REQUIRE(g.play(pick->from, pick->dx, pick->dy));
    ++seen[g.position().hash()];
  }
  CHECK(g.quiet_turns() == 80);
  CHECK(g.status().kind == GameStatus::Draw);
  CHECK(g.status().reason == GameStatus::FortyMoveRule);
}

TEST_CASE("a capture or a man move resets the 40-move count") {
  Game g(fen("B:W21,K32:BK1"));
  step(g, 1, 6);
  step(g, 32, 27);
  CHECK(g.quiet_turns() == 2);
  step(g, 6, 1);
  step(g, 21, 17);  // a white man moves
  CHECK(g.quiet_turns() == 0);
  step(g, 1, 6);
  CHECK(g.quiet_turns() == 1);

  Game c(fen("B:WK18,K32:BK1,K14,K23"));
  step(c, 1, 6);
  CHECK(c.quiet_turns() == 1);
  REQUIRE(c.play(sq(18), +1, -1));  // the white king on 18 jumps 23
  CHECK(c.quiet_turns() == 0);
}

TEST_CASE("the referee records every completed turn, a multi-capture as one move") {
  Game g(fen("B:W15,24,30:B1,10"));
  REQUIRE(g.play(sq(10), +1, -1));  // 10x19, the same piece must go on
  CHECK(g.moves().empty());         // a turn in progress is not a move yet
  REQUIRE(g.play(sq(19), +1, -1));  // x28: crowned, the turn ends
  REQUIRE(g.moves().size() == 1);
  CHECK(g.moves()[0].to_pdn() == "10x19x28");
  CHECK(g.moves()[0].capture_count() == 2);
  step(g, 30, 26);
  step(g, 1, 6);
  REQUIRE(g.moves().size() == 3);
  CHECK(g.moves()[1].to_pdn() == "30-26");
  CHECK(g.moves()[2].to_pdn() == "1-6");
  CHECK(g.moves().size() == static_cast<size_t>(g.ply_count()));
}
