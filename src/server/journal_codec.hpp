// Byte-level format of the store's files (docs/STORE.md): the file header,
// record framing with CRC32C, the payload encodings of accounts and games,
// and the scanner that splits a file into records and tells a torn tail
// (discarded) from corruption (refused).
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/account.hpp"
#include "server/archived_game.hpp"

namespace checkers::server::journal {

// CRC-32C (Castagnoli), reflected, init/xorout 0xFFFFFFFF: crc32c("123456789") == 0xE3069283.
uint32_t crc32c(std::string_view bytes);

enum class FileKind : uint8_t { journal, snapshot, games };

enum class RecordType : uint8_t {
  account_put = 1,    // full Account (journal: created; snapshot: one account)
  password_set = 2,   // name, hash
  account_del = 3,    // name
  game = 4,           // GameRecord, applied to both accounts (journal only)
  touch = 5,          // name, last_seen
  game_history = 6,   // GameRecord kept for audit only (snapshot only)
  snapshot_end = 7,   // account count, game count (last record of a snapshot)
  archived_game = 8,  // ArchivedGame: a finished game's moves and result (games log only)
};

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr std::size_t kFileHeaderSize = 24;  // magic[8] version u32 generation u64 crc u32
inline constexpr std::size_t kRecordOverhead = 9;   // length u32, type u8, ..., crc u32
inline constexpr uint32_t kMaxPayload = 1u << 16;

struct DecodeError : std::exception {
  explicit DecodeError(std::string why) : what_(std::move(why)) {}
  const char* what() const noexcept override { return what_.c_str(); }
  std::string what_;
};

std::string encode_file_header(FileKind kind, uint64_t generation);
// Returns the generation; throws DecodeError when the header is short, has
// the wrong magic or version, or a bad checksum.
uint64_t parse_file_header(std::string_view file, FileKind kind);

// Appends one framed record (length, type, payload, crc) to `out`.
void append_record(std::string& out, RecordType type, std::string_view payload);

std::string encode_account(const Account& account);
Account decode_account(std::string_view payload);
std::string encode_game(const GameRecord& game);
GameRecord decode_game(std::string_view payload);
// Moves are PDN move texts ("11-15", "22x15x6"): at most kMaxArchivedMoves of them, each
// 3..kMaxMoveText bytes of digits, '-' and 'x'.
std::string encode_archived_game(const ArchivedGame& game);
ArchivedGame decode_archived_game(std::string_view payload);
std::string encode_name(std::string_view name);
std::string decode_name(std::string_view payload);
std::string encode_name_and_string(std::string_view name, std::string_view value);
std::pair<std::string, std::string> decode_name_and_string(std::string_view payload);
std::string encode_name_and_time(std::string_view name, int64_t when);
std::pair<std::string, int64_t> decode_name_and_time(std::string_view payload);
std::string encode_counts(uint64_t accounts, uint64_t games);
std::pair<uint64_t, uint64_t> decode_counts(std::string_view payload);

struct ScannedRecord {
  RecordType type;
  std::string_view payload;
  uint64_t offset;  // of the record's length field in the file
};

struct ScanResult {
  std::vector<ScannedRecord> records;
  uint64_t good_end = 0;  // end of the last intact record
  bool torn = false;      // bytes after good_end form a torn tail
  std::string torn_why;
};

struct ScanError : DecodeError {
  ScanError(uint64_t at, std::string why) : DecodeError(std::move(why)), offset(at) {}
  uint64_t offset;
};

// Splits file[start..] into records. A torn tail (an incomplete last record,
// a last record with a bad checksum that reaches EOF, or an all-zero tail)
// is reported in the result; any other damage throws ScanError with the
// offset of the bad record.
ScanResult scan_records(std::string_view file, std::size_t start);

}  // namespace checkers::server::journal
