// The dissector against known bytes, no capture needed: every golden vector
// (tests/data/vectors-v1.json) written into a pcap as its own TCP segment must
// decode to its type and fields under the spec's field names; the same messages
// cut into 7-byte segments must come out whole and in order (TCP reassembly,
// several messages per segment); an undefined type byte is an expert error; and
// datagrams from our discovery encoder decode field by field.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "discovery/datagram.hpp"
#include "pcap_writer.hpp"
#include "proto/dfa.hpp"
#include "proto/messages.hpp"
#include "support/temp_dir.hpp"
#include "tshark.hpp"

using namespace checkers;
using namespace checkers::test;
using nlohmann::json;

namespace {

constexpr uint16_t kServerPort = 8864;  // the dissector's default: no -d needed
constexpr uint16_t kClientPort = 40000;

json load_vectors() {
  std::ifstream in(std::string(CHECKERS_TEST_DATA_DIR) + "/vectors-v1.json");
  return json::parse(in);
}

bool client_to_server(const std::string& type) {
  return type == "Connect" || type == "MakeMove" || type == "ReQueue" || type == "LogOut";
}

std::string type_name(const json& layer) {
  const auto t = std::stoul(field(layer, "checkers.type"), nullptr, 16);
  return proto::name_of(static_cast<proto::MsgType>(t));
}

std::string json_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// Checks one decoded message against the vector's fields: every scalar field
// `name` is `checkers.<name>`; a Move is the subtree `checkers.<name>_tree`; a
// Board is the subtree's rows.
void check_fields(const json& layer, const json& fields) {
  for (const auto& [name, expected] : fields.items()) {
    INFO("field " << name);
    if (name == "type") {
      CHECK(type_name(layer) == expected.get<std::string>());
    } else if (name == "board") {
      const json& rows = layer.at("checkers.board_tree").at("checkers.board.row");
      CHECK(rows == expected);
    } else if (expected.is_object()) {  // a Move
      const json& move = layer.at("checkers." + name + "_tree");
      for (const char* part : {"x", "y", "dx", "dy"})
        CHECK(field(move, std::string("checkers.move.") + part) == json_text(expected.at(part)));
      const int x = expected.at("x"), y = expected.at("y"), dx = expected.at("dx"),
                dy = expected.at("dy");
      CHECK(field(move, "checkers.move.from") ==
            "(" + std::to_string(x) + "," + std::to_string(y) + ")");
      CHECK(field(move, "checkers.move.to") ==
            "(" + std::to_string(x + dx) + "," + std::to_string(y + dy) + ")");
    } else {
      CHECK(field(layer, "checkers." + name) == json_text(expected));
    }
  }
}

struct Decoded {
  json packets;
  std::vector<json> messages;  // every checkers layer, in capture order
};

Decoded run(const PcapWriter& pcap, const TempDir& tmp, const std::vector<std::string>& args = {}) {
  const auto file = tmp / "in.pcap";
  pcap.save(file);
  Decoded d{dissect(tshark_or_skip(), file, args), {}};
  for (const json& p : d.packets)
    for (json& l : layers(p, "checkers")) d.messages.push_back(std::move(l));
  return d;
}

}  // namespace

TEST_CASE("every golden message vector decodes to its type and fields") {
  const json doc = load_vectors();
  TempDir tmp("wireshark-vectors");
  PcapWriter pcap;
  std::vector<json> expected;
  for (const json& c : doc.at("cases")) {
    const std::string kind = c.at("kind");
    auto bytes = from_hex(c.at("hex").get<std::string>());
    json fields = c.at("fields");
    if (kind == "move") {  // carried by a MakeMove
      bytes.insert(bytes.begin(), 0x06);
      fields = json{{"type", "MakeMove"}, {"move", fields}};
    } else if (kind == "board") {  // carried by a CompulsoryMove
      bytes.insert(bytes.begin(), {0x07, 0x00});
      fields = json{{"type", "CompulsoryMove"}, {"board", fields.at("board")}};
    }
    const bool c2s = client_to_server(fields.at("type"));
    pcap.tcp(c2s ? kClientPort : kServerPort, c2s ? kServerPort : kClientPort, bytes);
    fields["name"] = c.at("name");
    expected.push_back(fields);
  }
  const Decoded d = run(pcap, tmp);
  REQUIRE(d.packets.size() == expected.size());
  const auto info = info_column(tshark_or_skip(), tmp / "in.pcap");
  REQUIRE(info.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    json fields = expected[i];
    INFO("vector " << fields.at("name").get<std::string>());
    fields.erase("name");
    const auto msgs = layers(d.packets[i], "checkers");
    REQUIRE(msgs.size() == 1);
    CHECK(errors_in(d.packets[i]).empty());
    const bool c2s = client_to_server(fields.at("type"));
    CHECK(field(msgs[0], "checkers.direction") == (c2s ? "client to server" : "server to client"));
    check_fields(msgs[0], fields);
    // Info column: the message name, a MakeMove with its squares.
    const std::string type = fields.at("type");
    CHECK(info[i].rfind(type, 0) == 0);
    if (type == "MakeMove") {
      const json& m = fields.at("move");
      const int x = m.at("x"), y = m.at("y"), dx = m.at("dx"), dy = m.at("dy");
      CHECK(info[i] == "MakeMove (" + std::to_string(x) + "," + std::to_string(y) + ")→(" +
                           std::to_string(x + dx) + "," + std::to_string(y + dy) + ")");
    }
  }
}

TEST_CASE("messages cut across segments and packed into one come out whole and in order") {
  const json doc = load_vectors();
  TempDir tmp("wireshark-reassembly");
  std::vector<uint8_t> c2s, s2c;
  std::vector<std::string> want_c2s, want_s2c;
  for (const json& c : doc.at("cases")) {
    if (c.at("kind") != "message") continue;
    const std::string type = c.at("fields").at("type");
    const auto bytes = from_hex(c.at("hex").get<std::string>());
    auto& stream = client_to_server(type) ? c2s : s2c;
    stream.insert(stream.end(), bytes.begin(), bytes.end());
    (client_to_server(type) ? want_c2s : want_s2c).push_back(type);
  }
  // 7 is prime to every message size, so segment edges fall everywhere.
  PcapWriter pcap;
  const size_t longest = std::max(c2s.size(), s2c.size());
  for (size_t off = 0; off < longest; off += 7) {
    if (off < c2s.size())
      pcap.tcp(kClientPort, kServerPort,
               std::span(c2s).subspan(off, std::min<size_t>(7, c2s.size() - off)));
    if (off < s2c.size())
      pcap.tcp(kServerPort, kClientPort,
               std::span(s2c).subspan(off, std::min<size_t>(7, s2c.size() - off)));
  }
  const Decoded d = run(pcap, tmp);
  std::vector<std::string> got_c2s, got_s2c;
  for (const json& m : d.messages)
    (field(m, "checkers.direction") == "client to server" ? got_c2s : got_s2c)
        .push_back(type_name(m));
  CHECK(got_c2s == want_c2s);
  CHECK(got_s2c == want_s2c);
  for (const json& p : d.packets) CHECK(errors_in(p).empty());
  // Boards survive reassembly: the first-turn YourTurn still shows the start position.
  bool saw_start = false;
  for (const json& m : d.messages)
    if (type_name(m) == "YourTurn" &&
        field(m.at("checkers.last_move_tree"), "checkers.move.from") == "(0,0)")
      saw_start = field(m.at("checkers.board_tree"), "checkers.board.row") ==
                  "x.x.x.x./.x.x.x.x/x.x.x.x./......../......../.o.o.o.o/o.o.o.o./.o.o.o.o";
  CHECK(saw_start);
}

TEST_CASE("an undefined type byte is an expert error, and the messages before it still decode") {
  TempDir tmp("wireshark-unknown");
  PcapWriter pcap;
  pcap.tcp(kClientPort, kServerPort,
           from_hex("0674"
                    "0e0102"));  // MakeMove, then type 0x0e
  pcap.tcp(kClientPort + 1, kServerPort, from_hex("00"));
  pcap.tcp(kServerPort, kClientPort + 2, from_hex("ff00"));
  const Decoded d = run(pcap, tmp);
  REQUIRE(d.packets.size() == 3);
  const auto first = layers(d.packets[0], "checkers");
  REQUIRE(first.size() == 2);
  CHECK(type_name(first[0]) == "MakeMove");
  CHECK(field(first[1], "checkers.type") == "0x0e");
  for (const json& p : d.packets) {
    const auto errors = errors_in(p);
    INFO(p.dump(1));
    CHECK(std::any_of(errors.begin(), errors.end(), [](const std::string& e) {
      return e.find("Unknown message type") != std::string::npos;
    }));
  }
}

TEST_CASE("discovery datagrams from our encoder decode with every field") {
  TempDir tmp("wireshark-discovery");
  discovery::Announcement a;
  a.nonce = 0xdeadbeef;
  a.instance_id = 0x0123456789abcdefULL;
  a.tcp_port = 40123;
  a.lowest_version = 1;
  a.highest_version = 1;
  a.players_online = 7;
  a.players_queued = 3;
  a.name = "Salle de jeu ♛";
  const uint16_t kUdp = discovery::kDefaultUdpPort;
  PcapWriter pcap;
  pcap.udp(50000, kUdp, discovery::encode(discovery::Query{0xdeadbeef}));
  pcap.udp(kUdp, 50000, discovery::encode(a));
  pcap.udp(50001, kUdp, discovery::encode(discovery::LegacyBeacon{}));
  auto bad = discovery::encode(discovery::Query{1});
  bad[63] = 1;  // non-zero padding: receivers ignore it, the dissector flags it
  pcap.udp(50002, kUdp, bad);
  const Decoded d = run(pcap, tmp);
  REQUIRE(d.packets.size() == 4);
  std::vector<json> disc;
  for (const json& p : d.packets) {
    const auto l = layers(p, "checkers_disc");
    REQUIRE(l.size() == 1);
    disc.push_back(l[0]);
  }
  CHECK(field(disc[0], "checkers_disc.datagram") == "Query");
  CHECK(field(disc[0], "checkers_disc.magic") == "CHKR");
  CHECK(field(disc[0], "checkers_disc.format_version") == "1");
  CHECK(field(disc[0], "checkers_disc.nonce") == "0xdeadbeef");
  CHECK(errors_in(d.packets[0]).empty());

  CHECK(field(disc[1], "checkers_disc.datagram") == "Announcement");
  CHECK(field(disc[1], "checkers_disc.kind") == "2");
  CHECK(field(disc[1], "checkers_disc.nonce") == "0xdeadbeef");
  CHECK(field(disc[1], "checkers_disc.instance_id") == "0x0123456789abcdef");
  CHECK(field(disc[1], "checkers_disc.tcp_port") == "40123");
  CHECK(field(disc[1], "checkers_disc.lowest_version") == "1");
  CHECK(field(disc[1], "checkers_disc.highest_version") == "1");
  CHECK(field(disc[1], "checkers_disc.players_online") == "7");
  CHECK(field(disc[1], "checkers_disc.players_queued") == "3");
  CHECK(field(disc[1], "checkers_disc.name_length") == std::to_string(a.name.size()));
  CHECK(field(disc[1], "checkers_disc.name") == a.name);
  CHECK(errors_in(d.packets[1]).empty());

  CHECK(field(disc[2], "checkers_disc.datagram") == "Legacy beacon");
  CHECK(field(disc[2], "checkers_disc.legacy_beacon") == "1");
  CHECK(errors_in(d.packets[2]).empty());

  CHECK(field(disc[3], "checkers_disc.datagram") == "Query");
  CHECK_FALSE(errors_in(d.packets[3]).empty());
}

TEST_CASE("every v2 golden message vector decodes on a v2 connection; on v1 it is unknown") {
  std::ifstream in(std::string(CHECKERS_TEST_DATA_DIR) + "/vectors-v2.json");
  const json doc = json::parse(in);
  TempDir tmp("wireshark-vectors-v2");
  PcapWriter pcap;
  // The Connect that makes the connection version 2, then every vector.
  pcap.tcp(kClientPort, kServerPort,
           from_hex("0102" + std::string(64, '0')));  // Connect v2, empty name and password
  std::vector<json> expected;
  for (const json& c : doc.at("cases")) {
    if (c.at("kind") != "message") continue;
    const json& fields = c.at("fields");
    const auto t = from_hex(c.at("hex").get<std::string>());
    const auto type = static_cast<proto::MsgType>(t[0]);
    const bool c2s = proto::direction_of(type) == proto::Direction::ClientToServer;
    pcap.tcp(c2s ? kClientPort : kServerPort, c2s ? kServerPort : kClientPort, t);
    expected.push_back(fields);
    expected.back()["name"] = c.at("name");
  }
  // Another connection that never said Connect v2: a v2 type byte is undefined there.
  pcap.tcp(kClientPort + 1, kServerPort, from_hex("1e"));
  const Decoded d = run(pcap, tmp);
  REQUIRE(d.packets.size() == expected.size() + 2);
  for (size_t i = 0; i < expected.size(); ++i) {
    const json& fields = expected[i];
    INFO("vector " << fields.at("name").get<std::string>());
    const auto msgs = layers(d.packets[i + 1], "checkers");
    REQUIRE(msgs.size() == 1);
    CHECK(errors_in(d.packets[i + 1]).empty());
    CHECK(type_name(msgs[0]) == fields.at("type").get<std::string>());
    CHECK(field(msgs[0], "checkers.connection_version") == "2");
    for (const auto& [name, value] : fields.items()) {
      INFO("field " << name);
      if (name == "type" || name == "name" || name == "text") continue;
      if (name == "board") {
        CHECK(msgs[0].at("checkers.board_tree").at("checkers.board.row") == value);
      } else if (name == "path") {
        const json& tree = msgs[0].at("checkers.path_tree");
        if (value.contains("squares")) {
          CHECK(field(tree, "checkers.path.count") == std::to_string(value.at("squares").size()));
        }
      } else {
        CHECK(field(msgs[0], "checkers." + name) == json_text(value));
      }
    }
    if (fields.contains("text")) CHECK(field(msgs[0], "checkers.text") == fields.at("text"));
  }
  const auto last = layers(d.packets.back(), "checkers");
  REQUIRE(last.size() == 1);
  CHECK(!errors_in(d.packets.back()).empty());
}
