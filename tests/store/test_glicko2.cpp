// Glicko-2: Glickman's worked example, and the one-game periods the server uses.
#include <catch2/catch.hpp>

#include <vector>

#include "server/glicko2.hpp"

using namespace checkers::server;

TEST_CASE("glicko2 reproduces the worked example of Glickman's paper", "[glicko2]") {
  const Glicko player{1500, 200, 0.06};
  const std::vector<std::pair<Glicko, double>> games = {
      {{1400, 30, 0.06}, 1.0},
      {{1550, 100, 0.06}, 0.0},
      {{1700, 300, 0.06}, 0.0},
  };
  const Glicko out = glicko2_update(player, games, 0.5);
  CHECK(out.rating == Approx(1464.06).margin(0.01));
  CHECK(out.rd == Approx(151.52).margin(0.01));
  CHECK(out.volatility == Approx(0.05999).margin(0.00001));
}

TEST_CASE("rate_game: a win moves both players symmetrically when they are alike", "[glicko2]") {
  const Glicko fresh;
  const GlickoResult r = rate_game(fresh, fresh, 1.0);
  CHECK(r.a.rating > 1500);
  CHECK(r.b.rating < 1500);
  CHECK(r.a.rating - 1500 == Approx(1500 - r.b.rating).margin(1e-9));
  CHECK(r.a.rd < 350);
  CHECK(r.a.rd == Approx(r.b.rd));
  CHECK(r.a.wire_rating() == 1662);  // 1500 + 162.3 for two brand-new players
  const GlickoResult loss = rate_game(fresh, fresh, 0.0);
  CHECK(loss.a.rating == Approx(r.b.rating));
  CHECK(loss.b.rating == Approx(r.a.rating));
}

TEST_CASE("rate_game: a draw between equals keeps ratings and shrinks RD", "[glicko2]") {
  const Glicko a{1600, 80, 0.06};
  const GlickoResult r = rate_game(a, a, 0.5);
  CHECK(r.a.rating == Approx(1600).margin(1e-9));
  CHECK(r.b.rating == Approx(1600).margin(1e-9));
  CHECK(r.a.rd < 80);
}

TEST_CASE("rate_game: a draw against a stronger player gains rating", "[glicko2]") {
  const GlickoResult r = rate_game({1400, 100, 0.06}, {1800, 100, 0.06}, 0.5);
  CHECK(r.a.rating > 1400);
  CHECK(r.b.rating < 1800);
  const GlickoResult upset = rate_game({1400, 100, 0.06}, {1800, 100, 0.06}, 1.0);
  const GlickoResult expected = rate_game({1800, 100, 0.06}, {1400, 100, 0.06}, 1.0);
  CHECK(upset.a.rating - 1400 > expected.a.rating - 1800);
}

TEST_CASE("glicko2: no games only grows the RD, capped at 350", "[glicko2]") {
  const Glicko g{1500, 200, 0.06};
  const Glicko idle = glicko2_update(g, {}, 0.5);
  CHECK(idle.rating == g.rating);
  CHECK(idle.rd > 200);
  CHECK(idle.rd == Approx(200.27).margin(0.01));
  CHECK(glicko2_idle(g, 1e6).rd == 350);
}

TEST_CASE("wire_rating rounds and clamps", "[glicko2]") {
  CHECK(Glicko{1464.49, 1, 1}.wire_rating() == 1464);
  CHECK(Glicko{1464.5, 1, 1}.wire_rating() == 1465);
  CHECK(Glicko{-20, 1, 1}.wire_rating() == 0);
  CHECK(Glicko{1e12, 1, 1}.wire_rating() == 4294967295u);
  CHECK(Glicko{std::numeric_limits<double>::quiet_NaN(), 1, 1}.wire_rating() == 0);
}
