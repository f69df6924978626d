#include "discovery/datagram.hpp"

#include <algorithm>
#include <stdexcept>

namespace checkers::discovery {
namespace {

constexpr std::size_t kHeaderSize = 6;  // magic, format version, kind

class Writer {
 public:
  explicit Writer(std::size_t reserve) { bytes_.reserve(reserve); }
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { put_le(v, 2); }
  void u32(uint32_t v) { put_le(v, 4); }
  void u64(uint64_t v) { put_le(v, 8); }
  void raw(std::string_view s) { bytes_.insert(bytes_.end(), s.begin(), s.end()); }
  void header(Kind kind) {
    bytes_.insert(bytes_.end(), kMagic.begin(), kMagic.end());
    u8(kFormatVersion);
    u8(static_cast<uint8_t>(kind));
  }
  std::vector<uint8_t> take() { return std::move(bytes_); }
  std::size_t size() const { return bytes_.size(); }

 private:
  void put_le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> bytes_;
};

// Reads little-endian fields at fixed offsets; callers check the size first.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}
  uint8_t u8(std::size_t at) const { return b_[at]; }
  uint16_t u16(std::size_t at) const { return static_cast<uint16_t>(le(at, 2)); }
  uint32_t u32(std::size_t at) const { return static_cast<uint32_t>(le(at, 4)); }
  uint64_t u64(std::size_t at) const { return le(at, 8); }

 private:
  uint64_t le(std::size_t at, int n) const {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | b_[at + static_cast<std::size_t>(i)];
    return v;
  }
  std::span<const uint8_t> b_;
};

std::optional<Datagram> reject(RejectReason* out, RejectReason why) {
  if (out != nullptr) *out = why;
  return std::nullopt;
}

std::optional<Datagram> parse_query(std::span<const uint8_t> b, RejectReason* why) {
  if (b.size() < kQuerySize) return reject(why, RejectReason::Truncated);
  if (b.size() > kQuerySize) return reject(why, RejectReason::TrailingBytes);
  auto padding = b.subspan(kHeaderSize + 4);
  if (!std::all_of(padding.begin(), padding.end(), [](uint8_t c) { return c == 0; })) {
    return reject(why, RejectReason::BadPadding);
  }
  return Query{Reader(b).u32(kHeaderSize)};
}

// The extensions after the name; a type we do not know is skipped. Bytes that do not
// frame as extensions are trailing bytes, as before extensions existed.
std::optional<RejectReason> parse_extensions(std::span<const uint8_t> b, Announcement& a) {
  while (!b.empty()) {
    if (b.size() < 2 || b.size() < 2u + b[1]) return RejectReason::TrailingBytes;
    const uint8_t type = b[0];
    const std::span<const uint8_t> value = b.subspan(2, b[1]);
    if (type == kExtensionTls) {
      if (value.size() != 1 + 32 || a.tls) return RejectReason::BadField;
      TlsOffer offer;
      offer.required = (value[0] & 0x02) != 0;
      std::copy(value.begin() + 1, value.end(), offer.fingerprint.begin());
      a.tls = offer;
    }
    b = b.subspan(2 + value.size());
  }
  return std::nullopt;
}

std::optional<Datagram> parse_announcement(std::span<const uint8_t> b, RejectReason* why) {
  if (b.size() < kAnnouncementFixedSize) return reject(why, RejectReason::Truncated);
  Reader r(b);
  Announcement a;
  a.nonce = r.u32(6);
  a.instance_id = r.u64(10);
  a.tcp_port = r.u16(18);
  a.lowest_version = r.u8(20);
  a.highest_version = r.u8(21);
  a.players_online = r.u32(22);
  a.players_queued = r.u32(26);
  std::size_t name_len = r.u8(30);
  if (name_len > kMaxNameBytes) return reject(why, RejectReason::BadName);
  if (b.size() < kAnnouncementFixedSize + name_len) return reject(why, RejectReason::Truncated);
  if (b.size() > kMaxAnnouncementSize) return reject(why, RejectReason::TrailingBytes);
  a.name.assign(reinterpret_cast<const char*>(b.data()) + kAnnouncementFixedSize, name_len);
  if (!valid_utf8(a.name)) return reject(why, RejectReason::BadName);
  if (auto bad = parse_extensions(b.subspan(kAnnouncementFixedSize + name_len), a))
    return reject(why, *bad);
  if (a.tcp_port == 0 || a.lowest_version == 0 || a.lowest_version > a.highest_version) {
    return reject(why, RejectReason::BadField);
  }
  return a;
}

}  // namespace

std::string_view to_string(RejectReason reason) noexcept {
  switch (reason) {
    case RejectReason::Truncated:
      return "truncated";
    case RejectReason::BadMagic:
      return "bad magic";
    case RejectReason::UnknownVersion:
      return "unknown format version";
    case RejectReason::BadKind:
      return "bad kind";
    case RejectReason::TrailingBytes:
      return "trailing bytes";
    case RejectReason::BadPadding:
      return "non-zero query padding";
    case RejectReason::BadName:
      return "bad server name";
    case RejectReason::BadField:
      return "bad field value";
  }
  return "unknown";
}

std::vector<uint8_t> encode(const Query& query) {
  Writer w(kQuerySize);
  w.header(Kind::Query);
  w.u32(query.nonce);
  while (w.size() < kQuerySize) w.u8(0);
  return w.take();
}

std::vector<uint8_t> encode(const Announcement& a) {
  if (auto err = validate_server_name(a.name); !err.empty()) throw std::invalid_argument(err);
  if (a.tcp_port == 0 || a.lowest_version == 0 || a.lowest_version > a.highest_version) {
    throw std::invalid_argument("announcement: tcp port 0 or empty version range");
  }
  Writer w(kAnnouncementFixedSize + a.name.size());
  w.header(Kind::Announcement);
  w.u32(a.nonce);
  w.u64(a.instance_id);
  w.u16(a.tcp_port);
  w.u8(a.lowest_version);
  w.u8(a.highest_version);
  w.u32(a.players_online);
  w.u32(a.players_queued);
  w.u8(static_cast<uint8_t>(a.name.size()));
  w.raw(a.name);
  if (a.tls) {
    w.u8(kExtensionTls);
    w.u8(1 + 32);
    w.u8(static_cast<uint8_t>(0x01 | (a.tls->required ? 0x02 : 0)));  // bit 0: offered
    w.raw(std::string_view(reinterpret_cast<const char*>(a.tls->fingerprint.data()), 32));
  }
  return w.take();
}

std::vector<uint8_t> encode(const LegacyBeacon&) { return {}; }

std::optional<Datagram> parse(std::span<const uint8_t> b, RejectReason* why) {
  if (b.empty()) return LegacyBeacon{};
  std::size_t magic_len = std::min(b.size(), kMagic.size());
  if (!std::equal(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(magic_len), kMagic.begin())) {
    return reject(why, RejectReason::BadMagic);
  }
  if (b.size() < kHeaderSize) return reject(why, RejectReason::Truncated);
  if (b[4] != kFormatVersion) return reject(why, RejectReason::UnknownVersion);
  switch (b[5]) {
    case static_cast<uint8_t>(Kind::Query):
      return parse_query(b, why);
    case static_cast<uint8_t>(Kind::Announcement):
      return parse_announcement(b, why);
    default:
      return reject(why, RejectReason::BadKind);
  }
}

std::string validate_server_name(std::string_view name) {
  if (name.size() > kMaxNameBytes) {
    return "server name is " + std::to_string(name.size()) + " bytes; at most " +
           std::to_string(kMaxNameBytes) + " allowed";
  }
  if (!valid_utf8(name)) return "server name is not valid UTF-8";
  return {};
}

bool valid_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else
      return false;
    if (i + extra >= text.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace checkers::discovery
