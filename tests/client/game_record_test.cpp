// The game record: every ply once with the right actor, hidden plies rebuilt from the
// boards, the server's board winning when the rules differ, the move list and its PDN.
#include <catch2/catch.hpp>

#include "client/board_adapter.hpp"
#include "client/game_record.hpp"
#include "client/game_tracker.hpp"
#include "game/pdn.hpp"

using namespace checkers;
using client::GameRecord;
using game::Color;
using game::Hop;
using game::Position;

namespace {

std::vector<Hop> hops_of(const Position& pos, const char* text) {
  const auto m = game::find_move(pos, text);
  REQUIRE(m);
  return m->hops();
}

Position after_moves(std::initializer_list<const char*> moves) {
  Position pos = Position::start();
  for (const char* t : moves) pos = game::play(pos, *game::find_move(pos, t));
  return pos;
}

}  // namespace

TEST_CASE("the opponent's step hidden behind our forced capture is rebuilt, then our forced ply") {
  GameRecord rec;
  for (const Hop& h : hops_of(rec.position(), "11-15")) REQUIRE(rec.play_own(h));
  REQUIRE(rec.plies().size() == 1);
  CHECK(rec.plies()[0].complete);
  // White plays 22-18 (never shown to Black), the server forces Black's 15x22.
  const Position server = after_moves({"11-15", "22-18", "15x22"});
  const Hop forced = hops_of(after_moves({"11-15", "22-18"}), "15x22").front();
  const auto obs = rec.observe(forced, server, true, std::nullopt);
  CHECK_FALSE(obs.disagreed);
  REQUIRE(obs.completed == std::vector<size_t>{1, 2});
  const auto& p = rec.plies();
  CHECK(p[1].mover == Color::White);
  CHECK(p[1].pdn() == "22-18");
  CHECK(p[1].reconstructed);
  CHECK_FALSE(p[1].forced);
  CHECK(p[2].mover == Color::Black);
  CHECK(p[2].pdn() == "15x22");
  CHECK(p[2].forced);
  CHECK(rec.position().side_to_move() == Color::White);
  CHECK(rec.move_list() == "1. 11-15 22-18  2. 15x22");
}

TEST_CASE("our own double jump stays ours when the server plays its last hop") {
  const Position before =
      after_moves({"11-15", "22-18", "15x22", "26x17", "12-16", "31-26", "9-13", "23-19"});
  GameRecord rec(before);
  const auto hops = hops_of(before, "13x22x31");
  REQUIRE(hops.size() == 2);
  REQUIRE(rec.play_own(hops[0]));
  CHECK_FALSE(rec.plies().back().complete);
  // The continuation is the only hop: the server plays it (CompulsoryMove).
  const auto obs = rec.observe(hops[1], game::play(before, *game::find_move(before, "13x22x31")),
                               true, std::nullopt);
  REQUIRE(obs.completed.size() == 1);
  const auto& ply = rec.plies().back();
  CHECK(ply.pdn() == "13x22x31");
  CHECK_FALSE(ply.forced);
  CHECK(ply.captured == 2);
  CHECK(ply.crowned);
  CHECK(ply.description() == "13x22x31 (2 captured), crowned");
}

TEST_CASE("the opponent's multi-jump is one ply even when the server named only its last hop") {
  const Position before =
      after_moves({"11-15", "22-18", "15x22", "26x17", "12-16", "31-26", "9-13", "23-19"});
  GameRecord rec(before.with_side_to_move(Color::Black));
  const Position after = game::play(before, *game::find_move(before, "13x22x31"));
  const auto hops = hops_of(before, "13x22x31");
  const auto obs = rec.observe(hops[1], after, false, Color::White);
  REQUIRE(obs.completed.size() == 1);
  CHECK(rec.plies().back().pdn() == "13x22x31");
  CHECK(rec.plies().back().mover == Color::Black);
}

TEST_CASE("a board no legal move explains: the server's board wins") {
  GameRecord rec;
  for (const Hop& h : hops_of(rec.position(), "11-15")) REQUIRE(rec.play_own(h));
  // White "moved" 22 to 17 sideways-ish: impossible under our rules.
  const Position server = Position::start()
                              .with_piece(game::square_of_pdn(11), game::Piece::None)
                              .with_piece(game::square_of_pdn(15), game::Piece::BlackMan)
                              .with_piece(game::square_of_pdn(22), game::Piece::None)
                              .with_piece(game::square_of_pdn(13), game::Piece::WhiteMan);
  const game::Square from = game::square_of_pdn(22);
  const Hop named{from, -1, +1, {from.x - 1, from.y + 1}, false};
  const auto obs = rec.observe(named, server, false, Color::Black);
  CHECK(obs.disagreed);
  REQUIRE(obs.completed.size() == 1);
  CHECK(rec.plies().back().approximate);
  CHECK(rec.position().black() == server.black());
  CHECK(rec.position().white() == server.white());
  CHECK(rec.position().side_to_move() == Color::Black);
}

TEST_CASE("a refused own hop is taken back") {
  GameRecord rec;
  REQUIRE(rec.play_own(hops_of(rec.position(), "11-15").front()));
  rec.revert_own();
  CHECK(rec.plies().empty());
  CHECK(rec.position() == Position::start());
}

TEST_CASE("the move list numbers full moves and starts White's first move with ...") {
  GameRecord rec(Position::start().with_side_to_move(Color::White));
  REQUIRE(rec.play_own(hops_of(rec.position(), "22-18").front()));
  REQUIRE(rec.play_own(hops_of(rec.position(), "11-15").front()));
  CHECK(rec.move_list() == "1. ... 22-18  2. 11-15");
  CHECK(rec.move_list(1) == "2. 11-15");
}

TEST_CASE("repetition in the record is a draw the record keeps playing past") {
  // Kings only: shuffle back and forth until the position is there three times.
  const Position start = *Position::from_fen("B:WK29:BK4");
  GameRecord rec(start);
  const char* shuffle[] = {"4-8", "29-25", "8-4", "25-29"};
  for (int round = 0; round < 3; ++round)
    for (const char* m : shuffle) REQUIRE(rec.play_own(hops_of(rec.position(), m).front()));
  CHECK(rec.status().kind == game::GameStatus::Draw);
  CHECK(rec.status().reason == game::GameStatus::Repetition);
  CHECK(rec.play_own(hops_of(rec.position(), "4-8").front()));
}

TEST_CASE("PDN written from a game replays to the same position") {
  game::PdnGame pdn;
  pdn.tags = {
      {"Event", "test \"quoted\""}, {"Black", "alice"}, {"White", "bob"}, {"Result", "1-0"}};
  pdn.moves = {"11-15", "22-18", "15x22", "26x17", "12-16", "31-26", "9-13", "23-19", "13x22x31"};
  pdn.result = "1-0";
  const std::string text = game::write_pdn(pdn);
  CHECK(text.find("1. 11-15 22-18 2. 15x22 26x17") != std::string::npos);
  CHECK(text.find("[Event \"test \\\"quoted\\\"\"]") != std::string::npos);
  std::string error;
  auto back = game::parse_pdn(text, error);
  REQUIRE(back);
  CHECK(back->moves == pdn.moves);
  CHECK(back->result == "1-0");
  CHECK(back->tags.front().second == "test \"quoted\"");
  const auto final = game::replay_pdn(*back, error);
  REQUIRE(final);
  CHECK(*final == after_moves({"11-15", "22-18", "15x22", "26x17", "12-16", "31-26", "9-13",
                               "23-19", "13x22x31"}));

  game::PdnGame bad = *back;
  bad.moves.push_back("1-5");  // not a legal move for White there
  CHECK_FALSE(game::replay_pdn(bad, error));
  CHECK(error.find("1-5") != std::string::npos);
}

TEST_CASE(
    "a GameOver without a move (the opponent's time ran out) adds no ply and names the cause") {
  client::GameTracker t;
  t.begin(proto::GameStart{proto::Str16("bob"), 1500});
  const proto::Board start = client::to_board(Position::start(), Color::Black);
  t.observe(start, proto::kFirstTurnSentinel, proto::MsgType::YourTurn);
  REQUIRE(t.my_color() == Color::Black);
  const Hop hop = hops_of(Position::start(), "11-15").front();
  CHECK(t.sent(hop).completed.size() == 1);
  const Position after = game::apply_hop(Position::start(), hop).next;
  const proto::Move wire{static_cast<uint8_t>(hop.from.x), static_cast<uint8_t>(hop.from.y),
                         static_cast<int8_t>(hop.dx), static_cast<int8_t>(hop.dy)};
  const proto::GameOver over{1, 1516, 1500, wire, client::to_board(after, Color::Black)};
  const auto obs = t.observe(over.board, over.winning_move, proto::MsgType::GameOver);
  CHECK(obs.completed.empty());
  CHECK_FALSE(obs.disagreed);
  const client::GameOutcome out = t.finish(over);
  CHECK(out.result == client::GameOutcome::Result::Win);
  CHECK(out.cause == "bob did not move in time");
  CHECK(t.record().plies().size() == 1);
}
