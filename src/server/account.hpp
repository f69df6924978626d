// Account data held by the persistent store: the Glicko-2 rating triple, the
// account record itself and the audit record of one finished game.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace checkers::server {

// One player's Glicko-2 state on the Glicko scale (rating ~1500, RD, volatility).
struct Glicko {
  double rating = 1500.0;
  double rd = 350.0;
  double volatility = 0.06;

  // The u32 sent in protocol messages: the rating rounded to the nearest
  // integer, clamped to [0, UINT32_MAX] (NaN -> 0).
  uint32_t wire_rating() const;

  bool operator==(const Glicko&) const = default;
};

struct Account {
  std::string name;           // 1..16 bytes, no NUL (see valid_username)
  std::string password_hash;  // crypt(3) string, "$y$..." for yescrypt
  Glicko glicko;
  uint32_t games = 0, wins = 0, losses = 0, draws = 0;
  int64_t created = 0;    // unix seconds
  int64_t last_seen = 0;  // unix seconds; 0 = never logged in

  bool operator==(const Account&) const = default;
};

// One finished, rated game as recorded in the journal. score_a is from a's
// point of view: 1 = a won, 0.5 = draw, 0 = a lost.
struct GameRecord {
  std::string a, b;
  double score_a = 0.5;
  std::string reason;  // free text chosen by the caller, e.g. "no-moves", "timeout", "disconnect"
  int64_t when = 0;    // unix seconds
  Glicko a_before, b_before, a_after, b_after;

  bool operator==(const GameRecord&) const = default;
};

inline constexpr std::size_t kMaxUsernameBytes = 16;
inline constexpr std::size_t kMaxPasswordBytes = 16;

// 1..16 bytes, no NUL (the protocol's str16 field is NUL padded).
bool valid_username(std::string_view name);
// 0..16 bytes; any byte values.
bool valid_password(std::string_view password);

}  // namespace checkers::server
