// Search: a forced win in 3 found and proven, determinism per seed, the three levels, and
// search from a position in the middle of a capture sequence.
#include <catch2/catch.hpp>

#include "game/game.hpp"
#include "game/pdn.hpp"
#include "game/search.hpp"

using namespace checkers::game;

namespace {

Position fen(const char* text) {
  auto p = Position::from_fen(text);
  REQUIRE(p);
  return *p;
}

// Plain minimax without any of the searcher's machinery: can the side to move leave the
// opponent without a legal move within `plies` plies?
bool wins_within(const Position& p, int plies) {
  if (plies <= 0) return false;
  MoveList mine;
  generate_moves(p, mine);
  for (const Move& m : mine) {
    const Position q = play(p, m);
    MoveList replies;
    generate_moves(q, replies);
    if (replies.empty()) return true;
    bool all_lose = plies >= 3;
    for (const Move& r : replies) {
      if (!all_lose) break;
      all_lose = wins_within(play(q, r), plies - 2);
    }
    if (all_lose) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("search finds a forced win in 3 (two kings against two)") {
  // Black: kings on 18 and 22; White: kings on 13 and 29; Black to move wins in three moves
  // with 18-14 (the only winning move).
  const Position p = fen("B:WK13,K29:BK18,K22");
  REQUIRE(wins_within(p, 5));
  REQUIRE_FALSE(wins_within(p, 3));

  Searcher s(1);
  const SearchResult r = s.search(p, SearchLimits{8, 0});
  CHECK(r.best.to_pdn() == "18-14");
  CHECK(r.score == kWinScore - 5);  // the opponent has no move after our 3rd move (ply 5)
  CHECK(r.nodes > 0);

  // Every other first move fails to win within 3.
  MoveList moves;
  generate_moves(p, moves);
  for (const Move& m : moves) {
    if (m == r.best) continue;
    const Position q = play(p, m);
    MoveList replies;
    generate_moves(q, replies);
    bool forced = !replies.empty();
    for (const Move& reply : replies) forced = forced && wins_within(play(q, reply), 3);
    CHECK_FALSE(forced);
  }

  // Playing the search's moves against the best defence ends in a win for Black.
  Game game(p);
  Searcher black(3), white(4);
  for (int turn = 0; turn < 5 && !game.over(); ++turn) {
    Searcher& side = game.side_to_move() == Color::Black ? black : white;
    const Move m = side.search(game.position(), SearchLimits{8, 0}).best;
    for (const Hop& h : m.hops()) REQUIRE(game.play(h.from, h.dx, h.dy));
  }
  CHECK(game.status().winner == Color::Black);
  CHECK(game.ply_count() == 5);
}

TEST_CASE("search resolves pending captures at the horizon") {
  // Black's only move 12-16 lets White jump 20x11. A depth-1 search must see that capture
  // (captures are compulsory, so the position after 12-16 is not quiet) and score a lost man.
  const Position p = fen("B:W20,32:B12,28");
  const SearchResult r = Searcher(1).search(p, SearchLimits{1, 0});
  CHECK(r.best.to_pdn() == "12-16");
  CHECK(r.score < -60);
}

TEST_CASE("search is deterministic for a seed") {
  Position p = Position::start();
  Searcher a(42), b(42);
  for (int i = 0; i < 6; ++i) {
    const SearchResult ra = a.search(p, SearchLimits{6, 0});
    const SearchResult rb = b.search(p, SearchLimits{6, 0});
    REQUIRE(ra.best == rb.best);
    CHECK(ra.score == rb.score);
    CHECK(ra.nodes == rb.nodes);
    CHECK(a.choose(p, Level::Random) == b.choose(p, Level::Random));
    p = play(p, ra.best);
  }
}

TEST_CASE("random level plays uniformly among legal moves with its seed") {
  Searcher s(7);
  MoveList moves;
  generate_moves(Position::start(), moves);
  std::vector<int> hits(moves.size(), 0);
  for (int i = 0; i < 700; ++i) {
    const Move m = s.choose(Position::start(), Level::Random);
    size_t k = 0;
    while (k < moves.size() && !(moves[k] == m)) ++k;
    REQUIRE(k < moves.size());
    ++hits[k];
  }
  for (int h : hits) CHECK(h > 50);  // 100 expected each
}

TEST_CASE("medium beats random") {
  for (uint64_t seed = 1; seed <= 2; ++seed) {
    Game game;
    Searcher bot(seed), rnd(seed + 100);
    const Color bot_color = seed % 2 ? Color::Black : Color::White;
    while (!game.over() && game.ply_count() < 300) {
      const bool bots_turn = game.side_to_move() == bot_color;
      const Move m = bots_turn ? bot.search(game.position(), SearchLimits{5, 0}).best
                               : rnd.choose(game.position(), Level::Random);
      REQUIRE_FALSE(m.empty());
      for (const Hop& h : m.hops()) REQUIRE(game.play(h.from, h.dx, h.dy));
    }
    INFO("seed " << seed);
    CHECK(game.status().winner == bot_color);
  }
}

TEST_CASE("levels return legal moves, and the empty move when there is none") {
  Searcher s(5);
  for (Level level : {Level::Random, Level::Medium}) {
    const Move m = s.choose(Position::start(), level);
    CHECK(find_move(Position::start(), m.to_pdn()).has_value());
  }
  const Position blocked = fen("W:W29:B22,25");
  CHECK(s.choose(blocked, Level::Random).empty());
  CHECK(s.choose(blocked, Level::Medium).empty());
  CHECK(s.search(blocked, SearchLimits{}).best.empty());
}

TEST_CASE("strong level respects its time budget") {
  // The search reads a clock that moves 1 ms per reading: the budget is counted in
  // readings, not measured, so the outcome is the same on any machine and build.
  uint64_t readings = 0;
  const auto origin = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  Searcher s(9, 16, [&] { return origin + std::chrono::milliseconds(readings++); });
  const Move m = s.choose(Position::start(), Level::Strong);
  CHECK_FALSE(m.empty());
  // One reading sets the deadline, one per 1,024 nodes checks it: the 300 ms budget
  // runs out at the 301st reading, and the search reads no further.
  CHECK(readings == 301);
  // Untimed, the same search is bounded by depth alone and reads no clock.
  readings = 0;
  const SearchResult r = s.search(Position::start(), SearchLimits{8, 0});
  CHECK(readings == 0);
  CHECK(r.depth == 8);
  CHECK_FALSE(r.best.empty());
}

TEST_CASE("search from the middle of a capture sequence returns a continuation") {
  const Position p = fen("B:W10,16,18,30:B6,12");
  const Position mid = apply_hop(p, *find_hop(p, square_of_pdn(6), +1, -1)).next;
  Searcher s(1);
  const Move m = s.search(mid, SearchLimits{6, 0}).best;
  CHECK(m.to_pdn() == "15x22");
  CHECK(s.choose(mid, Level::Random).to_pdn() == "15x22");
}
