// LAN discovery datagram format (docs/DISCOVERY.md has the byte tables).
// A client broadcasts a Query; servers answer with an Announcement and also send
// unsolicited ones. The reference implementation's beacon is an empty datagram,
// recognised here as LegacyBeacon. Everything else is rejected with a reason, so
// stray traffic on UDP 8864 can never be mistaken for a server.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace checkers::discovery {

inline constexpr std::array<uint8_t, 4> kMagic = {'C', 'H', 'K', 'R'};
inline constexpr uint8_t kFormatVersion = 1;
// SERVICE: DISCOVERY uses the well-known port 8864 on UDP as well (queries, announcements, legacy
// beacon).
inline constexpr uint16_t kDefaultUdpPort = 8864;
// Queries are padded to this size so an answer is never much larger than the
// question (the responder cannot be used as a traffic amplifier).
inline constexpr std::size_t kQuerySize = 64;
inline constexpr std::size_t kAnnouncementFixedSize = 31;
inline constexpr std::size_t kMaxNameBytes = 64;
// Announcement extensions follow the name: (type u8, length u8, value) each; a receiver
// skips types it does not know, so new fields need no new format version.
inline constexpr uint8_t kExtensionTls = 1;  // flags u8 + SHA-256 of the certificate
inline constexpr std::size_t kTlsExtensionSize = 2 + 1 + 32;
inline constexpr std::size_t kMaxAnnouncementSize =
    kAnnouncementFixedSize + kMaxNameBytes + kTlsExtensionSize;
// Largest datagram worth reading: anything longer is rejected as TrailingBytes.
inline constexpr std::size_t kMaxDatagramSize = 512;

enum class Kind : uint8_t { Query = 1, Announcement = 2 };

struct Query {
  uint32_t nonce = 0;
  bool operator==(const Query&) const = default;
};

// "TLS offered" on the game port (issue 17). The fingerprint lets a player compare; it is
// not proof (a datagram is not authenticated): the client's own trust store decides.
struct TlsOffer {
  bool required = false;  // --tls required: plain connections are refused
  std::array<uint8_t, 32> fingerprint{};
  bool operator==(const TlsOffer&) const = default;
};

struct Announcement {
  uint32_t nonce = 0;  // the query's nonce; 0 when unsolicited
  uint64_t instance_id = 0;
  uint16_t tcp_port = 0;
  uint8_t lowest_version = 0;
  uint8_t highest_version = 0;
  uint32_t players_online = 0;
  uint32_t players_queued = 0;
  std::string name;             // UTF-8, at most kMaxNameBytes bytes
  std::optional<TlsOffer> tls;  // extension kExtensionTls; none: plain text only
  bool operator==(const Announcement&) const = default;
};

// The reference server's beacon: a datagram with no payload at all.
struct LegacyBeacon {
  bool operator==(const LegacyBeacon&) const = default;
};

using Datagram = std::variant<Query, Announcement, LegacyBeacon>;

enum class RejectReason : uint8_t {
  Truncated,  // shorter than its kind requires
  BadMagic,
  UnknownVersion,
  BadKind,
  TrailingBytes,  // longer than its kind allows
  BadPadding,     // query padding not all zero
  BadName,        // overlong or not valid UTF-8
  BadField,       // tcp port 0, lowest > highest version
};
inline constexpr std::size_t kRejectReasonCount = 8;

std::string_view to_string(RejectReason reason) noexcept;

std::vector<uint8_t> encode(const Query& query);
// Throws std::invalid_argument for a name that would not parse (see valid_server_name).
std::vector<uint8_t> encode(const Announcement& announcement);
std::vector<uint8_t> encode(const LegacyBeacon&);

// nullopt + *reason on anything that is not exactly one well-formed datagram.
// DISCOVERY: the only decoder of discovery datagrams; anything malformed is rejected with a reason.
std::optional<Datagram> parse(std::span<const uint8_t> bytes, RejectReason* reason = nullptr);

// Empty string when `name` can go into an announcement, else why not.
std::string validate_server_name(std::string_view name);
bool valid_utf8(std::string_view text) noexcept;

}  // namespace checkers::discovery
