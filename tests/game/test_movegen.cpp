// Full-move generation: perft against the published English-draughts values, and the capture
// rules on hand-built positions (compulsory capture, choice, continuation, crowning, kings).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "game/movegen.hpp"
#include "game/pdn.hpp"

using namespace checkers::game;

namespace {

Position fen(const char* text) {
  auto p = Position::from_fen(text);
  REQUIRE(p);
  return *p;
}

std::set<std::string> moves_of(const Position& p) {
  MoveList list;
  generate_moves(p, list);
  std::set<std::string> out;
  for (const Move& m : list) out.insert(m.to_pdn());
  CHECK(out.size() == list.size());  // no duplicates
  CHECK(static_cast<int>(list.size()) == count_moves(p));
  CHECK(has_legal_move(p) == !list.empty());
  return out;
}

using Set = std::set<std::string>;

}  // namespace

TEST_CASE("perft from the start position matches the published values") {
  const std::vector<uint64_t> expected{7, 49, 302, 1469, 7361, 36768, 179740, 845931};
  for (size_t d = 0; d < expected.size(); ++d) {
    INFO("depth " << d + 1);
    CHECK(perft(Position::start(), static_cast<int>(d) + 1) == expected[d]);
  }
  CHECK(perft(Position::start(), 0) == 1);
}

TEST_CASE("opening moves") {
  CHECK(moves_of(Position::start()) ==
        Set{"9-13", "9-14", "10-14", "10-15", "11-15", "11-16", "12-16"});
  const Position after = play(Position::start(), *find_move(Position::start(), "11-15"));
  CHECK(after.side_to_move() == Color::White);
  CHECK(moves_of(after) == Set{"21-17", "22-17", "22-18", "23-18", "23-19", "24-19", "24-20"});
}

TEST_CASE("captures are compulsory") {
  // Black could step 9-13, 9-14 or 15-18, but the man on 15 can capture 19.
  const Position p = fen("B:W19,30:B9,15");
  CHECK(moves_of(p) == Set{"15x24"});
  CHECK(has_capture(p));
  // Without the white man on 19 the steps are the legal moves.
  CHECK(moves_of(fen("B:W30:B9,15")) == Set{"9-13", "9-14", "15-18", "15-19"});
  const Position q = play(p, *find_move(p, "15x24"));
  CHECK(q.piece_at(square_of_pdn(19)) == Piece::None);
  CHECK(q.piece_at(square_of_pdn(24)) == Piece::BlackMan);
  CHECK(q.count(Color::White) == 1);
}

TEST_CASE("the player chooses among captures, the shorter one included") {
  CHECK(moves_of(fen("B:W18,19,32:B15")) == Set{"15x22", "15x24"});
  // 15x22x29 takes two pieces (and crowns), 15x24 only one: both are legal, since English
  // draughts has no rule to take the most pieces.
  CHECK(moves_of(fen("B:W18,19,25:B15")) == Set{"15x22x29", "15x24"});
}

TEST_CASE("a capture sequence continues while the piece can capture") {
  // 6 jumps 10 to 15, then 18 to 22; stopping at 15 is not a legal move.
  CHECK(moves_of(fen("B:W10,16,18,30:B6,12")) == Set{"6x15x22", "12x19"});
  const Position p = fen("B:W10,18,30:B6");
  const Move m = *find_move(p, "6x22");  // short PDN form
  CHECK(m.to_pdn() == "6x15x22");
  CHECK(m.capture_count() == 2);
  const Position q = play(p, m);
  CHECK(q.to_fen() == "W:W30:B22");
}

TEST_CASE("crowning ends the move, even mid-sequence") {
  // The man jumps 26 and lands on 31 (y = 0): it is crowned and stops, although a king there
  // could go on over 27.
  const Position man = fen("B:W26,27:B22");
  CHECK(moves_of(man) == Set{"22x31"});
  const Position q = play(man, *find_move(man, "22x31"));
  CHECK(q.piece_at(square_of_pdn(31)) == Piece::BlackKing);
  CHECK(q.side_to_move() == Color::White);
  CHECK(moves_of(fen("B:W26,27:BK22")) == Set{"22x31x24"});
  // White crowns on y = 7 (squares 1-4).
  const Position white = fen("W:W9:B5,6");
  CHECK(moves_of(white) == Set{"9x2"});
  CHECK(play(white, *find_move(white, "9x2")).piece_at(square_of_pdn(2)) == Piece::WhiteKing);
  // A step onto the far row crowns too.
  const Position step = fen("B:W1:B27");
  CHECK(play(step, *find_move(step, "27-32")).piece_at(square_of_pdn(32)) == Piece::BlackKing);
}

TEST_CASE("kings move and capture backwards; men only forwards") {
  CHECK(moves_of(fen("B:W18:BK22")) == Set{"22x15"});
  CHECK(moves_of(fen("B:W18:B22")) == Set{"22-25", "22-26"});
  CHECK(moves_of(fen("B:W1:BK22")) == Set{"22-17", "22-18", "22-25", "22-26"});
  CHECK(moves_of(fen("W:WK15:B1")) == Set{"15-10", "15-11", "15-18", "15-19"});
  // A white man does not capture backwards (towards y = 0).
  CHECK(moves_of(fen("W:W15:B19,1")) == Set{"15-10", "15-11"});
  // A king may finish its capture on the square it started from.
  CHECK(moves_of(fen("B:W14,15,22,23:BK10")) == Set{"10x17x26x19x10", "10x19x26x17x10"});
}

TEST_CASE("no legal move when blocked or without pieces") {
  CHECK(moves_of(fen("W:W29:B22,25")).empty());
  CHECK(moves_of(fen("W:W:B1")).empty());
  CHECK(perft(fen("W:W29:B22,25"), 3) == 0);
}

TEST_CASE("PDN move text") {
  const Position p = Position::start();
  CHECK(find_move(p, "11-15")->to_pdn() == "11-15");
  CHECK_FALSE(find_move(p, "11-14").has_value());
  CHECK_FALSE(find_move(p, "11").has_value());
  CHECK_FALSE(find_move(p, "11-").has_value());
  CHECK_FALSE(find_move(p, "banana").has_value());
  // Two captures share the short form 10x10: ambiguous.
  CHECK_FALSE(find_move(fen("B:W14,15,22,23:BK10"), "10x10").has_value());
  CHECK(find_move(fen("B:W14,15,22,23:BK10"), "10x17x26x19x10").has_value());
  CHECK(render_board(p).find("FEN: " + p.to_fen()) != std::string::npos);
}

TEST_CASE("full moves and hop-by-hop play agree on random games") {
  std::mt19937_64 rng(12345);
  int positions = 0;
  for (int game = 0; game < 60; ++game) {
    Position p = Position::start();
    for (int turn = 0; turn < 150; ++turn) {
      MoveList list;
      generate_moves(p, list);
      const std::vector<Hop> hops = legal_hops(p);
      // The legal hops are exactly the first hops of the legal full moves.
      std::vector<Hop> firsts;
      for (const Move& m : list) {
        const Hop h = m.hops().front();
        if (std::find(firsts.begin(), firsts.end(), h) == firsts.end()) firsts.push_back(h);
      }
      REQUIRE(firsts.size() == hops.size());
      for (const Hop& h : hops) REQUIRE(std::find(firsts.begin(), firsts.end(), h) != firsts.end());
      if (list.empty()) break;
      ++positions;
      const Move& m = list[std::uniform_int_distribution<size_t>(0, list.size() - 1)(rng)];
      // Play the move hop by hop: every hop is legal and only the last ends the turn.
      Position q = p;
      const std::vector<Hop> seq = m.hops();
      for (size_t i = 0; i < seq.size(); ++i) {
        const auto h = find_hop(q, seq[i].from, seq[i].dx, seq[i].dy);
        REQUIRE(h);
        REQUIRE(*h == seq[i]);
        const HopResult r = apply_hop(q, *h);
        REQUIRE(r.turn_over == (i + 1 == seq.size()));
        q = r.next;
      }
      REQUIRE(q == play(p, m));
      p = q;
    }
  }
  CHECK(positions > 2000);
}
