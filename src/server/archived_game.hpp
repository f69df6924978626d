// ArchivedGame: one finished game as the server keeps it for good in the games log
// (docs/STORE.md): its id, when it started, the result record the ratings were updated
// from, and every completed turn as PDN move text. Plain data; the encoding is in
// journal_codec, the log in game_records, the PDN conversion in game_records too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/account.hpp"

namespace checkers::server {

// A record payload must stay under the journal's 64 KiB: 1500 turns of at most 40 bytes
// ("1x10x19x28x..." - a capture path of 13 squares takes 38) always fit. Real games end
// long before (the 40-move rule and repetition); a longer one is archived truncated.
inline constexpr std::size_t kMaxArchivedMoves = 1500;
inline constexpr std::size_t kMaxMoveText = 40;

// The time control a game was played under (protocol v2's clock_kind, base, increment).
struct ArchivedClock {
  enum Kind : uint8_t { Fischer = 0, PerMove = 1, None = 2 };
  uint8_t kind = None;
  uint32_t base_ms = 0;       // Fischer: each clock's start; PerMove: the limit per move
  uint32_t increment_ms = 0;  // Fischer increment
  bool operator==(const ArchivedClock&) const = default;
};

struct ArchivedGame {
  uint64_t id = 0;                 // 1, 2, ... in the order games finished; never reused
  int64_t started = 0;             // unix seconds
  GameRecord result;               // a = Black (moved first), b = White; `when` = the end
  std::vector<std::string> moves;  // completed turns, Black's first

  ArchivedClock clock;

  bool operator==(const ArchivedGame&) const = default;
};

}  // namespace checkers::server
