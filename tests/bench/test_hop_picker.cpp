// The bench's allocation-free hop picker against the rules library: over many random
// games, from every position and for the side to move, both must list the same hops.
#include <catch2/catch.hpp>

#include <algorithm>
#include <tuple>
#include <vector>

#include "bench/hop_picker.hpp"
#include "bench/latency_histogram.hpp"
#include "game/game.hpp"
#include "game/movegen.hpp"

using namespace checkers;

namespace {

// The board as the side to move receives it.
proto::Board view_of(const game::Position& pos) {
  proto::Board b;
  const game::Color me = pos.side_to_move();
  for (int x = 0; x < 8; ++x)
    for (int y = 0; y < 8; ++y) {
      const game::Piece p = pos.piece_at(game::Square{x, y});
      if (p == game::Piece::None) continue;
      const bool own = game::color_of(p) == me;
      const bool king = game::is_king(p);
      b.set(x, y,
            own ? (king ? proto::Code::OwnKing : proto::Code::OwnMan)
                : (king ? proto::Code::OpponentKing : proto::Code::OpponentMan));
    }
  return b;
}

using Key = std::tuple<int, int, int, int>;

std::vector<Key> game_hops(const game::Position& pos) {
  std::vector<Key> v;
  for (const game::Hop& h : game::legal_hops(pos)) v.emplace_back(h.from.x, h.from.y, h.dx, h.dy);
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<Key> bench_hops(const proto::Board& b, bench::Side side, bench::Square8 cont) {
  bench::HopList list;
  bench::legal_hops(b, side, cont, list);
  std::vector<Key> v;
  for (size_t i = 0; i < list.size; ++i)
    v.emplace_back(list.hops[i].x, list.hops[i].y, list.hops[i].dx, list.hops[i].dy);
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("bench hop picker lists exactly the rules library's legal hops") {
  bench::Rng rng(42);
  size_t positions = 0, continuations = 0;
  for (int g = 0; g < 200; ++g) {
    game::Position pos = game::Position::start();
    proto::Move last = proto::kFirstTurnSentinel;
    for (int ply = 0; ply < 300; ++ply) {
      const auto expected = game_hops(pos);
      if (expected.empty()) break;
      const bench::Side side =
          pos.side_to_move() == game::Color::Black ? bench::Side::Primary : bench::Side::Secondary;
      const proto::Board board = view_of(pos);
      // What the bench infers from YourTurn.last_move must match the engine's state.
      const bench::Square8 cont = bench::continuing_piece(board, side, last);
      const auto engine_cont = pos.continuing_piece();
      REQUIRE(cont.valid() == engine_cont.has_value());
      if (engine_cont) {
        REQUIRE(cont.x == engine_cont->x);
        REQUIRE(cont.y == engine_cont->y);
        ++continuations;
      }
      REQUIRE(bench_hops(board, side, cont) == expected);
      ++positions;
      const auto pick = bench::pick_hop(board, side, cont, rng);
      REQUIRE(pick.has_value());
      const auto hop = game::find_hop(pos, game::Square{pick->x, pick->y}, pick->dx, pick->dy);
      REQUIRE(hop.has_value());
      pos = game::apply_hop(pos, *hop).next;
      last = *pick;
    }
  }
  CHECK(positions > 10000);
  CHECK(continuations > 0);
}

TEST_CASE("latency histogram quantiles are within its resolution") {
  bench::LatencyHistogram h;
  CHECK(h.quantile_ms(0.5) == 0.0);
  for (int us = 1; us <= 1000; ++us) h.record(std::chrono::microseconds(us));
  CHECK(h.count() == 1000);
  CHECK(h.quantile_ms(0.5) == Approx(0.5).epsilon(0.03));
  CHECK(h.quantile_ms(0.99) == Approx(0.99).epsilon(0.03));
  CHECK(h.quantile_ms(0.999) == Approx(0.999).epsilon(0.03));
  h.record(std::chrono::seconds(5));
  CHECK(h.quantile_ms(1.0) == Approx(5000).epsilon(0.03));
}
