// JSON <-> proto mapping for the golden vectors. Field names follow the vector
// file (and docs/PROTOCOL.md), not our struct member names.
#include "vector_json.hpp"

#include <fstream>
#include <stdexcept>

namespace checkers::proto::test {

using nlohmann::json;

json load_vectors() {
  const std::string path = std::string(CHECKERS_TEST_DATA_DIR) + "/vectors-v1.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

std::vector<uint8_t> from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  std::vector<uint8_t> out;
  for (size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

std::string to_hex(const std::vector<uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

json move_to_json(const Move& m) {
  return json{{"x", m.x}, {"y", m.y}, {"dx", m.dx}, {"dy", m.dy}};
}

Move move_from_json(const json& j) {
  return Move{j.at("x").get<uint8_t>(), j.at("y").get<uint8_t>(), j.at("dx").get<int8_t>(),
              j.at("dy").get<int8_t>()};
}

json board_to_json(const Board& b) {
  json rows = json::array();
  for (int y = 0; y < 8; ++y) {
    std::string row;
    for (int x = 0; x < 8; ++x) row.push_back(code_char(b.at(x, y)));
    rows.push_back(row);
  }
  return rows;
}

Board board_from_json(const json& rows) {
  std::string text;
  for (const json& r : rows) text += r.get<std::string>() + "/";
  const std::optional<Board> b = Board::parse(text);
  if (!b) throw std::invalid_argument("bad board rows: " + rows.dump());
  return *b;
}

namespace {

struct ToJson {
  json operator()(const Connect& m) const {
    return {{"type", "Connect"},
            {"version", m.version},
            {"username", m.username.str()},
            {"password", m.password.str()}};
  }
  json operator()(const InvalidLogin& m) const {
    return {{"type", "InvalidLogin"}, {"reason", static_cast<int>(m.reason)}};
  }
  json operator()(const InvalidVersion& m) const {
    return {{"type", "InvalidVersion"},
            {"highest_supported_version", m.highest},
            {"lowest_supported_version", m.lowest}};
  }
  json operator()(const QueuePosition& m) const {
    return {{"type", "QueuePosition"},
            {"queue_size", m.queue_size},
            {"queue_pos", m.queue_pos},
            {"rating", m.rating}};
  }
  json operator()(const GameStart& m) const {
    return {{"type", "GameStart"},
            {"opponent_name", m.opponent_name.str()},
            {"opponent_rating", m.opponent_rating}};
  }
  json operator()(const YourTurn& m) const {
    return {{"type", "YourTurn"},
            {"last_move", move_to_json(m.last_move)},
            {"board", board_to_json(m.board)}};
  }
  json operator()(const MakeMove& m) const {
    return {{"type", "MakeMove"}, {"move", move_to_json(m.move)}};
  }
  json operator()(const CompulsoryMove& m) const {
    return {{"type", "CompulsoryMove"},
            {"move", move_to_json(m.move)},
            {"board", board_to_json(m.board)}};
  }
  json operator()(const InvalidMove& m) const {
    return {
        {"type", "InvalidMove"}, {"move", move_to_json(m.move)}, {"board", board_to_json(m.board)}};
  }
  json operator()(const OpponentDisconnect&) const { return {{"type", "OpponentDisconnect"}}; }
  json operator()(const GameOver& m) const {
    return {{"type", "GameOver"},
            {"you_won", m.you_won},
            {"new_rating", m.new_rating},
            {"old_rating", m.old_rating},
            {"winning_move", move_to_json(m.winning_move)},
            {"board", board_to_json(m.board)}};
  }
  json operator()(const ReQueue&) const { return {{"type", "ReQueue"}}; }
  json operator()(const LogOut&) const { return {{"type", "LogOut"}}; }
};

Str16 str16_from(const json& j) {
  const std::optional<Str16> s = Str16::make(j.get<std::string>());
  if (!s) throw std::invalid_argument("string over 16 bytes in vector");
  return *s;
}

}  // namespace

json message_to_json(const Message& m) { return std::visit(ToJson{}, m); }

Message message_from_json(const json& f) {
  const std::string type = f.at("type");
  if (type == "Connect")
    return Connect{f.at("version").get<uint8_t>(), str16_from(f.at("username")),
                   str16_from(f.at("password"))};
  if (type == "InvalidLogin")
    return InvalidLogin{static_cast<LoginFailure>(f.at("reason").get<uint8_t>())};
  if (type == "InvalidVersion")
    return InvalidVersion{f.at("highest_supported_version").get<uint8_t>(),
                          f.at("lowest_supported_version").get<uint8_t>()};
  if (type == "QueuePosition")
    return QueuePosition{f.at("queue_size").get<uint32_t>(), f.at("queue_pos").get<uint32_t>(),
                         f.at("rating").get<uint32_t>()};
  if (type == "GameStart")
    return GameStart{str16_from(f.at("opponent_name")), f.at("opponent_rating").get<uint32_t>()};
  if (type == "YourTurn")
    return YourTurn{move_from_json(f.at("last_move")), board_from_json(f.at("board"))};
  if (type == "MakeMove") return MakeMove{move_from_json(f.at("move"))};
  if (type == "CompulsoryMove")
    return CompulsoryMove{move_from_json(f.at("move")), board_from_json(f.at("board"))};
  if (type == "InvalidMove")
    return InvalidMove{move_from_json(f.at("move")), board_from_json(f.at("board"))};
  if (type == "OpponentDisconnect") return OpponentDisconnect{};
  if (type == "GameOver")
    return GameOver{f.at("you_won").get<uint8_t>(), f.at("new_rating").get<uint32_t>(),
                    f.at("old_rating").get<uint32_t>(), move_from_json(f.at("winning_move")),
                    board_from_json(f.at("board"))};
  if (type == "ReQueue") return ReQueue{};
  if (type == "LogOut") return LogOut{};
  throw std::invalid_argument("unknown message type in vector: " + type);
}

}  // namespace checkers::proto::test
