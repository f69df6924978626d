// Encoding and scanning of the store's files. All integers little-endian;
// doubles as their IEEE-754 bit pattern; strings as u16 length + bytes.
#include "server/journal_codec.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace checkers::server::journal {
namespace {

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

constexpr char kJournalMagic[8] = {'C', 'K', 'R', 'S', 'J', 'R', 'N', 'L'};
constexpr char kSnapshotMagic[8] = {'C', 'K', 'R', 'S', 'S', 'N', 'A', 'P'};
constexpr char kGamesMagic[8] = {'C', 'K', 'R', 'S', 'G', 'A', 'M', 'E'};

const char* magic_of(FileKind kind) {
  switch (kind) {
    case FileKind::journal:
      return kJournalMagic;
    case FileKind::snapshot:
      return kSnapshotMagic;
    case FileKind::games:
      return kGamesMagic;
  }
  return kJournalMagic;
}

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void i64(int64_t v) { put(static_cast<uint64_t>(v), 8); }
  void f64(double v) { put(std::bit_cast<uint64_t>(v), 8); }
  void str(std::string_view s) {
    s = s.substr(0, 0xFFFF);
    u16(static_cast<uint16_t>(s.size()));
    out_.append(s);
  }
  void glicko(const Glicko& g) {
    f64(g.rating);
    f64(g.rd);
    f64(g.volatility);
  }
  std::string take() { return std::move(out_); }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint16_t u16() { return static_cast<uint16_t>(get(2)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  int64_t i64() { return static_cast<int64_t>(get(8)); }
  double f64() { return std::bit_cast<double>(get(8)); }
  std::string str() {
    const uint16_t n = u16();
    need(n);
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  Glicko glicko() {
    Glicko g;
    g.rating = f64();
    g.rd = f64();
    g.volatility = f64();
    return g;
  }
  void finish() const {
    if (pos_ != in_.size()) throw DecodeError("trailing bytes in record payload");
  }

 private:
  void need(std::size_t n) const {
    if (in_.size() - pos_ < n) throw DecodeError("record payload too short");
  }
  uint64_t get(int n) {
    need(static_cast<std::size_t>(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

uint32_t load_u32(std::string_view s, std::size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<uint8_t>(s[at + i])) << (8 * i);
  return v;
}

bool all_zero(std::string_view s) { return s.find_first_not_of('\0') == std::string_view::npos; }

bool known_type(uint8_t t) { return t >= 1 && t <= 8; }

bool valid_move_text(std::string_view m) {
  if (m.size() < 3 || m.size() > kMaxMoveText) return false;
  return m.find_first_not_of("0123456789x-") == std::string_view::npos;
}

}  // namespace

uint32_t crc32c(std::string_view bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (const char ch : bytes) c = kCrcTable[(c ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string encode_file_header(FileKind kind, uint64_t generation) {
  Writer w;
  std::string out(magic_of(kind), 8);
  w.u32(kFormatVersion);
  w.u64(generation);
  out += w.take();
  Writer c;
  c.u32(crc32c(out));
  return out + c.take();
}

uint64_t parse_file_header(std::string_view file, FileKind kind) {
  if (file.size() < kFileHeaderSize) throw DecodeError("file header truncated");
  const char* magic = magic_of(kind);
  if (std::memcmp(file.data(), magic, 8) != 0)
    throw DecodeError("bad magic (not a checkers store file)");
  if (load_u32(file, 20) != crc32c(file.substr(0, 20)))
    throw DecodeError("file header checksum mismatch");
  Reader r(file.substr(8, 12));
  const uint32_t version = r.u32();
  if (version != kFormatVersion)
    throw DecodeError("unsupported format version " + std::to_string(version));
  return r.u64();
}

void append_record(std::string& out, RecordType type, std::string_view payload) {
  Writer w;
  w.u32(static_cast<uint32_t>(payload.size()));
  w.u8(static_cast<uint8_t>(type));
  const std::size_t start = out.size();
  out += w.take();
  out.append(payload);
  Writer c;
  c.u32(crc32c(std::string_view(out).substr(start)));
  out += c.take();
}

std::string encode_account(const Account& a) {
  Writer w;
  w.str(a.name);
  w.str(a.password_hash);
  w.glicko(a.glicko);
  w.u32(a.games);
  w.u32(a.wins);
  w.u32(a.losses);
  w.u32(a.draws);
  w.i64(a.created);
  w.i64(a.last_seen);
  return w.take();
}

Account decode_account(std::string_view payload) {
  Reader r(payload);
  Account a;
  a.name = r.str();
  a.password_hash = r.str();
  a.glicko = r.glicko();
  a.games = r.u32();
  a.wins = r.u32();
  a.losses = r.u32();
  a.draws = r.u32();
  a.created = r.i64();
  a.last_seen = r.i64();
  r.finish();
  if (!valid_username(a.name)) throw DecodeError("invalid account name");
  return a;
}

std::string encode_game(const GameRecord& g) {
  Writer w;
  w.str(g.a);
  w.str(g.b);
  w.f64(g.score_a);
  w.str(g.reason);
  w.i64(g.when);
  w.glicko(g.a_before);
  w.glicko(g.b_before);
  w.glicko(g.a_after);
  w.glicko(g.b_after);
  return w.take();
}

GameRecord decode_game(std::string_view payload) {
  Reader r(payload);
  GameRecord g;
  g.a = r.str();
  g.b = r.str();
  g.score_a = r.f64();
  g.reason = r.str();
  g.when = r.i64();
  g.a_before = r.glicko();
  g.b_before = r.glicko();
  g.a_after = r.glicko();
  g.b_after = r.glicko();
  r.finish();
  if (!(g.score_a == 0.0 || g.score_a == 0.5 || g.score_a == 1.0))
    throw DecodeError("invalid game score");
  return g;
}

std::string encode_archived_game(const ArchivedGame& g) {
  Writer w;
  w.u64(g.id);
  w.i64(g.started);
  w.str(encode_game(g.result));
  w.u16(static_cast<uint16_t>(std::min(g.moves.size(), kMaxArchivedMoves)));
  for (std::size_t i = 0; i < g.moves.size() && i < kMaxArchivedMoves; ++i) w.str(g.moves[i]);
  w.u8(g.clock.kind);
  w.u32(g.clock.base_ms);
  w.u32(g.clock.increment_ms);
  return w.take();
}

ArchivedGame decode_archived_game(std::string_view payload) {
  Reader r(payload);
  ArchivedGame g;
  g.id = r.u64();
  g.started = r.i64();
  g.result = decode_game(r.str());
  const uint16_t n = r.u16();
  if (n > kMaxArchivedMoves) throw DecodeError("too many moves in a game record");
  g.moves.reserve(n);
  for (uint16_t i = 0; i < n; ++i) {
    g.moves.push_back(r.str());
    if (!valid_move_text(g.moves.back())) throw DecodeError("invalid move text in a game record");
  }
  g.clock.kind = r.u8();
  g.clock.base_ms = r.u32();
  g.clock.increment_ms = r.u32();
  r.finish();
  if (g.id == 0) throw DecodeError("game record with id 0");
  return g;
}

std::string encode_name(std::string_view name) {
  Writer w;
  w.str(name);
  return w.take();
}

std::string decode_name(std::string_view payload) {
  Reader r(payload);
  std::string name = r.str();
  r.finish();
  return name;
}

std::string encode_name_and_string(std::string_view name, std::string_view value) {
  Writer w;
  w.str(name);
  w.str(value);
  return w.take();
}

std::pair<std::string, std::string> decode_name_and_string(std::string_view payload) {
  Reader r(payload);
  std::string name = r.str();
  std::string value = r.str();
  r.finish();
  return {std::move(name), std::move(value)};
}

std::string encode_name_and_time(std::string_view name, int64_t when) {
  Writer w;
  w.str(name);
  w.i64(when);
  return w.take();
}

std::pair<std::string, int64_t> decode_name_and_time(std::string_view payload) {
  Reader r(payload);
  std::string name = r.str();
  const int64_t when = r.i64();
  r.finish();
  return {std::move(name), when};
}

std::string encode_counts(uint64_t accounts, uint64_t games) {
  Writer w;
  w.u64(accounts);
  w.u64(games);
  return w.take();
}

std::pair<uint64_t, uint64_t> decode_counts(std::string_view payload) {
  Reader r(payload);
  const uint64_t accounts = r.u64();
  const uint64_t games = r.u64();
  r.finish();
  return {accounts, games};
}

ScanResult scan_records(std::string_view file, std::size_t start) {
  ScanResult result;
  std::size_t pos = start;
  const auto torn = [&](std::string why) {
    result.torn = true;
    result.torn_why = std::move(why);
  };
  while (pos < file.size() && !result.torn) {
    const std::string_view rest = file.substr(pos);
    if (rest.size() < 5) {
      torn("incomplete record header");
      break;
    }
    const uint32_t length = load_u32(rest, 0);
    if (length > kMaxPayload) {
      if (all_zero(rest)) break;  // handled below as zero tail
      throw ScanError(pos, "record length " + std::to_string(length) + " exceeds the maximum");
    }
    const std::size_t size = kRecordOverhead + length;
    if (rest.size() < size) {
      torn("incomplete record (" + std::to_string(rest.size()) + " of " + std::to_string(size) +
           " bytes)");
      break;
    }
    if (load_u32(rest, size - 4) != crc32c(rest.substr(0, size - 4))) {
      if (rest.size() == size || all_zero(rest)) {
        torn("last record fails its checksum");
        break;
      }
      throw ScanError(pos,
                      "record checksum mismatch (more data follows, so this is not a torn write)");
    }
    const auto type = static_cast<uint8_t>(rest[4]);
    if (!known_type(type)) throw ScanError(pos, "unknown record type " + std::to_string(type));
    result.records.push_back({static_cast<RecordType>(type), rest.substr(5, length), pos});
    pos += size;
  }
  if (!result.torn && pos < file.size()) torn("zero-filled tail");
  result.good_end = pos;
  return result;
}

}  // namespace checkers::server::journal
