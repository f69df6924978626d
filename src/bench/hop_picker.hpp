// HopPicker: chooses a random legal hop (one MakeMove) for the bench's players straight
// from the wire board they received, without the rules library's allocating helpers.
// English draughts, as our server referees it (docs/PROTOCOL.md §12): captures are
// compulsory, a multi-capture continues with the same piece, men step forward only.
// It only needs the receiver's view of the board, its own side and, mid-capture, the
// square of the piece that must continue.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "proto/types.hpp"

namespace checkers::bench {

// Which way the receiver's men move: the primary (first to move) towards y = 0.
enum class Side : uint8_t { Unknown, Primary, Secondary };

// Small fast PRNG (xorshift64*): the bench must not spend its time in std::mt19937.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  // Uniform enough in [0, n) for n well below 2^32.
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next() >> 32) * n) >> 32); }

 private:
  uint64_t state_;
};

struct Square8 {
  int8_t x = -1;
  int8_t y = -1;
  bool valid() const { return x >= 0; }
  bool operator==(const Square8&) const = default;
};

// The legal hops of one position, in a fixed-size array (12 pieces x 4 directions).
struct HopList {
  std::array<proto::Move, 48> hops{};
  size_t size = 0;
  bool captures = false;  // the list holds only captures
};

// All legal hops for the receiver of `board` playing `side`. When `continuing` is
// valid only that piece's captures count (and the list may be empty).
void legal_hops(const proto::Board& board, Side side, Square8 continuing, HopList& out);

// The square of the receiver's piece that must keep capturing, judged from the last
// move a YourTurn reports: if that move was the receiver's own jump (the jumped square
// is now empty and the landing square holds the receiver's piece) and the piece can
// capture again, it is the continuing piece. Otherwise invalid.
Square8 continuing_piece(const proto::Board& board, Side side, proto::Move last_move);

// A random legal hop, or nullopt if there is none.
std::optional<proto::Move> pick_hop(const proto::Board& board, Side side, Square8 continuing,
                                    Rng& rng);

}  // namespace checkers::bench
