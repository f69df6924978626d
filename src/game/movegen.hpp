// Move generation and execution. Two granularities:
//  * full moves (Move): a whole turn, a step or a complete capture sequence - for perft and
//    search, generated into a fixed-capacity MoveList without allocation;
//  * hops (Hop): one step or one jump, exactly what a protocol v1 MakeMove carries - for the
//    server's referee and the client's hints. A jump's (dx, dy) points towards the captured
//    piece; `to` is the landing square two squares away.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "game/position.hpp"

namespace checkers::game {

struct Hop {
  Square from;
  int dx = 0;  // -1 or +1
  int dy = 0;  // -1 or +1
  Square to;
  bool capture = false;
  friend bool operator==(const Hop&, const Hop&) = default;
};

struct HopResult {
  Position next;
  bool captured = false;   // the hop removed an opponent piece
  bool crowned = false;    // a man reached its far row (this ends the turn)
  bool turn_over = false;  // false: same side continues with next.continuing_piece()
};

// One whole turn: the squares visited (from, then each landing square) and the captured set.
class Move {
 public:
  static constexpr int kMaxSquares = 16;  // at most 12 captures + the origin

  Move() = default;

  bool empty() const { return len_ == 0; }
  int length() const { return len_; }  // squares on the path, >= 2 when not empty
  int index(int i) const { return path_[static_cast<size_t>(i)]; }  // internal index of square i
  int from_index() const { return path_[0]; }
  int to_index() const { return path_[static_cast<size_t>(len_ - 1)]; }
  Square from() const { return square_of_index(from_index()); }
  Square to() const { return square_of_index(to_index()); }
  uint32_t captured() const { return captured_; }  // bitboard of captured pieces
  bool is_capture() const { return captured_ != 0; }
  int capture_count() const;

  // The hops that play this move one by one (what the client bot sends as MakeMoves).
  std::vector<Hop> hops() const;
  // Hop i of hops(), 0 <= i < length() - 1 (no allocation).
  Hop hop(int i) const;
  // PDN move text: "11-15" for a step, "22x15x6" for a capture sequence.
  std::string to_pdn() const;

  // Building (used by the generator).
  void push(int index) { path_[len_++] = static_cast<uint8_t>(index); }
  void pop() { --len_; }
  void set_captured(uint32_t c) { captured_ = c; }

  friend bool operator==(const Move& a, const Move& b);

 private:
  std::array<uint8_t, kMaxSquares> path_;  // only [0, len_) is meaningful
  uint8_t len_ = 0;
  uint32_t captured_ = 0;
};

// MoveList copies moves into uninitialised storage by plain assignment.
static_assert(std::is_trivially_copyable_v<Move> && std::is_trivially_destructible_v<Move>);

// Fixed-capacity list of full moves; lives on the stack of perft and search. The storage is
// left uninitialised (a union member) so creating a list costs nothing on the hot path; only
// [0, size()) is ever read. 256 exceeds any move count reachable in English draughts.
class MoveList {
 public:
  static constexpr size_t kCapacity = 256;
  MoveList() {}  // NOLINT: deliberately does not initialise the storage
  void push_back(const Move& m) {
    if (size_ < kCapacity) store_.moves[size_++] = m;
  }
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Move& operator[](size_t i) const { return store_.moves[i]; }
  Move& operator[](size_t i) { return store_.moves[i]; }
  const Move* begin() const { return store_.moves.data(); }
  const Move* end() const { return store_.moves.data() + size_; }
  Move* begin() { return store_.moves.data(); }
  Move* end() { return store_.moves.data() + size_; }

 private:
  union Storage {
    Storage() {}
    std::array<Move, kCapacity> moves;
  } store_;
  size_t size_ = 0;
};

// --- full moves ---
// All legal full moves (captures only if any exist; only continuations of the continuing piece
// when one is set). Order is deterministic.
void generate_moves(const Position& pos, MoveList& out);
// Number of legal full moves (cheaper than generating when captures are absent).
int count_moves(const Position& pos);
bool has_legal_move(const Position& pos);
bool has_capture(const Position& pos);
// Plays a move produced by generate_moves for pos; the turn passes to the opponent.
Position play(const Position& pos, const Move& move);
// Leaf count of the full-move tree of the given depth (depth 0 = 1).
uint64_t perft(const Position& pos, int depth);

// --- hops (protocol v1 granularity) ---
// Only the hops legal now: captures are compulsory; mid-sequence only continuations of the
// continuing piece. Ordered by internal index of `from`, then direction.
std::vector<Hop> legal_hops(const Position& pos);
// The same into `out` (cleared first), reusing its storage: no allocation per position.
void legal_hops(const Position& pos, std::vector<Hop>& out);
// The legal hop matching a MakeMove (from, dx, dy), or nullopt.
std::optional<Hop> find_hop(const Position& pos, Square from, int dx, int dy);
// Engaged iff there is exactly one legal hop (the server then plays it: CompulsoryMove).
std::optional<Hop> forced_move(const Position& pos);
// Plays a hop from legal_hops(pos). After a capture that can continue (and no crowning),
// next has the same side to move and continuing_piece set; otherwise the turn passes.
HopResult apply_hop(const Position& pos, const Hop& hop);

}  // namespace checkers::game
