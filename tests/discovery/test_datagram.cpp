// Discovery datagram codec: byte layout, round trips, and rejection of everything else.
#include "discovery/datagram.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace checkers::discovery;

namespace {

Announcement sample() {
  Announcement a;
  a.nonce = 0xA1B2C3D4;
  a.instance_id = 0x0102030405060708ULL;
  a.tcp_port = 8864;
  a.lowest_version = 1;
  a.highest_version = 2;
  a.players_online = 7;
  a.players_queued = 3;
  a.name = "Café de la Paix";
  return a;
}

RejectReason reason_of(const std::vector<uint8_t>& bytes) {
  RejectReason why{};
  REQUIRE_FALSE(parse(bytes, &why).has_value());
  return why;
}

}  // namespace

TEST_CASE("query has the documented byte layout and is padded to 64 bytes") {
  auto bytes = encode(Query{0x11223344});
  REQUIRE(bytes.size() == kQuerySize);
  std::vector<uint8_t> head(bytes.begin(), bytes.begin() + 10);
  CHECK(head == std::vector<uint8_t>{'C', 'H', 'K', 'R', 1, 1, 0x44, 0x33, 0x22, 0x11});
  for (std::size_t i = 10; i < bytes.size(); ++i) CHECK(bytes[i] == 0);
}

TEST_CASE("announcement has the documented byte layout") {
  Announcement a = sample();
  a.name = "ab";
  auto b = encode(a);
  std::vector<uint8_t> expected = {'C',  'H',  'K',  'R',  1,    2,    0xD4, 0xC3,
                                   0xB2, 0xA1,                                      // nonce
                                   0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,  // instance id
                                   0xA0, 0x22,                                      // 8864
                                   1,    2,                                         // versions
                                   7,    0,    0,    0,    3,    0,    0,    0,     // players
                                   2,    'a',  'b'};
  CHECK(b == expected);
  CHECK(kAnnouncementFixedSize + 2 == b.size());
}

TEST_CASE("query and announcement round trip") {
  auto q = parse(encode(Query{42}));
  REQUIRE(q.has_value());
  CHECK(std::get<Query>(*q) == Query{42});

  Announcement a = sample();
  auto parsed = parse(encode(a));
  REQUIRE(parsed.has_value());
  CHECK(std::get<Announcement>(*parsed) == a);

  a.name = std::string(kMaxNameBytes, 'x');
  a.tls = TlsOffer{};  // the one extension this format knows
  auto longest = encode(a);
  CHECK(longest.size() == kMaxAnnouncementSize);
  CHECK(std::get<Announcement>(*parse(longest)) == a);

  a.name.clear();
  CHECK(std::get<Announcement>(*parse(encode(a))) == a);
}

TEST_CASE("the reference's empty datagram is a legacy beacon") {
  auto d = parse(std::vector<uint8_t>{});
  REQUIRE(d.has_value());
  CHECK(std::holds_alternative<LegacyBeacon>(*d));
  CHECK(encode(LegacyBeacon{}).empty());
}

TEST_CASE("every strict prefix of a valid datagram is rejected") {
  for (const auto& whole : {encode(Query{9}), encode(sample())}) {
    for (std::size_t n = 1; n < whole.size(); ++n) {
      std::vector<uint8_t> prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
      INFO("length " << n);
      CHECK(reason_of(prefix) == RejectReason::Truncated);
    }
  }
}

TEST_CASE("trailing bytes are rejected") {
  auto q = encode(Query{1});
  q.push_back(0);
  CHECK(reason_of(q) == RejectReason::TrailingBytes);
  auto a = encode(sample());
  a.push_back('!');
  CHECK(reason_of(a) == RejectReason::TrailingBytes);
}

TEST_CASE(
    "the TLS extension: offered/required and the fingerprint round-trip; unknown ones skipped") {
  Announcement a = sample();
  TlsOffer offer;
  offer.required = true;
  for (std::size_t i = 0; i < offer.fingerprint.size(); ++i)
    offer.fingerprint[i] = static_cast<uint8_t>(i * 7);
  a.tls = offer;
  auto bytes = encode(a);
  CHECK(bytes.size() == encode(sample()).size() + kTlsExtensionSize);
  auto back = parse(bytes);
  REQUIRE(back);
  CHECK(std::get<Announcement>(*back) == a);
  // A later format adds an extension this receiver does not know: skipped, not rejected.
  auto future = bytes;
  for (uint8_t b : {uint8_t{0x7f}, uint8_t{3}, uint8_t{1}, uint8_t{2}, uint8_t{3}})
    future.push_back(b);
  auto parsed = parse(future);
  REQUIRE(parsed);
  CHECK(std::get<Announcement>(*parsed).tls == offer);
  // A TLS extension of the wrong length, or one cut short, is rejected.
  auto bad = encode(sample());
  for (uint8_t b : {kExtensionTls, uint8_t{2}, uint8_t{1}, uint8_t{0}}) bad.push_back(b);
  CHECK(reason_of(bad) == RejectReason::BadField);
  auto cut = bytes;
  cut.pop_back();
  CHECK(reason_of(cut) == RejectReason::TrailingBytes);
}

TEST_CASE("wrong magic, version or kind is rejected") {
  auto a = encode(sample());
  auto bad = a;
  bad[0] = 'X';
  CHECK(reason_of(bad) == RejectReason::BadMagic);
  CHECK(reason_of({'C', 'H', 'X'}) == RejectReason::BadMagic);
  CHECK(reason_of({0x00}) == RejectReason::BadMagic);
  CHECK(reason_of({'h', 'e', 'l', 'l', 'o'}) == RejectReason::BadMagic);
  bad = a;
  bad[4] = 2;
  CHECK(reason_of(bad) == RejectReason::UnknownVersion);
  bad = a;
  bad[4] = 0;
  CHECK(reason_of(bad) == RejectReason::UnknownVersion);
  for (uint8_t kind : {0, 3, 0xFF}) {
    bad = a;
    bad[5] = kind;
    CHECK(reason_of(bad) == RejectReason::BadKind);
  }
}

TEST_CASE("bad field values are rejected") {
  auto q = encode(Query{1});
  q[63] = 1;
  CHECK(reason_of(q) == RejectReason::BadPadding);

  auto a = encode(sample());
  auto bad = a;
  bad[18] = bad[19] = 0;  // tcp port 0
  CHECK(reason_of(bad) == RejectReason::BadField);
  bad = a;
  bad[20] = 3;  // lowest > highest
  CHECK(reason_of(bad) == RejectReason::BadField);
  bad = a;
  bad[20] = 0;  // version 0 does not exist
  CHECK(reason_of(bad) == RejectReason::BadField);
}

TEST_CASE("overlong or invalid UTF-8 names are rejected") {
  Announcement a = sample();
  a.name = "ab";
  auto bytes = encode(a);
  bytes[30] = kMaxNameBytes + 1;
  bytes.resize(kAnnouncementFixedSize + kMaxNameBytes + 1, 'x');
  CHECK(reason_of(bytes) == RejectReason::BadName);

  for (std::string name :
       {std::string("\xC3"), std::string("\xC0\xAF"), std::string("\xED\xA0\x80"),
        std::string("\xF4\x90\x80\x80"), std::string("a\xFF")}) {
    auto b = encode(Announcement{1, 2, 8864, 1, 1, 0, 0, "zz", {}});
    b.resize(kAnnouncementFixedSize);
    b[30] = static_cast<uint8_t>(name.size());
    b.insert(b.end(), name.begin(), name.end());
    CHECK(reason_of(b) == RejectReason::BadName);
  }
  CHECK_THROWS_AS(encode(Announcement{0, 1, 8864, 1, 1, 0, 0, std::string(65, 'n'), {}}),
                  std::invalid_argument);
  CHECK_THROWS_AS(encode(Announcement{0, 1, 8864, 1, 1, 0, 0, "\xFF", {}}), std::invalid_argument);
  CHECK_THROWS_AS(encode(Announcement{0, 1, 0, 1, 1, 0, 0, "x", {}}), std::invalid_argument);
  CHECK(validate_server_name("Ünïcödé ♟").empty());
  CHECK_FALSE(validate_server_name(std::string(65, 'n')).empty());
}

TEST_CASE("garbage never parses as a query or announcement") {
  // Deterministic pseudo-random bytes; a valid datagram needs the magic, so none may parse.
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1103515245u + 12345u;
    return static_cast<uint8_t>(state >> 16);
  };
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> junk(1 + static_cast<std::size_t>(round % 200));
    for (auto& c : junk) c = next();
    RejectReason why{};
    CHECK_FALSE(parse(junk, &why).has_value());
  }
}
