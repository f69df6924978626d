// Message type bytes of protocol versions 1 and 2 and what the type byte alone
// says about a message: whether it is defined at a connection's version, and
// its size. Every v1 message and all but two v2 messages have a fixed size; Chat
// and ChatFrom carry a u16 text length at a fixed offset (docs/PROTOCOL-v2.md §1).
//
// Naming rule: the unsuffixed constants and the defaulted `version` parameters
// mean version 1, exactly as before v2 existed; the *V2 names cover version 2.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "proto/version.hpp"

namespace checkers::proto {

enum class MsgType : uint8_t {
  Connect = 1,
  InvalidLogin = 2,
  QueuePosition = 3,
  GameStart = 4,
  YourTurn = 5,
  MakeMove = 6,
  CompulsoryMove = 7,
  InvalidMove = 8,
  OpponentDisconnect = 9,
  GameOver = 10,
  ReQueue = 11,
  LogOut = 12,
  InvalidVersion = 13,
  // Version 2 (docs/PROTOCOL-v2.md §4.2).
  Welcome = 0x0E,
  LeaveQueue = 0x0F,
  GameStart2 = 0x10,
  YourTurn2 = 0x11,
  MakeMove2 = 0x12,
  MoveMade = 0x13,
  InvalidMove2 = 0x14,
  GameOver2 = 0x15,
  Resign = 0x16,
  OfferDraw = 0x17,
  DrawOffered = 0x18,
  AnswerDraw = 0x19,
  DrawDeclined = 0x1A,
  Chat = 0x1B,
  ChatFrom = 0x1C,
  ChatRefused = 0x1D,
  Who = 0x1E,
  PlayerEntry = 0x1F,
  Challenge = 0x20,
  ChallengeReceived = 0x21,
  AnswerChallenge = 0x22,
  ChallengeResult = 0x23,
  Rematch = 0x24,
  ListGames = 0x25,
  GameEntry = 0x26,
  Watch = 0x27,
  WatchStart = 0x28,
  WatchRefused = 0x29,
  Unwatch = 0x2A,
  WatcherCount = 0x2B,
  FetchGames = 0x2C,
  RecordEntry = 0x2D,
  RecordMove = 0x2E,
};

// Version 1: types 1..13.
inline constexpr uint8_t kFirstMsgType = 1;
inline constexpr uint8_t kLastMsgType = 13;
inline constexpr size_t kMsgTypeCount = 13;
// The largest v1 message (GameOver).
inline constexpr size_t kMaxMessageSize = 35;

// Version 2: types 1..0x2E (the v1-only ones are defined but violate the DFA).
inline constexpr uint8_t kFirstMsgTypeV2 = 0x0E;  // the first type v2 adds
inline constexpr uint8_t kLastMsgTypeV2 = 0x2E;
inline constexpr size_t kMsgTypeCountV2 = 46;  // all types, v1's included
// The largest message of any version: ChatFrom with kMaxChatBytes of text.
inline constexpr size_t kChatHeaderSize = 3;       // type, u16 length
inline constexpr size_t kChatFromHeaderSize = 19;  // type, str16 from, u16 length
inline constexpr size_t kMaxMessageSizeV2 = kChatFromHeaderSize + kMaxChatBytes;

namespace detail {
// Fixed sizes by type byte - 1; 0 marks the two variable-size types.
inline constexpr std::array<uint8_t, kMsgTypeCountV2> kSizes{
    34, 2, 13, 21, 26, 2,  26, 26, 1,  35, 1, 1,  3,  // v1
    17, 1, 40, 35, 15, 51, 40, 57, 1,  1,  1, 2,  2,  // Welcome .. DrawDeclined
    0,  0, 2,  1,  29, 17, 24, 18, 18, 1,  1, 63, 5,  // Chat .. Watch
    91, 6, 1,  3,  2,  59, 21};                       // WatchStart .. RecordMove
}  // namespace detail

// The type byte is a message type of `version` (1 or 2).
constexpr bool type_defined(uint8_t type_byte, uint8_t version = 1) noexcept {
  const uint8_t last = version >= 2 ? kLastMsgTypeV2 : kLastMsgType;
  return type_byte >= kFirstMsgType && type_byte <= last;
}
constexpr bool variable_size(uint8_t type_byte) noexcept {
  return type_byte == static_cast<uint8_t>(MsgType::Chat) ||
         type_byte == static_cast<uint8_t>(MsgType::ChatFrom);
}

// Total fixed size on the wire (type byte included); nullopt = not a type of
// `version` (fatal), or a variable-size type (use frame_size()).
constexpr std::optional<size_t> message_size(uint8_t type_byte, uint8_t version = 1) noexcept {
  if (!type_defined(type_byte, version) || variable_size(type_byte)) return std::nullopt;
  return detail::kSizes[type_byte - kFirstMsgType];
}
constexpr std::optional<MsgType> msg_type(uint8_t type_byte, uint8_t version = 1) noexcept {
  if (!type_defined(type_byte, version)) return std::nullopt;
  return static_cast<MsgType>(type_byte);
}

// What the first bytes of a message say about its size.
struct FrameSize {
  enum Status : uint8_t {
    Known,        // `size` is the whole message's size
    NeedHeader,   // `size` bytes are needed before the size is known
    UnknownType,  // fatal: not a type of this version
    BadLength,    // fatal: a chat length of 0 or above kMaxChatBytes
  } status;
  size_t size = 0;
};

// `prefix` holds at least the type byte.
constexpr FrameSize frame_size(std::span<const uint8_t> prefix, uint8_t version = 1) noexcept {
  const uint8_t type = prefix[0];
  if (!type_defined(type, version)) return {FrameSize::UnknownType, 0};
  if (!variable_size(type)) return {FrameSize::Known, detail::kSizes[type - kFirstMsgType]};
  const size_t header =
      type == static_cast<uint8_t>(MsgType::Chat) ? kChatHeaderSize : kChatFromHeaderSize;
  if (prefix.size() < header) return {FrameSize::NeedHeader, header};
  const size_t length = prefix[header - 2] | size_t{prefix[header - 1]} << 8;
  if (length == 0 || length > kMaxChatBytes) return {FrameSize::BadLength, header};
  return {FrameSize::Known, header + length};
}

// "Connect", "InvalidLogin", ... (the names of the protocol documents); "Unknown" otherwise.
const char* name_of(MsgType t) noexcept;

}  // namespace checkers::proto
