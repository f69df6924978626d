// The messages protocol version 2 adds (docs/PROTOCOL-v2.md §4): one struct per
// message, members in wire order. Each struct lists its fields once, in
// `fields(self, visit)`, with the names of the specification; the byte codec,
// the fmt formatter and the golden-vector test all walk that one list, so a
// layout is written down exactly once. Included by messages.hpp (which adds
// them to the Message variant); nothing here allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "proto/msg_type.hpp"
#include "proto/types.hpp"
#include "proto/v2_types.hpp"

namespace checkers::proto {

// Each struct: kType, kSize (the largest size for the two chat messages, which
// also have kMinSize), `size_t encode(std::span<uint8_t>) const` (bytes written;
// 0 if `out` is too small, a string is overlong or chat text is invalid) and
// `static T decode(std::span<const uint8_t>)` (the whole message; byte 0 is not
// looked at; every byte pattern of the right size decodes).
#define CHECKERS_PROTO_V2_CODEC(T, size)                 \
  static constexpr MsgType kType = MsgType::T;           \
  static constexpr size_t kSize = size;                  \
  size_t encode(std::span<uint8_t> out) const noexcept;  \
  static T decode(std::span<const uint8_t> in) noexcept; \
  bool operator==(const T&) const = default;
#define CHECKERS_PROTO_V2_EMPTY(T) \
  CHECKERS_PROTO_V2_CODEC(T, 1)    \
  template <class S, class V>      \
  static void fields(S&, V&&) {}

// §4.3
struct Welcome {
  uint8_t version = 2;
  uint32_t rating = 0;
  uint32_t base_ms = 0;
  uint32_t increment_ms = 0;
  uint16_t chat_max = kMaxChatBytes;
  uint8_t flags = 0;
  static constexpr uint8_t kFlagHouseBot = 1;
  CHECKERS_PROTO_V2_CODEC(Welcome, 17)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("version", s.version);
    v("rating", s.rating);
    v("base", s.base_ms);
    v("increment", s.increment_ms);
    v("chat_max", s.chat_max);
    v("flags", s.flags);
  }
};
struct LeaveQueue {
  CHECKERS_PROTO_V2_EMPTY(LeaveQueue)
};

// §4.4
struct GameStart2 {
  uint32_t game_id = 0;
  Colour colour = Colour::Primary;
  Str16 opponent_name;
  uint32_t opponent_rating = 0;
  uint32_t own_rating = 0;
  uint8_t opponent_version = 2;
  ClockKind clock_kind = ClockKind::Fischer;
  uint32_t base_ms = 0;
  uint32_t increment_ms = 0;
  CHECKERS_PROTO_V2_CODEC(GameStart2, 40)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("game_id", s.game_id);
    v("colour", s.colour);
    v("opponent_name", s.opponent_name);
    v("opponent_rating", s.opponent_rating);
    v("own_rating", s.own_rating);
    v("opponent_version", s.opponent_version);
    v("clock_kind", s.clock_kind);
    v("base", s.base_ms);
    v("increment", s.increment_ms);
  }
};
struct YourTurn2 {
  uint16_t ply = 0;
  Board board;
  uint32_t primary_clock = kNoClock;
  uint32_t secondary_clock = kNoClock;
  CHECKERS_PROTO_V2_CODEC(YourTurn2, 35)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("ply", s.ply);
    v("board", s.board);
    v("primary_clock", s.primary_clock);
    v("secondary_clock", s.secondary_clock);
  }
};
struct MakeMove2 {
  Path path;
  CHECKERS_PROTO_V2_CODEC(MakeMove2, 15)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("path", s.path);
  }
};
struct MoveMade {
  uint16_t ply = 0;
  Colour mover = Colour::Primary;
  uint8_t forced = 0;
  Path path;
  Board board;
  uint32_t primary_clock = kNoClock;
  uint32_t secondary_clock = kNoClock;
  CHECKERS_PROTO_V2_CODEC(MoveMade, 51)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("ply", s.ply);
    v("mover", s.mover);
    v("forced", s.forced);
    v("path", s.path);
    v("board", s.board);
    v("primary_clock", s.primary_clock);
    v("secondary_clock", s.secondary_clock);
  }
};
struct InvalidMove2 {
  Path path;
  InvalidMoveReason reason = InvalidMoveReason::Illegal;
  Board board;
  CHECKERS_PROTO_V2_CODEC(InvalidMove2, 40)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("path", s.path);
    v("reason", s.reason);
    v("board", s.board);
  }
};

// §4.5
struct GameOver2 {
  uint32_t game_id = 0;
  Winner winner = Winner::Draw;
  EndReason reason = EndReason::NoPieces;
  uint16_t plies = 0;
  uint32_t primary_old = 0;
  uint32_t primary_new = 0;
  uint32_t secondary_old = 0;
  uint32_t secondary_new = 0;
  uint32_t primary_clock = kNoClock;
  uint32_t secondary_clock = kNoClock;
  Board board;
  CHECKERS_PROTO_V2_CODEC(GameOver2, 57)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("game_id", s.game_id);
    v("winner", s.winner);
    v("reason", s.reason);
    v("plies", s.plies);
    v("primary_old", s.primary_old);
    v("primary_new", s.primary_new);
    v("secondary_old", s.secondary_old);
    v("secondary_new", s.secondary_new);
    v("primary_clock", s.primary_clock);
    v("secondary_clock", s.secondary_clock);
    v("board", s.board);
  }
};
struct Resign {
  CHECKERS_PROTO_V2_EMPTY(Resign)
};

// §4.6
struct OfferDraw {
  CHECKERS_PROTO_V2_EMPTY(OfferDraw)
};
struct DrawOffered {
  CHECKERS_PROTO_V2_EMPTY(DrawOffered)
};
struct AnswerDraw {
  uint8_t accept = 0;
  CHECKERS_PROTO_V2_CODEC(AnswerDraw, 2)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("accept", s.accept);
  }
};
struct DrawDeclined {
  DrawDeclineReason reason = DrawDeclineReason::Declined;
  CHECKERS_PROTO_V2_CODEC(DrawDeclined, 2)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("reason", s.reason);
  }
};

// §4.7
struct Chat {
  ChatText text;
  static constexpr size_t kMinSize = kChatHeaderSize + 1;
  CHECKERS_PROTO_V2_CODEC(Chat, kChatHeaderSize + kMaxChatBytes)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("text", s.text);
  }
};
struct ChatFrom {
  Str16 from;
  ChatText text;
  static constexpr size_t kMinSize = kChatFromHeaderSize + 1;
  CHECKERS_PROTO_V2_CODEC(ChatFrom, kChatFromHeaderSize + kMaxChatBytes)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("from", s.from);
    v("text", s.text);
  }
};
struct ChatRefused {
  ChatRefusal reason = ChatRefusal::RateLimited;
  CHECKERS_PROTO_V2_CODEC(ChatRefused, 2)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("reason", s.reason);
  }
};

// §4.8
struct Who {
  CHECKERS_PROTO_V2_EMPTY(Who)
};
struct PlayerEntry {
  uint16_t index = 0;
  uint16_t count = 0;
  uint16_t total = 0;
  Str16 name;
  uint32_t rating = 0;
  PlayerStatus status = PlayerStatus::Idle;
  uint8_t version = 0;
  CHECKERS_PROTO_V2_CODEC(PlayerEntry, 29)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("index", s.index);
    v("count", s.count);
    v("total", s.total);
    v("name", s.name);
    v("rating", s.rating);
    v("status", s.status);
    v("version", s.version);
  }
};

// §4.9
struct Challenge {
  Str16 name;
  CHECKERS_PROTO_V2_CODEC(Challenge, 17)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("name", s.name);
  }
};
struct ChallengeReceived {
  Str16 from;
  uint32_t rating = 0;
  ChallengeKind kind = ChallengeKind::Challenge;
  uint16_t timeout_s = 0;
  CHECKERS_PROTO_V2_CODEC(ChallengeReceived, 24)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("from", s.from);
    v("rating", s.rating);
    v("kind", s.kind);
    v("timeout", s.timeout_s);
  }
};
struct AnswerChallenge {
  Str16 from;
  uint8_t accept = 0;
  CHECKERS_PROTO_V2_CODEC(AnswerChallenge, 18)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("from", s.from);
    v("accept", s.accept);
  }
};
struct ChallengeResult {
  Str16 name;
  ChallengeOutcome result = ChallengeOutcome::Declined;
  CHECKERS_PROTO_V2_CODEC(ChallengeResult, 18)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("name", s.name);
    v("result", s.result);
  }
};
struct Rematch {
  CHECKERS_PROTO_V2_EMPTY(Rematch)
};

// §4.10
struct ListGames {
  CHECKERS_PROTO_V2_EMPTY(ListGames)
};
struct GameEntry {
  uint16_t index = 0;
  uint16_t count = 0;
  uint16_t total = 0;
  uint32_t game_id = 0;
  Str16 primary_name;
  uint32_t primary_rating = 0;
  Str16 secondary_name;
  uint32_t secondary_rating = 0;
  uint16_t ply = 0;
  uint32_t primary_clock = kNoClock;
  uint32_t secondary_clock = kNoClock;
  uint16_t watchers = 0;
  CHECKERS_PROTO_V2_CODEC(GameEntry, 63)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("index", s.index);
    v("count", s.count);
    v("total", s.total);
    v("game_id", s.game_id);
    v("primary_name", s.primary_name);
    v("primary_rating", s.primary_rating);
    v("secondary_name", s.secondary_name);
    v("secondary_rating", s.secondary_rating);
    v("ply", s.ply);
    v("primary_clock", s.primary_clock);
    v("secondary_clock", s.secondary_clock);
    v("watchers", s.watchers);
  }
};
struct Watch {
  uint32_t game_id = 0;
  CHECKERS_PROTO_V2_CODEC(Watch, 5)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("game_id", s.game_id);
  }
};
struct WatchStart {
  uint32_t game_id = 0;
  Str16 primary_name;
  uint32_t primary_rating = 0;
  Str16 secondary_name;
  uint32_t secondary_rating = 0;
  ClockKind clock_kind = ClockKind::Fischer;
  uint32_t base_ms = 0;
  uint32_t increment_ms = 0;
  uint16_t ply = 0;
  Colour to_move = Colour::Primary;
  Board board;
  uint32_t primary_clock = kNoClock;
  uint32_t secondary_clock = kNoClock;
  uint16_t watchers = 0;
  CHECKERS_PROTO_V2_CODEC(WatchStart, 91)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("game_id", s.game_id);
    v("primary_name", s.primary_name);
    v("primary_rating", s.primary_rating);
    v("secondary_name", s.secondary_name);
    v("secondary_rating", s.secondary_rating);
    v("clock_kind", s.clock_kind);
    v("base", s.base_ms);
    v("increment", s.increment_ms);
    v("ply", s.ply);
    v("to_move", s.to_move);
    v("board", s.board);
    v("primary_clock", s.primary_clock);
    v("secondary_clock", s.secondary_clock);
    v("watchers", s.watchers);
  }
};
struct WatchRefused {
  uint32_t game_id = 0;
  WatchRefusal reason = WatchRefusal::NoSuchGame;
  CHECKERS_PROTO_V2_CODEC(WatchRefused, 6)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("game_id", s.game_id);
    v("reason", s.reason);
  }
};
struct Unwatch {
  CHECKERS_PROTO_V2_EMPTY(Unwatch)
};
struct WatcherCount {
  uint16_t watchers = 0;
  CHECKERS_PROTO_V2_CODEC(WatcherCount, 3)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("watchers", s.watchers);
  }
};

// §4.11
struct FetchGames {
  uint8_t max = 0;
  static constexpr uint8_t kLimit = 20;
  CHECKERS_PROTO_V2_CODEC(FetchGames, 2)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("max", s.max);
  }
};
struct RecordEntry {
  uint16_t index = 0;
  uint16_t count = 0;
  uint32_t record_id = 0;
  uint32_t ended_at = 0;
  Colour colour = Colour::Primary;
  Str16 opponent_name;
  Winner winner = Winner::Draw;
  EndReason reason = EndReason::NoPieces;
  uint16_t plies = 0;
  uint32_t own_old = 0;
  uint32_t own_new = 0;
  uint32_t opponent_old = 0;
  uint32_t opponent_new = 0;
  ClockKind clock_kind = ClockKind::None;
  uint32_t base_ms = 0;
  uint32_t increment_ms = 0;
  CHECKERS_PROTO_V2_CODEC(RecordEntry, 59)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("index", s.index);
    v("count", s.count);
    v("record_id", s.record_id);
    v("ended_at", s.ended_at);
    v("colour", s.colour);
    v("opponent_name", s.opponent_name);
    v("winner", s.winner);
    v("reason", s.reason);
    v("plies", s.plies);
    v("own_old", s.own_old);
    v("own_new", s.own_new);
    v("opponent_old", s.opponent_old);
    v("opponent_new", s.opponent_new);
    v("clock_kind", s.clock_kind);
    v("base", s.base_ms);
    v("increment", s.increment_ms);
  }
};
struct RecordMove {
  uint32_t record_id = 0;
  uint16_t ply = 0;
  Path path;
  CHECKERS_PROTO_V2_CODEC(RecordMove, 21)
  template <class S, class V>
  static void fields(S& s, V&& v) {
    v("record_id", s.record_id);
    v("ply", s.ply);
    v("path", s.path);
  }
};

#undef CHECKERS_PROTO_V2_EMPTY
#undef CHECKERS_PROTO_V2_CODEC

// The v2 structs have a field list (fields()); the v1 ones do not.
template <class T>
concept HasFieldList = requires(T& t) {
  T::fields(t, [](const char*, auto&) {});
};
template <class T>
concept VariableSizeMessage = requires {
  T::kMinSize;
};

}  // namespace checkers::proto
