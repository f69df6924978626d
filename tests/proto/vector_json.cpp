// JSON <-> proto mapping for the golden vectors. Field names follow the vector
// file (and docs/PROTOCOL.md), not our struct member names.
#include "vector_json.hpp"

#include <fstream>
#include <stdexcept>
#include <type_traits>

namespace checkers::proto::test {

using nlohmann::json;

namespace {
json load_file(const std::string& name) {
  const std::string path = std::string(CHECKERS_TEST_DATA_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}
}  // namespace

json load_vectors() { return load_file("vectors-v1.json"); }
json load_vectors_v2() { return load_file("vectors-v2.json"); }

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

json path_to_json(const Path& p) {
  bool listable = p.count <= Path::kMaxSquares;
  for (size_t i = 0; i < Path::kMaxSquares; ++i) {
    if (i < p.count && p.squares[i] >= 64) listable = false;
    if (i >= p.count && p.squares[i] != 0) listable = false;
  }
  if (!listable) {
    std::vector<uint8_t> raw(p.squares.begin(), p.squares.end());
    return json{{"count", p.count}, {"raw", to_hex(raw)}};
  }
  json squares = json::array();
  for (size_t i = 0; i < p.count; ++i) squares.push_back(json::array({p.x(i), p.y(i)}));
  return json{{"squares", squares}};
}

Path path_from_json(const json& j) {
  if (j.contains("raw")) {
    const std::vector<uint8_t> raw = from_hex(j.at("raw"));
    if (raw.size() != Path::kMaxSquares) throw std::invalid_argument("raw path of wrong size");
    Path p;
    p.count = j.at("count").get<uint8_t>();
    std::copy(raw.begin(), raw.end(), p.squares.begin());
    return p;
  }
  std::vector<std::pair<int, int>> xy;
  for (const json& s : j.at("squares")) xy.emplace_back(s.at(0).get<int>(), s.at(1).get<int>());
  const std::optional<Path> p = Path::of(xy);
  if (!p) throw std::invalid_argument("path over 13 squares");
  return *p;
}

namespace {

Str16 str16_from(const json& j);

// One v2 field <-> JSON, by the field's C++ type.
json field_to_json(uint8_t v) { return v; }
json field_to_json(uint16_t v) { return v; }
json field_to_json(uint32_t v) { return v; }
template <class E>
requires std::is_enum_v<E> json field_to_json(E v) { return static_cast<int>(v); }
json field_to_json(const Str16& s) { return s.str(); }
json field_to_json(const Board& b) { return board_to_json(b); }
json field_to_json(const Path& p) { return path_to_json(p); }
json field_to_json(const ChatText& t) { return t.str(); }

template <class N>
requires std::is_integral_v<N>
void field_from_json(const json& j, N& v) { v = j.get<N>(); }
template <class E>
requires std::is_enum_v<E>
void field_from_json(const json& j, E& v) { v = static_cast<E>(j.get<uint8_t>()); }
void field_from_json(const json& j, Str16& s) { s = str16_from(j); }
void field_from_json(const json& j, Board& b) { b = board_from_json(j); }
void field_from_json(const json& j, Path& p) { p = path_from_json(j); }
void field_from_json(const json& j, ChatText& t) { t = ChatText(j.get<std::string>()); }

template <class T>
json fields_to_json(const T& m) {
  json j{{"type", name_of(T::kType)}};
  T::fields(m, [&](const char* name, const auto& v) { j[name] = field_to_json(v); });
  return j;
}

template <size_t I = 0>
std::optional<Message> v2_from_json(const std::string& type, const json& f) {
  if constexpr (I == std::variant_size_v<Message>) {
    return std::nullopt;
  } else {
    using T = std::variant_alternative_t<I, Message>;
    if constexpr (HasFieldList<T>) {
      if (type == name_of(T::kType)) {
        T m;
        T::fields(m, [&](const char* name, auto& v) { field_from_json(f.at(name), v); });
        return Message{m};
      }
    }
    return v2_from_json<I + 1>(type, f);
  }
}

struct ToJson {
  template <HasFieldList T>
  json operator()(const T& m) const {
    return fields_to_json(m);
  }
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
  if (std::optional<Message> m = v2_from_json(type, f)) return *m;
  throw std::invalid_argument("unknown message type in vector: " + type);
}

}  // namespace checkers::proto::test
