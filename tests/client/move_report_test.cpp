// Rebuilding the opponent's move from two server boards, for the "what happened" line.
#include <catch2/catch.hpp>

#include "client/board_adapter.hpp"
#include "client/move_report.hpp"
#include "game/movegen.hpp"
#include "game/position.hpp"

using namespace checkers;
using game::Color;

namespace {
proto::Move wire(const game::Hop& h) {
  return proto::Move{static_cast<uint8_t>(h.from.x), static_cast<uint8_t>(h.from.y),
                     static_cast<int8_t>(h.dx), static_cast<int8_t>(h.dy)};
}
}  // namespace

TEST_CASE("a step by the opponent") {
  const auto start = game::Position::start();
  const auto hop = game::find_hop(start, game::square_of_pdn(11), -1, -1);
  REQUIRE(hop);
  const auto after = game::apply_hop(start, *hop).next;
  const auto r = client::reconstruct_move(client::to_board(start, Color::White),
                                          client::to_board(after, Color::White), wire(*hop), Color::White);
  REQUIRE(r.mover);
  CHECK(*r.mover == Color::Black);
  CHECK(r.path.size() == 2);
  CHECK_FALSE(r.capture);
  CHECK(client::describe_move(r) == "11-15 (f6-e5)");
}

TEST_CASE("a double jump seen only at its end is rebuilt whole") {
  auto pos = game::Position::from_fen("W:W22:B18,11,1").value();
  const auto h1 = game::find_hop(pos, game::square_of_pdn(22), +1, +1);
  REQUIRE(h1);
  const auto mid = game::apply_hop(pos, *h1);
  REQUIRE_FALSE(mid.turn_over);
  const auto h2 = game::legal_hops(mid.next).at(0);
  const auto end = game::apply_hop(mid.next, h2).next;
  const auto r = client::reconstruct_move(client::to_board(pos, Color::Black),
                                          client::to_board(end, Color::Black), wire(h2), Color::Black);
  REQUIRE(r.mover);
  CHECK(*r.mover == Color::White);
  CHECK(r.captured == 2);
  CHECK(client::describe_move(r) == "22x15x8 (c3xe5xg7), capturing 2 pieces");
}

TEST_CASE("crowning is reported") {
  auto pos = game::Position::from_fen("B:W30:B6").value();
  const auto hops = game::legal_hops(pos);
  REQUIRE_FALSE(hops.empty());
  const auto after = game::apply_hop(pos, hops[0]).next;
  const auto r = client::reconstruct_move(client::to_board(pos, Color::White),
                                          client::to_board(after, Color::White), wire(hops[0]), Color::White);
  CHECK(r.crowned == false);  // 6 -> 1/2 is on rank 8? no: Black crowns on y = 0
  auto pos2 = game::Position::from_fen("B:W10:B26").value();
  const auto hop2 = game::legal_hops(pos2).at(0);
  const auto r2 = client::reconstruct_move(client::to_board(pos2, Color::White),
                                           client::to_board(game::apply_hop(pos2, hop2).next, Color::White),
                                           wire(hop2), Color::White);
  CHECK(r2.crowned);
  CHECK(client::describe_move(r2).find("crowned") != std::string::npos);
}

#include "client/game_tracker.hpp"

TEST_CASE("the tracker follows a hop-by-hop capture from the server's boards") {
  client::GameTracker t;
  t.begin(proto::GameStart{"bob", 1500});
  const auto pos = game::Position::from_fen("B:W18,27:B14,1").value();
  // First YourTurn of the game (sentinel): we are Black.
  CHECK_FALSE(t.observe(client::to_board(pos, Color::Black), proto::kFirstTurnSentinel, proto::MsgType::YourTurn));
  REQUIRE(t.my_color() == Color::Black);
  CHECK_FALSE(t.continuation());
  const auto hop = game::find_hop(t.my_position(), game::square_of_pdn(14), +1, -1);
  REQUIRE(hop);
  REQUIRE(hop->capture);
  t.sent(*hop);
  const auto mid = game::apply_hop(pos, *hop);
  REQUIRE_FALSE(mid.turn_over);
  // The server asks for the continuation: YourTurn naming our own jump.
  const auto report = t.observe(client::to_board(mid.next, Color::Black), wire(*hop), proto::MsgType::YourTurn);
  REQUIRE(report);
  CHECK(report->mover == Color::Black);
  CHECK(t.continuation());
  CHECK(t.my_position().continuing_piece() == game::square_of_pdn(23));
  CHECK(t.moves() == 1);
}

namespace {
game::Hop hop_to(const game::Position& pos, int from_pdn, int to_pdn) {
  for (const game::Hop& h : game::legal_hops(pos))
    if (h.from == game::square_of_pdn(from_pdn) && h.to == game::square_of_pdn(to_pdn)) return h;
  FAIL("no hop " << from_pdn << "-" << to_pdn);
  return {};
}
}  // namespace

TEST_CASE("the tracker counts the opponent's move hidden behind our forced reply") {
  client::GameTracker t;
  t.begin(proto::GameStart{"bob", 1500});
  const auto start = game::Position::start();
  CHECK_FALSE(t.observe(client::to_board(start, Color::Black), proto::kFirstTurnSentinel, proto::MsgType::YourTurn));
  REQUIRE(t.my_color() == Color::Black);
  const game::Hop ours = hop_to(start, 11, 15);
  t.sent(ours);
  const auto after_ours = game::apply_hop(start, ours).next;
  const auto after_theirs = game::apply_hop(after_ours, hop_to(after_ours, 22, 18)).next;
  // 15x22 is Black's only legal hop: the server plays it and sends CompulsoryMove,
  // so we never see the board right after White's 22-18.
  REQUIRE(game::legal_hops(after_theirs).size() == 1);
  const game::Hop forced = game::legal_hops(after_theirs).front();
  const auto after_forced = game::apply_hop(after_theirs, forced).next;
  const auto report = t.observe(client::to_board(after_forced, Color::Black), wire(forced),
                                proto::MsgType::CompulsoryMove);
  REQUIRE(report);
  CHECK(report->mover == Color::Black);
  CHECK(t.moves() == 3);  // 11-15, 22-18, 15x22
}

TEST_CASE("White is recognised from its first board, and GameOver results are classified") {
  client::GameTracker t;
  t.begin(proto::GameStart{"bob", 1500});
  const auto start = game::Position::start();
  const auto hop = game::find_hop(start, game::square_of_pdn(11), -1, -1).value();
  const auto after = game::apply_hop(start, hop).next;
  const auto report = t.observe(client::to_board(after, Color::White), wire(hop), proto::MsgType::YourTurn);
  REQUIRE(t.my_color() == Color::White);
  REQUIRE(report);
  CHECK(client::describe_move(*report) == "11-15 (f6-e5)");
  proto::GameOver over{0, 1490, 1500, wire(hop), client::to_board(after, Color::White)};
  CHECK(t.finish(over).result == client::GameOutcome::Result::Draw);  // White can still move
  const auto blocked = game::Position::from_fen("W:W32:B27,28,23").value();  // White man 32 cannot move
  REQUIRE_FALSE(game::has_legal_move(blocked));
  proto::GameOver lost{0, 1490, 1500, wire(hop), client::to_board(blocked, Color::White)};
  CHECK(t.finish(lost).result == client::GameOutcome::Result::Loss);
  proto::GameOver won{1, 1510, 1500, wire(hop), client::to_board(after, Color::White)};
  CHECK(t.finish(won).result == client::GameOutcome::Result::Win);
}
