// Record framing, CRC32C and the torn-tail/corruption scanner.
#include <catch2/catch.hpp>

#include "server/journal_codec.hpp"

using namespace checkers::server;
using namespace checkers::server::journal;

TEST_CASE("crc32c matches the standard check value", "[codec]") {
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c("") == 0u);
}

TEST_CASE("account and game payloads round-trip", "[codec]") {
  Account a;
  a.name = std::string(
      "al\x01"
      "ce",
      5);
  a.password_hash = "$y$j9T$abc$def";
  a.glicko = {1612.25, 87.5, 0.0601};
  a.games = 7;
  a.wins = 4;
  a.losses = 2;
  a.draws = 1;
  a.created = 1700000000;
  a.last_seen = 1700000999;
  CHECK(decode_account(encode_account(a)) == a);

  GameRecord g{"alice",
               "bob",
               0.5,
               "repetition",
               1700001000,
               {1500, 350, 0.06},
               {1400, 30, 0.06},
               {1490, 300, 0.06},
               {1401, 29, 0.06}};
  CHECK(decode_game(encode_game(g)) == g);
  CHECK_THROWS_AS(decode_game(encode_game(g) + "x"), DecodeError);
  CHECK_THROWS_AS(decode_account(encode_account(a).substr(0, 10)), DecodeError);
}

TEST_CASE("archived game payloads round-trip; bad move text is refused", "[codec]") {
  ArchivedGame g;
  g.id = 42;
  g.started = 1700000000;
  g.result = GameRecord{"alice", "bob", 1.0, "no-legal-move", 1700000600, {}, {}, {}, {}};
  g.moves = {"11-15", "23-19", "15x24", "28x19", "9-14", "1x10x19x28x17"};
  g.clock = {ArchivedClock::Fischer, 300000, 3000};
  CHECK(decode_archived_game(encode_archived_game(g)) == g);
  CHECK_THROWS_AS(decode_archived_game(encode_archived_game(g) + "x"), DecodeError);
  ArchivedGame bad = g;
  bad.moves.back() = "11-15; DROP";
  CHECK_THROWS_AS(decode_archived_game(encode_archived_game(bad)), DecodeError);
  bad.id = 0;
  bad.moves.pop_back();
  CHECK_THROWS_AS(decode_archived_game(encode_archived_game(bad)), DecodeError);
  // The longest record allowed fits in one journal record.
  ArchivedGame longest = g;
  longest.moves.assign(kMaxArchivedMoves, std::string(kMaxMoveText, 'x'));
  CHECK(encode_archived_game(longest).size() <= kMaxPayload);
}

TEST_CASE("file headers carry kind and generation", "[codec]") {
  const std::string h = encode_file_header(FileKind::journal, 42);
  CHECK(h.size() == kFileHeaderSize);
  CHECK(parse_file_header(h, FileKind::journal) == 42);
  CHECK_THROWS_AS(parse_file_header(h, FileKind::snapshot), DecodeError);
  std::string bad = h;
  bad[12] ^= 1;
  CHECK_THROWS_AS(parse_file_header(bad, FileKind::journal), DecodeError);
  CHECK_THROWS_AS(parse_file_header(h.substr(0, 10), FileKind::journal), DecodeError);
}

namespace {
std::string three_records() {
  std::string f = encode_file_header(FileKind::journal, 0);
  append_record(f, RecordType::account_del, encode_name("one"));
  append_record(f, RecordType::account_del, encode_name("two"));
  append_record(f, RecordType::account_del, encode_name("three"));
  return f;
}
}  // namespace

TEST_CASE("scanner: intact file, torn tails and corruption", "[codec]") {
  const std::string f = three_records();
  const ScanResult all = scan_records(f, kFileHeaderSize);
  REQUIRE(all.records.size() == 3);
  CHECK_FALSE(all.torn);
  CHECK(all.good_end == f.size());
  const uint64_t last = all.records[2].offset;

  for (std::size_t cut = last + 1; cut < f.size(); ++cut) {
    const ScanResult r = scan_records(std::string_view(f).substr(0, cut), kFileHeaderSize);
    CHECK(r.records.size() == 2);
    CHECK(r.torn);
    CHECK(r.good_end == last);
  }
  SECTION("bad checksum on the last record reaching EOF is torn") {
    std::string g = f;
    g.back() ^= 0x5A;
    const ScanResult r = scan_records(g, kFileHeaderSize);
    CHECK(r.torn);
    CHECK(r.records.size() == 2);
  }
  SECTION("zero-filled tail is torn") {
    const ScanResult r = scan_records(f + std::string(100, '\0'), kFileHeaderSize);
    CHECK(r.torn);
    CHECK(r.records.size() == 3);
    CHECK(r.good_end == f.size());
  }
  SECTION("a damaged record followed by more data is corruption at its offset") {
    std::string g = f;
    const uint64_t second = all.records[1].offset;
    g[second + 6] ^= 0x01;
    try {
      scan_records(g, kFileHeaderSize);
      FAIL("no ScanError");
    } catch (const ScanError& e) {
      CHECK(e.offset == second);
    }
  }
  SECTION("an absurd length in the middle is corruption") {
    std::string g = f;
    g[all.records[0].offset + 3] = '\x7f';
    CHECK_THROWS_AS(scan_records(g, kFileHeaderSize), ScanError);
  }
}
