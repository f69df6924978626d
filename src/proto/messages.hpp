// The 13 messages of the Checkers Protocol v1: one struct per message, the
// Message variant of them and of the v2 messages (messages_v2.hpp), and their
// byte codecs. Every v1 message has a fixed size set by its type byte
// (docs/PROTOCOL.md §4); types and sizes of both versions are in msg_type.hpp. Nothing here
// allocates: strings are Str16, and encoding writes into a caller-provided buffer.
//
// Hot-path encoding: `size_t encode(const Message&, std::span<uint8_t> out)` writes
// the whole message into `out` and returns its size, or 0 if it cannot be sent (a
// string over 16 bytes, or `out` too small). `encode_append(msg, buffer)` appends
// to a std::string / std::vector<char|uint8_t> output buffer the same way.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "proto/messages_v2.hpp"
#include "proto/msg_type.hpp"
#include "proto/types.hpp"
#include "proto/version.hpp"

namespace checkers::proto {

// InvalidLogin.reason. Any byte decodes (kept as is); these are the defined ones.
enum class LoginFailure : uint8_t {
  AccountDoesNotExist = 0,
  InvalidPassword = 1,
  AlreadyLoggedIn = 2,
};
const char* name_of(LoginFailure r) noexcept;  // "Unknown" for undefined bytes

// Each struct: kType, kSize, `size_t encode(std::span<uint8_t> out) const`
// (bytes written, 0 if out is too small or a string is overlong) and
// `static T decode(std::span<const uint8_t, kSize>)` (byte 0 is the type byte and
// is not looked at; every byte pattern of the right size decodes).
#define CHECKERS_PROTO_MESSAGE_CODEC(T, type, size)             \
  static constexpr MsgType kType = MsgType::type;               \
  static constexpr size_t kSize = size;                         \
  size_t encode(std::span<uint8_t> out) const noexcept;         \
  static T decode(std::span<const uint8_t, kSize> in) noexcept; \
  bool operator==(const T&) const = default;

// C->S. version, then username and password (str16 each).
struct Connect {
  uint8_t version = kProtocolVersion;
  Str16 username;
  Str16 password;
  CHECKERS_PROTO_MESSAGE_CODEC(Connect, Connect, 34)
};

// S->C. Connect refused.
struct InvalidLogin {
  LoginFailure reason = LoginFailure::AccountDoesNotExist;
  CHECKERS_PROTO_MESSAGE_CODEC(InvalidLogin, InvalidLogin, 2)
};

// S->C. Connect.version outside [lowest, highest]. Wire order: highest first.
struct InvalidVersion {
  uint8_t highest = kHighestSupportedVersion;
  uint8_t lowest = kLowestSupportedVersion;
  CHECKERS_PROTO_MESSAGE_CODEC(InvalidVersion, InvalidVersion, 3)
};

// S->C. u32 little-endian each; queue_pos is 1-based; rating is the receiver's.
struct QueuePosition {
  uint32_t queue_size = 0;
  uint32_t queue_pos = 0;
  uint32_t rating = 0;
  CHECKERS_PROTO_MESSAGE_CODEC(QueuePosition, QueuePosition, 13)
};

// S->C. The opponent's name and rating.
struct GameStart {
  Str16 opponent_name;
  uint32_t opponent_rating = 0;
  CHECKERS_PROTO_MESSAGE_CODEC(GameStart, GameStart, 21)
};

// S->C. last_move is the opponent's last move, or kFirstTurnSentinel.
struct YourTurn {
  Move last_move = kFirstTurnSentinel;
  Board board;
  CHECKERS_PROTO_MESSAGE_CODEC(YourTurn, YourTurn, 26)
};

// C->S.
struct MakeMove {
  Move move;
  CHECKERS_PROTO_MESSAGE_CODEC(MakeMove, MakeMove, 2)
};

// S->C. A move the server played itself, and the board after it.
struct CompulsoryMove {
  Move move;
  Board board;
  CHECKERS_PROTO_MESSAGE_CODEC(CompulsoryMove, CompulsoryMove, 26)
};

// S->C. The rejected MakeMove echoed, and the unchanged board.
struct InvalidMove {
  Move move;
  Board board;
  CHECKERS_PROTO_MESSAGE_CODEC(InvalidMove, InvalidMove, 26)
};

// S->C. Type byte only.
struct OpponentDisconnect {
  CHECKERS_PROTO_MESSAGE_CODEC(OpponentDisconnect, OpponentDisconnect, 1)
};

// S->C. you_won: we send 1 / 0; any non-zero byte means "won" (see won()).
struct GameOver {
  uint8_t you_won = 0;
  uint32_t new_rating = 0;
  uint32_t old_rating = 0;
  Move winning_move;
  Board board;
  constexpr bool won() const noexcept { return you_won != 0; }
  CHECKERS_PROTO_MESSAGE_CODEC(GameOver, GameOver, 35)
};

// C->S. Type byte only.
struct ReQueue {
  CHECKERS_PROTO_MESSAGE_CODEC(ReQueue, ReQueue, 1)
};

// C->S. Type byte only.
struct LogOut {
  CHECKERS_PROTO_MESSAGE_CODEC(LogOut, LogOut, 1)
};

#undef CHECKERS_PROTO_MESSAGE_CODEC

// Alternatives in type-byte order: index() + 1 == the type byte.
using Message =
    std::variant<Connect, InvalidLogin, QueuePosition, GameStart, YourTurn, MakeMove,
                 CompulsoryMove, InvalidMove, OpponentDisconnect, GameOver, ReQueue, LogOut,
                 InvalidVersion,
                 // version 2
                 Welcome, LeaveQueue, GameStart2, YourTurn2, MakeMove2, MoveMade, InvalidMove2,
                 GameOver2, Resign, OfferDraw, DrawOffered, AnswerDraw, DrawDeclined, Chat,
                 ChatFrom, ChatRefused, Who, PlayerEntry, Challenge, ChallengeReceived,
                 AnswerChallenge, ChallengeResult, Rematch, ListGames, GameEntry, Watch, WatchStart,
                 WatchRefused, Unwatch, WatcherCount, FetchGames, RecordEntry, RecordMove>;

inline MsgType type_of(const Message& m) noexcept {
  return static_cast<MsgType>(m.index() + kFirstMsgType);
}

// The InvalidVersion this build answers with.
inline constexpr InvalidVersion kOurVersionRange{kHighestSupportedVersion, kLowestSupportedVersion};

// Writes `m` into `out`; returns its size, or 0 if it cannot be sent (overlong
// string, or out.size() < message size). Never allocates.
size_t encode(const Message& m, std::span<uint8_t> out) noexcept;

// Appends `m` to a byte buffer (std::string, std::vector<char>, std::vector<uint8_t>);
// false (buffer untouched) if it cannot be sent.
template <class ByteBuffer>
bool encode_append(const Message& m, ByteBuffer& out) {
  std::array<uint8_t, kMaxMessageSizeV2> tmp;
  const size_t n = encode(m, tmp);
  if (n == 0) return false;
  using Byte = typename ByteBuffer::value_type;
  static_assert(sizeof(Byte) == 1, "byte buffer expected");
  const auto* p = reinterpret_cast<const Byte*>(tmp.data());
  out.insert(out.end(), p, p + n);
  return true;
}

// Convenience (allocates): the encoded bytes, or nullopt if it cannot be sent.
std::optional<std::vector<uint8_t>> to_bytes(const Message& m);

// Decodes exactly one complete message of a connection of `version`: `in` must be
// exactly the message's size. nullopt for an empty input, a type byte unknown at
// that version, a wrong length, or chat text that breaks docs/PROTOCOL-v2.md §2.5.
std::optional<Message> decode(std::span<const uint8_t> in, uint8_t version = 1) noexcept;

namespace detail {
// Decodes a message already known to be complete: whole[0] is a valid type byte
// and whole.size() == message_size(whole[0]). Used by StreamDecoder.
Message decode_complete(std::span<const uint8_t> whole) noexcept;
// A complete message whose size is right: false only for chat text breaking §2.5.
bool content_valid(std::span<const uint8_t> whole) noexcept;
}  // namespace detail

}  // namespace checkers::proto
