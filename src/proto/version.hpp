// Protocol versions this build speaks. The single place to change when a new
// protocol version is added: the server answers a Connect outside this range with
// InvalidVersion{highest, lowest}; the client sends kProtocolVersion.
// (docs/PROTOCOL-v2.md §3: the version is chosen per connection by Connect.)
#pragma once

#include <cstddef>
#include <cstdint>

namespace checkers::proto {

inline constexpr uint8_t kLowestSupportedVersion = 1;
inline constexpr uint8_t kHighestSupportedVersion = 2;
// What our client puts in Connect.version. Stays 1 until the client speaks v2
// (docs/PROTOCOL-v2.md §3: it then offers 2 and falls back to 1).
inline constexpr uint8_t kProtocolVersion = 1;

constexpr bool version_supported(uint8_t v) noexcept {
  return v >= kLowestSupportedVersion && v <= kHighestSupportedVersion;
}

// docs/PROTOCOL-v2.md §2.5: the longest chat text, in bytes.
inline constexpr size_t kMaxChatBytes = 200;

}  // namespace checkers::proto
