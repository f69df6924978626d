// Golden vectors of protocol v2 (tests/data/vectors-v2.json, written by
// scripts/gen_vectors_v2.py from docs/PROTOCOL-v2.md, independently of src/proto):
// every message case decodes to its fields and its fields encode to its bytes, at
// version 2 only; every malformed case is refused by decode() and by the stream
// decoder, in one piece and byte by byte.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "proto/format.hpp"
#include "proto/messages.hpp"
#include "proto/stream_decoder.hpp"
#include "vector_json.hpp"

using namespace checkers::proto;
using checkers::proto::test::from_hex;
using checkers::proto::test::load_vectors_v2;
using checkers::proto::test::message_from_json;
using checkers::proto::test::message_to_json;
using checkers::proto::test::to_hex;
using nlohmann::json;

TEST_CASE("the v2 vector file covers every v2 message type", "[proto][vectors][v2]") {
  const json doc = load_vectors_v2();
  REQUIRE(doc.at("protocol_version") == 2);
  std::set<std::string> types;
  for (const json& c : doc.at("cases"))
    if (c.at("kind") == "message") types.insert(c.at("fields").at("type").get<std::string>());
  std::set<std::string> expected;
  for (uint8_t t = kFirstMsgTypeV2; t <= kLastMsgTypeV2; ++t)
    expected.insert(name_of(static_cast<MsgType>(t)));
  CHECK(types == expected);
}

TEST_CASE("v2 message vectors decode to their fields and encode to their bytes",
          "[proto][vectors][v2]") {
  const json doc = load_vectors_v2();
  size_t checked = 0;
  for (const json& c : doc.at("cases")) {
    if (c.at("kind") != "message") continue;
    const std::string hex = c.at("hex");
    const json& fields = c.at("fields");
    INFO("case " << c.at("name").get<std::string>());
    const std::vector<uint8_t> bytes = from_hex(hex);

    // bytes -> fields, at version 2; a version-1 connection does not know the type.
    CHECK_FALSE(decode(bytes, 1));
    const std::optional<Message> decoded = decode(bytes, 2);
    REQUIRE(decoded.has_value());
    CHECK(message_to_json(*decoded) == fields);
    CHECK(fmt::format("{}", *decoded).rfind(fields.at("type").get<std::string>() + "{", 0) == 0);

    // fields -> bytes
    const Message built = message_from_json(fields);
    CHECK(built == *decoded);
    const auto encoded = to_bytes(built);
    REQUIRE(encoded.has_value());
    CHECK(to_hex(*encoded) == hex);

    // The stream decoder, byte by byte.
    StreamDecoder d;
    d.set_version(2);
    std::vector<Message> got;
    for (uint8_t b : bytes) {
      const FeedResult r =
          d.feed(std::span<const uint8_t>(&b, 1), [&](const Message& m) { got.push_back(m); });
      REQUIRE((r.status == DecodeStatus::Ok || r.status == DecodeStatus::Incomplete));
    }
    REQUIRE(got.size() == 1);
    CHECK(got[0] == *decoded);
    ++checked;
  }
  CHECK(checked >= 33);
}

TEST_CASE("malformed v2 vectors are refused", "[proto][vectors][v2]") {
  const json doc = load_vectors_v2();
  size_t checked = 0;
  for (const json& c : doc.at("cases")) {
    if (c.at("kind") != "malformed") continue;
    INFO("case " << c.at("name").get<std::string>());
    const std::vector<uint8_t> bytes = from_hex(c.at("hex"));
    CHECK_FALSE(decode(bytes, 2));
    for (size_t chunk : {bytes.size(), size_t{1}}) {
      StreamDecoder d;
      d.set_version(2);
      size_t delivered = 0;
      DecodeStatus last = DecodeStatus::Ok;
      for (size_t pos = 0; pos < bytes.size() && !d.failed(); pos += chunk) {
        const size_t n = std::min(chunk, bytes.size() - pos);
        last = d.feed(std::span<const uint8_t>(bytes.data() + pos, n), [&](const Message&) {
                  ++delivered;
                }).status;
      }
      CHECK(delivered == 0);
      CHECK(d.failed());
      CHECK((last == DecodeStatus::Malformed || last == DecodeStatus::UnknownType));
    }
    ++checked;
  }
  CHECK(checked >= 15);
}
