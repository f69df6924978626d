// Test helper: maps the golden-vector JSON (tests/data/vectors-v1.json and
// vectors-v2.json, format in docs/PROTOCOL.md §12 and docs/PROTOCOL-v2.md §12) to
// and from proto types. v2 messages are mapped through their field lists.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "proto/messages.hpp"

namespace checkers::proto::test {

nlohmann::json load_vectors();
nlohmann::json load_vectors_v2();  // tests/data/vectors-v2.json
std::vector<uint8_t> from_hex(const std::string& hex);
std::string to_hex(const std::vector<uint8_t>& bytes);

nlohmann::json move_to_json(const Move& m);
Move move_from_json(const nlohmann::json& j);
nlohmann::json board_to_json(const Board& b);
Board board_from_json(const nlohmann::json& rows);
nlohmann::json message_to_json(const Message& m);
Message message_from_json(const nlohmann::json& fields);
nlohmann::json path_to_json(const Path& p);
Path path_from_json(const nlohmann::json& j);

}  // namespace checkers::proto::test
