// Protocol versions this build speaks. The single place to change when a new
// protocol version is added: the server answers a Connect outside this range with
// InvalidVersion{highest, lowest}; the client sends kProtocolVersion.
#pragma once

#include <cstdint>

namespace checkers::proto {

inline constexpr uint8_t kLowestSupportedVersion = 1;
inline constexpr uint8_t kHighestSupportedVersion = 1;
// What our client puts in Connect.version.
inline constexpr uint8_t kProtocolVersion = kHighestSupportedVersion;

constexpr bool version_supported(uint8_t v) noexcept {
  return v >= kLowestSupportedVersion && v <= kHighestSupportedVersion;
}

}  // namespace checkers::proto
