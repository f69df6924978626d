// Games on the real server: a full game by real moves with Glicko-2 ratings
// that survive a restart, InvalidMove, CompulsoryMove and hop-by-hop
// multi-captures, ReQueue, leaving mid-game (LogOut, disconnect), the turn
// timeout, and 200 concurrent sessions in 100 games.
#include "fixture.hpp"

#include "server/glicko2.hpp"

using namespace checkers;
using namespace checkers::test;

namespace {

server::GlickoResult fresh_game(double score_a) {
  return server::rate_game(server::Glicko{}, server::Glicko{}, score_a);
}

// Logs in and returns the rating the server reports.
uint32_t rating_of(uint16_t port, const std::string& name, const std::string& pw = "pw") {
  ProtocolClient c(port);
  return c.login(name, pw).rating;
}

}  // namespace

TEST_CASE("a full game by real moves ends in GameOver with Glicko-2 ratings that persist",
          "[server][game]") {
  ServerProcess srv;
  auto p = login_pair(srv.port(), "anna", "ben");
  CHECK(p.first_turn.last_move == proto::kFirstTurnSentinel);
  CHECK(p.black_start.opponent_rating == 1500);
  GameDriver driver(p.black, p.white);
  const GameReport rep = driver.play(random_strategy(7));
  REQUIRE(rep.finished);
  REQUIRE(rep.over[0]);
  REQUIRE(rep.over[1]);
  const proto::GameOver& b = *rep.over[0];
  const proto::GameOver& w = *rep.over[1];
  CHECK(b.old_rating == 1500);
  CHECK(w.old_rating == 1500);
  CHECK(b.board == w.board.flipped_owner());
  CHECK(b.winning_move == w.winning_move);
  std::string black_name = p.white_start.opponent_name.str();
  std::string white_name = p.black_start.opponent_name.str();
  if (b.you_won || w.you_won) {
    CHECK(b.you_won != w.you_won);
    const auto r = fresh_game(b.you_won ? 1.0 : 0.0);
    CHECK(b.new_rating == r.a.wire_rating());
    CHECK(w.new_rating == r.b.wire_rating());
    CHECK(b.new_rating != w.new_rating);
  } else {  // a draw: 0 to both, rated as a draw
    const auto r = fresh_game(0.5);
    CHECK(b.new_rating == r.a.wire_rating());
    CHECK(w.new_rating == r.b.wire_rating());
  }
  p.black.close();
  p.white.close();
  srv.restart();
  CHECK(rating_of(srv.port(), black_name) == b.new_rating);
  CHECK(rating_of(srv.port(), white_name) == w.new_rating);
}

TEST_CASE("an illegal move gets InvalidMove with the unchanged board", "[server][game]") {
  ServerProcess srv;
  auto p = login_pair(srv.port(), "ivan", "jill");
  p.black.expect<proto::YourTurn>();
  const proto::Move backwards{1, 5, 1, 1};  // a Black man moving away from y = 0
  p.black.send(proto::MakeMove{backwards});
  const auto inv = p.black.expect<proto::InvalidMove>();
  CHECK(inv.move == backwards);
  CHECK(inv.board == p.first_turn.board);
  const proto::Move off_board{0, 0, -1, -1};
  p.black.send(proto::MakeMove{off_board});
  CHECK(p.black.expect<proto::InvalidMove>().move == off_board);
  // A legal move then passes the turn; the opponent learns it as last_move.
  const proto::Move step{1, 5, 1, -1};
  p.black.send(proto::MakeMove{step});
  const auto turn = p.white.expect<proto::YourTurn>();
  CHECK(turn.last_move == step);
  CHECK(turn.board.at(2, 4) == proto::Code::OpponentMan);
  CHECK(turn.board.at(1, 5) == proto::Code::Empty);
}

TEST_CASE("forced hops come as CompulsoryMove and multi-captures hop by hop", "[server][game]") {
  ServerProcess srv;
  ProtocolClient a(srv.port()), b(srv.port());
  a.login("kim", "pw");
  b.login("lee", "pw");
  int compulsory = 0, continuations = 0, games = 0;
  for (uint32_t seed = 1; seed <= 40 && (compulsory == 0 || continuations == 0); ++seed) {
    auto res = play_games({&a, &b}, random_strategy(seed));
    ++games;
    for (const ClientGame& g : res) {
      REQUIRE(g.over);
      compulsory += g.compulsory_moves;
      continuations += g.continuations;
    }
    a.send(proto::ReQueue{});
    b.send(proto::ReQueue{});
  }
  INFO("games played: " << games);
  CHECK(compulsory > 0);
  CHECK(continuations > 0);
}

TEST_CASE("ReQueue after a game reports the new rating", "[server][game]") {
  // After one game the Glicko gap is ~300 points: allow it at once so the re-pairing
  // does not wait for the gap to widen.
  ServerProcess srv({"--match-gap", "1000"});
  auto p = login_pair(srv.port(), "mia", "ned");
  GameDriver driver(p.black, p.white);
  const GameReport rep = driver.play(random_strategy(3));
  REQUIRE(rep.finished);
  p.black.send(proto::ReQueue{});
  const auto q = p.black.expect<proto::QueuePosition>();
  CHECK(q.rating == rep.over[0]->new_rating);
  CHECK(q.queue_pos == q.queue_size);
  p.white.send(proto::ReQueue{});
  // Both queued again: they are paired again (nobody else waits).
  CHECK(p.black.expect_skipping_queue<proto::GameStart>().opponent_rating ==
        rep.over[1]->new_rating);
  p.white.expect_skipping_queue<proto::GameStart>();
}

TEST_CASE("leaving a game mid-game is a rated loss; the opponent gets OpponentDisconnect",
          "[server][game]") {
  ServerProcess srv;
  const auto r = fresh_game(1.0);  // the stayer wins
  SECTION("LogOut") {
    auto p = login_pair(srv.port(), "olga", "pete");
    p.black.expect<proto::YourTurn>();
    p.black.send(proto::LogOut{});
    CHECK_NOTHROW(p.white.expect<proto::OpponentDisconnect>());
    // The leaver's connection stays open (Unauthenticated) and may log in again.
    CHECK(p.black.login("olga", "pw").rating == r.b.wire_rating());
    p.white.send(proto::ReQueue{});
    CHECK(p.white.expect_skipping_queue<proto::QueuePosition>().rating == r.a.wire_rating());
  }
  SECTION("disconnect") {
    auto p = login_pair(srv.port(), "olga", "pete");
    p.black.expect<proto::YourTurn>();
    p.black.send(proto::MakeMove{proto::Move{1, 5, 1, -1}});
    p.white.expect<proto::YourTurn>();
    p.black.close();  // white is to move (UserMove)
    CHECK_NOTHROW(p.white.expect<proto::OpponentDisconnect>());
    p.white.send(proto::ReQueue{});
    CHECK(p.white.expect<proto::QueuePosition>().rating == r.a.wire_rating());
    CHECK(rating_of(srv.port(), "olga") == r.b.wire_rating());
  }
}

TEST_CASE("a player who exceeds the turn timeout loses", "[server][game]") {
  ServerProcess srv({"--turn-timeout", "1"});
  auto p = login_pair(srv.port(), "quin", "rose");
  p.black.expect<proto::YourTurn>();
  const auto t0 = std::chrono::steady_clock::now();
  // black never moves.
  const auto over = p.white.expect<proto::GameOver>(5s);
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(t > 0.8);
  CHECK(t < 3.0);
  CHECK(over.you_won == 1);
  CHECK(over.old_rating == 1500);
  CHECK(over.new_rating == fresh_game(1.0).a.wire_rating());
  CHECK(over.board == p.first_turn.board.flipped_owner());
  CHECK(p.black.expect_closed(3s));
  CHECK(srv.wait_for_log("turn timeout"));
}

TEST_CASE("200 concurrent sessions play 100 games to the end", "[server][game]") {
  ServerProcess srv({"--max-clients-per-ip", "1000"});
  std::vector<std::unique_ptr<ProtocolClient>> clients;
  std::vector<ProtocolClient*> ptrs;
  for (int i = 0; i < 200; ++i) {
    clients.push_back(std::make_unique<ProtocolClient>(srv.port()));
    clients.back()->send(proto::Connect{1, proto::Str16("load" + std::to_string(i)), "pw"});
    clients.back()->set_name("load" + std::to_string(i));
    ptrs.push_back(clients.back().get());
  }
  const auto games = play_games(ptrs, random_strategy(11), 60s);
  int won = 0, moves = 0;
  for (const ClientGame& g : games) {
    REQUIRE(g.start);
    REQUIRE(g.over);
    CHECK_FALSE(g.opponent_disconnect);
    won += g.over->you_won ? 1 : 0;
    moves += g.moves_sent;
  }
  CHECK(won <= 100);
  CHECK(moves > 100);
  CHECK(srv.wait_for_log("game #100 over", 5s));
  CHECK(srv.log_count(" over: ") == 100);
}
