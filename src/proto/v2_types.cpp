// Codecs and checks for the v2 value types (docs/PROTOCOL-v2.md §2).
#include "proto/v2_types.hpp"

#include <algorithm>
#include <cstdlib>

namespace checkers::proto {

std::optional<Path> Path::of(std::span<const std::pair<int, int>> xy) {
  if (xy.size() > kMaxSquares) return std::nullopt;
  Path p;
  p.count = static_cast<uint8_t>(xy.size());
  for (size_t i = 0; i < xy.size(); ++i) p.squares[i] = square_index(xy[i].first, xy[i].second);
  return p;
}

std::optional<Path> Path::of_squares(std::span<const uint8_t> sq) {
  if (sq.size() > kMaxSquares) return std::nullopt;
  Path p;
  p.count = static_cast<uint8_t>(sq.size());
  std::copy(sq.begin(), sq.end(), p.squares.begin());
  return p;
}

bool Path::well_formed() const noexcept {
  if (count < 2 || count > kMaxSquares) return false;
  for (size_t i = 0; i < count; ++i)
    if (!square_playable(squares[i])) return false;
  const int first_dx = std::abs(x(1) - x(0));
  if (first_dx == 1) return count == 2 && std::abs(y(1) - y(0)) == 1;
  for (size_t i = 1; i < count; ++i)
    if (std::abs(x(i) - x(i - 1)) != 2 || std::abs(y(i) - y(i - 1)) != 2) return false;
  return true;
}

bool Path::is_jump() const noexcept { return well_formed() && std::abs(x(1) - x(0)) == 2; }

std::string Path::to_string() const {
  if (count == 0) return "none";
  if (!well_formed()) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s = "raw:";
    s.push_back(digits[count >> 4]);
    s.push_back(digits[count & 15]);
    for (uint8_t b : squares) {
      s.push_back(digits[b >> 4]);
      s.push_back(digits[b & 15]);
    }
    return s;
  }
  const char sep = is_jump() ? 'x' : '-';
  std::string s;
  for (size_t i = 0; i < count; ++i) {
    if (i != 0) s.push_back(sep);
    s += "(" + std::to_string(x(i)) + "," + std::to_string(y(i)) + ")";
  }
  return s;
}

void Path::encode_to(std::span<uint8_t, kWireSize> out) const noexcept {
  out[0] = count;
  std::copy(squares.begin(), squares.end(), out.begin() + 1);
}

Path Path::decode(std::span<const uint8_t, kWireSize> in) noexcept {
  Path p;
  p.count = in[0];
  std::copy(in.begin() + 1, in.end(), p.squares.begin());
  return p;
}

bool valid_chat_bytes(std::span<const uint8_t> b) noexcept {
  size_t i = 0;
  while (i < b.size()) {
    const uint8_t c = b[i];
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;  // continuation byte, overlong lead (c0, c1) or above f4
    }
    if (i + len > b.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((b[i + k] & 0xc0u) != 0x80u) return false;
      cp = (cp << 6) | (b[i + k] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;  // overlong
    if (cp >= 0xd800 && cp <= 0xdfff) return false;                            // surrogate
    if (cp > 0x10ffff) return false;
    i += len;
  }
  return true;
}

ChatText::ChatText(std::string_view s) noexcept {
  const size_t n = std::min(s.size(), kCapacity);
  std::copy_n(s.data(), n, bytes_.data());
  size_ = static_cast<uint16_t>(n);
  valid_ = !s.empty() && s.size() <= kCapacity && valid_chat_text(s);
}

std::optional<ChatText> ChatText::make(std::string_view s) noexcept {
  ChatText t(s);
  if (!t.valid()) return std::nullopt;
  return t;
}

std::string_view cut_chat_text(std::string_view s) noexcept {
  if (s.size() <= kMaxChatBytes) return s;
  size_t n = kMaxChatBytes;
  while (n > 0 && (static_cast<uint8_t>(s[n]) & 0xc0u) == 0x80u) --n;  // s[n] starts a char
  return s.substr(0, n);
}

namespace {
template <size_t N>
const char* pick(const std::array<const char*, N>& names, uint8_t v) noexcept {
  return v < N ? names[v] : "Unknown";
}
}  // namespace

const char* name_of(Colour v) noexcept {
  return pick(std::array{"Primary", "Secondary"}, static_cast<uint8_t>(v));
}
const char* name_of(Winner v) noexcept {
  return pick(std::array{"Primary", "Secondary", "Draw", "NoResult"}, static_cast<uint8_t>(v));
}
const char* name_of(EndReason v) noexcept {
  return pick(std::array{"NoPieces", "NoLegalMove", "Resignation", "Time", "PlayerLeft",
                         "DrawAgreed", "Repetition", "FortyMoveRule", "ServerShutdown"},
              static_cast<uint8_t>(v));
}
const char* name_of(ClockKind v) noexcept {
  return pick(std::array{"Fischer", "PerMove", "None"}, static_cast<uint8_t>(v));
}
const char* name_of(InvalidMoveReason v) noexcept {
  return pick(std::array{"Illegal", "CaptureCompulsory", "CaptureMustContinue", "Malformed"},
              static_cast<uint8_t>(v));
}
const char* name_of(DrawDeclineReason v) noexcept {
  return pick(std::array{"Declined", "OpponentCannot", "AlreadyOffered"}, static_cast<uint8_t>(v));
}
const char* name_of(ChatRefusal v) noexcept {
  return pick(std::array{"RateLimited", "ChatOff", "NobodyToTalkTo"}, static_cast<uint8_t>(v));
}
const char* name_of(PlayerStatus v) noexcept {
  return pick(std::array{"Idle", "Queued", "Playing", "Watching"}, static_cast<uint8_t>(v));
}
const char* name_of(ChallengeKind v) noexcept {
  return pick(std::array{"Challenge", "Rematch"}, static_cast<uint8_t>(v));
}
const char* name_of(ChallengeOutcome v) noexcept {
  return pick(
      std::array{"Declined", "TimedOut", "NotAvailable", "NoSuchPlayer", "Yourself", "SpeaksV1",
                 "AlreadyPending", "TooMany", "Withdrawn", "NoRematch", "Cancelled", "Accepted"},
      static_cast<uint8_t>(v));
}
const char* name_of(WatchRefusal v) noexcept {
  return pick(std::array{"NoSuchGame", "TooManyWatchers"}, static_cast<uint8_t>(v));
}

}  // namespace checkers::proto
