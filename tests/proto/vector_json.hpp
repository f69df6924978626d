// Test helper: maps the golden-vector JSON (tests/data/vectors-v1.json, format in
// docs/PROTOCOL.md "Test vectors") to and from proto types.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "proto/messages.hpp"

namespace checkers::proto::test {

nlohmann::json load_vectors();
std::vector<uint8_t> from_hex(const std::string& hex);
std::string to_hex(const std::vector<uint8_t>& bytes);

nlohmann::json move_to_json(const Move& m);
Move move_from_json(const nlohmann::json& j);
nlohmann::json board_to_json(const Board& b);
Board board_from_json(const nlohmann::json& rows);
nlohmann::json message_to_json(const Message& m);
Message message_from_json(const nlohmann::json& fields);

}  // namespace checkers::proto::test
