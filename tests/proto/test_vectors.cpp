// Golden vectors (tests/data/vectors-v1.json, produced by the reference encoders):
// every case must decode to its fields and its fields must encode to its bytes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <string>

#include "proto/format.hpp"
#include "proto/messages.hpp"
#include "vector_json.hpp"

using namespace checkers::proto;
using checkers::proto::test::board_from_json;
using checkers::proto::test::board_to_json;
using checkers::proto::test::from_hex;
using checkers::proto::test::load_vectors;
using checkers::proto::test::message_from_json;
using checkers::proto::test::message_to_json;
using checkers::proto::test::move_from_json;
using checkers::proto::test::move_to_json;
using checkers::proto::test::to_hex;
using nlohmann::json;

TEST_CASE("the vector file covers every message type and all three kinds", "[proto][vectors]") {
  const json doc = load_vectors();
  REQUIRE(doc.at("protocol_version") == 1);
  std::set<std::string> types;
  std::set<std::string> kinds;
  for (const json& c : doc.at("cases")) {
    kinds.insert(c.at("kind").get<std::string>());
    if (c.at("kind") == "message") types.insert(c.at("fields").at("type").get<std::string>());
  }
  CHECK(kinds == std::set<std::string>{"message", "move", "board"});
  CHECK(types.size() == kMsgTypeCount);
}

TEST_CASE("message vectors decode to their fields and encode to their bytes", "[proto][vectors]") {
  const json doc = load_vectors();
  size_t checked = 0;
  for (const json& c : doc.at("cases")) {
    if (c.at("kind") != "message") continue;
    const std::string name = c.at("name");
    const std::string hex = c.at("hex");
    const json& fields = c.at("fields");
    INFO("case " << name);
    const std::vector<uint8_t> bytes = from_hex(hex);

    // bytes -> fields
    REQUIRE(!bytes.empty());
    REQUIRE(message_size(bytes[0]) == bytes.size());
    const std::optional<Message> decoded = decode(bytes);
    REQUIRE(decoded.has_value());
    CHECK(message_to_json(*decoded) == fields);

    // fields -> bytes
    const Message built = message_from_json(fields);
    CHECK(built == *decoded);
    const auto encoded = to_bytes(built);
    REQUIRE(encoded.has_value());
    CHECK(to_hex(*encoded) == hex);
    ++checked;
  }
  CHECK(checked == 33);
}

TEST_CASE("move vectors", "[proto][vectors]") {
  const json doc = load_vectors();
  size_t checked = 0;
  for (const json& c : doc.at("cases")) {
    if (c.at("kind") != "move") continue;
    INFO("case " << c.at("name").get<std::string>());
    const std::vector<uint8_t> bytes = from_hex(c.at("hex"));
    REQUIRE(bytes.size() == 1);
    CHECK(move_to_json(Move::decode(bytes[0])) == c.at("fields"));
    CHECK(move_from_json(c.at("fields")).encode() == bytes[0]);
    ++checked;
  }
  CHECK(checked == 12);
}

TEST_CASE("board vectors", "[proto][vectors]") {
  const json doc = load_vectors();
  size_t checked = 0;
  for (const json& c : doc.at("cases")) {
    if (c.at("kind") != "board") continue;
    INFO("case " << c.at("name").get<std::string>());
    const std::vector<uint8_t> bytes = from_hex(c.at("hex"));
    REQUIRE(bytes.size() == Board::kWireSize);
    const Board decoded = Board::decode(std::span<const uint8_t, 24>(bytes.data(), 24));
    CHECK(board_to_json(decoded) == c.at("fields").at("board"));
    const Board built = board_from_json(c.at("fields").at("board"));
    CHECK(built == decoded);
    const Board::Wire wire = built.encode();
    CHECK(to_hex(std::vector<uint8_t>(wire.begin(), wire.end())) == c.at("hex").get<std::string>());
    ++checked;
  }
  CHECK(checked == 12);
}

TEST_CASE("primary and secondary views of a vector board are owner flips of each other",
          "[proto][vectors]") {
  const json doc = load_vectors();
  std::map<std::string, Board> boards;
  for (const json& c : doc.at("cases"))
    if (c.at("kind") == "board") boards[c.at("name")] = board_from_json(c.at("fields").at("board"));
  CHECK(boards.at("board_start_primary_view").flipped_owner() ==
        boards.at("board_start_secondary_view"));
  CHECK(boards.at("board_midgame_kings_primary_view").flipped_owner() ==
        boards.at("board_midgame_kings_secondary_view"));
  CHECK(boards.at("board_empty").flipped_owner() == boards.at("board_empty"));
}
