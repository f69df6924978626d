// Wire-level value types added by protocol v2 (docs/PROTOCOL-v2.md §2): the
// Path of a whole move (14 bytes), the chat Text (u16 length + UTF-8, at most
// kMaxChatBytes, allocation-free storage), clocks in milliseconds, and the
// enumerated u8 fields. Codecs only: whether a path is a legal move is the game's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/version.hpp"

namespace checkers::proto {

// §2.1: a square is its board index 8x + y.
constexpr uint8_t square_index(int x, int y) noexcept {
  return static_cast<uint8_t>(8 * (x & 7) + (y & 7));
}
constexpr int square_x(uint8_t s) noexcept { return s / 8; }
constexpr int square_y(uint8_t s) noexcept { return s % 8; }
// On the board and a dark square (x + y even).
constexpr bool square_playable(uint8_t s) noexcept {
  return s < 64 && (square_x(s) + square_y(s)) % 2 == 0;
}

// §2.2: a whole move as the squares its piece visits. Any 14 bytes decode and
// re-encode unchanged (raw storage); well_formed() is the §2.2 shape check.
struct Path {
  static constexpr size_t kMaxSquares = 13;
  static constexpr size_t kWireSize = 1 + kMaxSquares;

  uint8_t count = 0;
  std::array<uint8_t, kMaxSquares> squares{};

  // nullopt if there are more than 13 squares. Unused squares are 0x00.
  static std::optional<Path> of(std::span<const std::pair<int, int>> xy);
  static std::optional<Path> of(std::initializer_list<std::pair<int, int>> xy) {
    return of(std::span<const std::pair<int, int>>(xy.begin(), xy.size()));
  }
  static std::optional<Path> of_squares(std::span<const uint8_t> squares);

  // count 2..13, every square playable, each next square one diagonal step
  // away (only in a 2-square path) or two diagonal squares away (a jump).
  bool well_formed() const noexcept;
  bool is_jump() const noexcept;  // well formed with jumps
  int x(size_t i) const noexcept { return square_x(squares[i]); }
  int y(size_t i) const noexcept { return square_y(squares[i]); }
  // "(2,5)-(3,4)" / "(2,5)x(4,3)x(6,1)"; "none" for count 0; raw hex if malformed.
  std::string to_string() const;

  void encode_to(std::span<uint8_t, kWireSize> out) const noexcept;
  static Path decode(std::span<const uint8_t, kWireSize> in) noexcept;

  bool operator==(const Path&) const = default;
};

// §2.5: well-formed UTF-8, no C0 controls, no DEL.
bool valid_chat_bytes(std::span<const uint8_t> bytes) noexcept;
inline bool valid_chat_text(std::string_view s) noexcept {
  return valid_chat_bytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// §2.5: chat text, 1..kMaxChatBytes bytes, fixed storage. Text that breaks the
// rules is kept (for logs) but marked invalid, and encoding it fails.
class ChatText {
 public:
  static constexpr size_t kCapacity = kMaxChatBytes;

  constexpr ChatText() = default;
  ChatText(std::string_view s) noexcept;  // NOLINT: implicit by design, like Str16
  ChatText(const char* s) noexcept : ChatText(std::string_view(s)) {}
  ChatText(const std::string& s) noexcept : ChatText(std::string_view(s)) {}
  static std::optional<ChatText> make(std::string_view s) noexcept;

  // Non-empty, at most kCapacity bytes, valid by §2.5.
  bool valid() const noexcept { return valid_; }
  std::string_view view() const noexcept { return {bytes_.data(), size_}; }
  size_t size() const noexcept { return size_; }
  std::string str() const { return std::string(view()); }

  bool operator==(const ChatText& o) const noexcept {
    return valid_ == o.valid_ && view() == o.view();
  }

 private:
  std::array<char, kCapacity> bytes_{};
  uint16_t size_ = 0;
  bool valid_ = false;
};

// The cut helper for senders (§2.5): the longest prefix of `s` of at most
// kMaxChatBytes bytes that ends on a character boundary.
std::string_view cut_chat_text(std::string_view s) noexcept;

// A clock field (ms); this value means "no clock".
inline constexpr uint32_t kNoClock = 0xFFFFFFFFu;

// Enumerated u8 fields. Any byte decodes and is kept; name_of() says "Unknown"
// for values this build does not define.
enum class Colour : uint8_t { Primary = 0, Secondary = 1 };
enum class Winner : uint8_t { Primary = 0, Secondary = 1, Draw = 2, NoResult = 3 };
enum class EndReason : uint8_t {
  NoPieces = 0,
  NoLegalMove = 1,
  Resignation = 2,
  Time = 3,
  PlayerLeft = 4,
  DrawAgreed = 5,
  Repetition = 6,
  FortyMoveRule = 7,
  ServerShutdown = 8,
};
enum class ClockKind : uint8_t { Fischer = 0, PerMove = 1, None = 2 };
enum class InvalidMoveReason : uint8_t {
  Illegal = 0,
  CaptureCompulsory = 1,
  CaptureMustContinue = 2,
  Malformed = 3,
};
enum class DrawDeclineReason : uint8_t { Declined = 0, OpponentCannot = 1, AlreadyOffered = 2 };
enum class ChatRefusal : uint8_t { RateLimited = 0, ChatOff = 1, NobodyToTalkTo = 2 };
enum class PlayerStatus : uint8_t { Idle = 0, Queued = 1, Playing = 2, Watching = 3 };
enum class ChallengeKind : uint8_t { Challenge = 0, Rematch = 1 };
enum class ChallengeOutcome : uint8_t {
  Declined = 0,
  TimedOut = 1,
  NotAvailable = 2,
  NoSuchPlayer = 3,
  Yourself = 4,
  SpeaksV1 = 5,
  AlreadyPending = 6,
  TooMany = 7,
  Withdrawn = 8,
  NoRematch = 9,
  Cancelled = 10,
  Accepted = 11,
};
enum class WatchRefusal : uint8_t { NoSuchGame = 0, TooManyWatchers = 1 };

const char* name_of(Colour v) noexcept;
const char* name_of(Winner v) noexcept;
const char* name_of(EndReason v) noexcept;
const char* name_of(ClockKind v) noexcept;
const char* name_of(InvalidMoveReason v) noexcept;
const char* name_of(DrawDeclineReason v) noexcept;
const char* name_of(ChatRefusal v) noexcept;
const char* name_of(PlayerStatus v) noexcept;
const char* name_of(ChallengeKind v) noexcept;
const char* name_of(ChallengeOutcome v) noexcept;
const char* name_of(WatchRefusal v) noexcept;

}  // namespace checkers::proto
