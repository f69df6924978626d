// The dissector on real traffic captured live on loopback with tshark:
//  * two checkers-client bots play a game through the real checkers-server; every
//    message in the capture must match, field for field and in order, what the
//    clients logged (--verbose logs each message sent and received, rendered by
//    proto/format.hpp), plus sanity checks on names, moves, boards and the result;
//  * discovery datagrams from our encoder, sent over real UDP sockets on
//    127.0.0.1 (the client's --list-servers broadcasts on every interface, and a
//    server with discovery on joins multicast groups, so neither stays on lo).
// Exits 77 (skipped) without tshark or without permission to capture.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "discovery/datagram.hpp"
#include "proto/messages.hpp"
#include "support/process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "tshark.hpp"

using namespace checkers;
using namespace checkers::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string type_name(const json& layer) {
  const auto t = std::stoul(field(layer, "checkers.type"), nullptr, 16);
  return proto::name_of(static_cast<proto::MsgType>(t));
}

std::string move_text(const json& layer, const std::string& name) {
  const json& m = layer.at("checkers." + name + "_tree");
  return field(m, "checkers.move.from") + "->" + field(m, "checkers.move.to");
}

std::string board_text(const json& layer) {
  return field(layer.at("checkers.board_tree"), "checkers.board.row");
}

// A decoded message written the way proto/format.hpp writes it in the client's log.
std::string render(const json& m) {
  const std::string type = type_name(m);
  auto f = [&](const char* name) { return field(m, std::string("checkers.") + name); };
  if (type == "Connect")
    return "Connect{version=" + f("version") + ", username=\"" + f("username") + "\", password=<" +
           std::to_string(f("password").size()) + " bytes>}";
  if (type == "QueuePosition")
    return "QueuePosition{queue_size=" + f("queue_size") + ", queue_pos=" + f("queue_pos") +
           ", rating=" + f("rating") + "}";
  if (type == "GameStart")
    return "GameStart{opponent_name=\"" + f("opponent_name") +
           "\", opponent_rating=" + f("opponent_rating") + "}";
  if (type == "YourTurn")
    return "YourTurn{last_move=" +
           (f("last_move") == "0x00" ? std::string("first-turn") : move_text(m, "last_move")) +
           ", board=" + board_text(m) + "}";
  if (type == "MakeMove") return "MakeMove{move=" + move_text(m, "move") + "}";
  if (type == "CompulsoryMove" || type == "InvalidMove")
    return type + "{move=" + move_text(m, "move") + ", board=" + board_text(m) + "}";
  if (type == "GameOver")
    return "GameOver{you_won=" + f("you_won") + ", new_rating=" + f("new_rating") +
           ", old_rating=" + f("old_rating") + ", winning_move=" + move_text(m, "winning_move") +
           ", board=" + board_text(m) + "}";
  return type + "{}";
}

struct ClientLog {
  std::vector<std::string> sent, received;
};

// The messages a client logged with --verbose (server_link.cpp).
ClientLog parse_client_log(const std::string& text) {
  static const std::regex send_re(R"(\] send (\w+\{.*\}) -> \w+$)");
  static const std::regex logout_re(R"(\] send LogOut \(closing\)$)");
  static const std::regex recv_re(R"(\] recv (\w+\{.*\}) \(\w+ -> \w+\)$)");
  ClientLog log;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, send_re)) {
      log.sent.push_back(m[1]);
    } else if (std::regex_search(line, logout_re)) {
      log.sent.push_back("LogOut{}");
    } else if (std::regex_search(line, m, recv_re)) {
      log.received.push_back(m[1]);
    } else {
      INFO(line);
      CHECK(line.find("] send ") == std::string::npos);
      CHECK(line.find("] recv ") == std::string::npos);
    }
  }
  return log;
}

// Plain text, as the reference implementation's clients speak (--tls off): this capture
// checks the dissector's own decoding, which is the same for decrypted TLS records.
std::vector<std::string> bot_args(uint16_t port, const std::string& user, int seed) {
  // Protocol v1 (as the reference client): this test follows v1's messages; the v2
  // dissection is checked against the golden vectors in test_decode.
  return bot_client_argv(port, user, "random", 1,
                         {"--protocol", "1", "--tls", "off", "--seed", std::to_string(seed),
                          "--verbose", "--no-color"});
}

struct Stream {
  std::vector<json> c2s, s2c;
};

bool dark_square(const std::string& square) {
  static const std::regex re(R"(\((-?\d+),(-?\d+)\))");
  std::smatch m;
  if (!std::regex_match(square, m, re)) return false;
  const int x = std::stoi(m[1]), y = std::stoi(m[2]);
  return x >= 0 && x < 8 && y >= 0 && y < 8 && (x + y) % 2 == 0;
}

// A UDP socket on 127.0.0.1 (port 0 = any free one).
class Udp {
 public:
  Udp() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof a;
    REQUIRE(fd_ >= 0);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~Udp() { ::close(fd_); }
  Udp(const Udp&) = delete;
  Udp& operator=(const Udp&) = delete;
  uint16_t port() const { return port_; }
  void send_to(uint16_t port, const std::vector<uint8_t>& bytes) {
    const sockaddr_in to = loopback(port);
    REQUIRE(::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                     sizeof to) == static_cast<ssize_t>(bytes.size()));
  }
  // The next datagram (possibly empty), waiting up to 5 s.
  std::vector<uint8_t> receive() {
    pollfd p{fd_, POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    std::vector<uint8_t> buf(discovery::kMaxDatagramSize);
    const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    REQUIRE(n >= 0);
    buf.resize(static_cast<size_t>(n));
    return buf;
  }

 private:
  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
  }
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace

TEST_CASE("a bot game captured on lo decodes message for message as the clients logged it") {
  const auto tshark = tshark_or_skip();
  TempDir tmp("wireshark-game");
  LiveCapture::require_permission_or_skip(tshark, tmp.path());

  ServerProcess::Options options;
  options.extra_args = {"--match-gap", "100000"};
  ServerProcess server(options);
  const uint16_t port = server.port();
  const std::string p = std::to_string(port);
  const std::map<std::string, std::string> opponent{{"wsalice", "wsbob"}, {"wsbob", "wsalice"}};

  LiveCapture capture(tshark, "tcp port " + p, tmp / "game.pcapng", tmp / "tshark.log");
  ChildProcess alice(bot_args(port, "wsalice", 11), tmp / "wsalice.out");
  ChildProcess bob(bot_args(port, "wsbob", 12), tmp / "wsbob.out");
  const auto alice_exit = alice.wait_exit(180s);
  const auto bob_exit = bob.wait_exit(180s);
  const std::map<std::string, std::string> out{{"wsalice", slurp(tmp / "wsalice.out")},
                                               {"wsbob", slurp(tmp / "wsbob.out")}};
  INFO("wsalice:\n" << out.at("wsalice") << "\nwsbob:\n" << out.at("wsbob"));
  REQUIRE(alice_exit == 0);
  REQUIRE(bob_exit == 0);
  CHECK(capture.finish() == 0);

  const json packets = dissect(tshark, tmp / "game.pcapng",
                               {"-d", "tcp.port==" + p + ",checkers", "-Y",
                                streams_opened_to(tshark, tmp / "game.pcapng", port)});
  REQUIRE(!packets.empty());
  std::map<std::string, Stream> streams;
  std::set<std::string> types_seen;
  size_t pdus = 0;
  for (const json& packet : packets) {
    const auto errors = errors_in(packet);
    INFO(packet.dump(1));
    CHECK(errors.empty());
    const auto tcp = layers(packet, "tcp");
    REQUIRE(tcp.size() == 1);
    const bool to_server = field(tcp[0], "tcp.dstport") == p;
    for (const json& m : layers(packet, "checkers")) {
      ++pdus;
      types_seen.insert(type_name(m));
      CHECK(field(m, "checkers.direction") ==
            (to_server ? "client to server" : "server to client"));
      Stream& s = streams[field(tcp[0], "tcp.stream")];
      (to_server ? s.c2s : s.s2c).push_back(m);
    }
  }
  for (const char* t :
       {"Connect", "QueuePosition", "GameStart", "YourTurn", "MakeMove", "GameOver"}) {
    INFO("message type " << t);
    CHECK(types_seen.count(t) == 1);
  }

  size_t logged = 0;
  std::set<std::string> users_seen;
  for (const auto& [id, s] : streams) {
    REQUIRE_FALSE(s.c2s.empty());
    REQUIRE(type_name(s.c2s.front()) == "Connect");
    const std::string user = field(s.c2s.front(), "checkers.username");
    INFO("stream " << id << " of " << user);
    REQUIRE(opponent.count(user) == 1);
    users_seen.insert(user);
    CHECK(field(s.c2s.front(), "checkers.password") == "pw");

    // Message for message, both directions, exactly as the client logged them.
    const ClientLog log = parse_client_log(out.at(user));
    std::vector<std::string> sent, received;
    for (const json& m : s.c2s) sent.push_back(render(m));
    for (const json& m : s.s2c) received.push_back(render(m));
    CHECK(sent == log.sent);
    CHECK(received == log.received);
    logged += log.sent.size() + log.received.size();

    for (const json& m : s.s2c) {
      const std::string type = type_name(m);
      if (type == "GameStart") CHECK(field(m, "checkers.opponent_name") == opponent.at(user));
      if (m.contains("checkers.board_tree")) {
        const json& b = m.at("checkers.board_tree");
        CHECK(std::stoi(field(b, "checkers.board.own_pieces")) <= 12);
        CHECK(std::stoi(field(b, "checkers.board.opponent_pieces")) <= 12);
      }
      if (type == "GameOver") {
        static const std::regex result(R"(game 1: (win|loss|draw) vs (\w+) \((\d+) -> (\d+)\))");
        std::smatch r;
        REQUIRE(std::regex_search(out.at(user), r, result));
        CHECK(field(m, "checkers.you_won") == (r[1] == "win" ? "1" : "0"));
        CHECK(r[2] == opponent.at(user));
        CHECK(field(m, "checkers.old_rating") == r[3].str());
        CHECK(field(m, "checkers.new_rating") == r[4].str());
      }
    }
    for (const json& m : s.c2s) {
      if (type_name(m) != "MakeMove") continue;
      const json& mv = m.at("checkers.move_tree");
      INFO(render(m));
      CHECK(dark_square(field(mv, "checkers.move.from")));
      CHECK(dark_square(field(mv, "checkers.move.to")));
    }
  }
  CHECK(users_seen == std::set<std::string>{"wsalice", "wsbob"});
  CHECK(pdus == logged);
}

TEST_CASE("discovery datagrams sent over loopback decode with every field") {
  const auto tshark = tshark_or_skip();
  TempDir tmp("wireshark-discovery-live");
  LiveCapture::require_permission_or_skip(tshark, tmp.path());

  Udp server, client;  // the "server" socket stands where a responder would listen
  const std::string p = std::to_string(server.port());
  LiveCapture capture(tshark, "udp port " + p, tmp / "disc.pcapng", tmp / "tshark.log");

  client.send_to(server.port(), discovery::encode(discovery::Query{0x5eed1234}));
  const auto query = discovery::parse(server.receive());
  REQUIRE(query);
  REQUIRE(std::holds_alternative<discovery::Query>(*query));
  discovery::Announcement a;
  a.nonce = std::get<discovery::Query>(*query).nonce;
  a.instance_id = 0xfeedfacecafe0001ULL;
  a.tcp_port = 8864;
  a.lowest_version = 1;
  a.highest_version = 1;
  a.players_online = 4;
  a.players_queued = 2;
  a.name = "wireshark-test";
  server.send_to(client.port(), discovery::encode(a));
  REQUIRE(discovery::parse(client.receive()));
  client.send_to(server.port(), discovery::encode(discovery::LegacyBeacon{}));
  CHECK(server.receive().empty());
  CHECK(capture.finish() == 0);

  const json packets =
      dissect(tshark, tmp / "disc.pcapng",
              {"-d", "udp.port==" + p + ",checkers_disc", "-Y", capture.without_marker()});
  REQUIRE(packets.size() == 3);
  std::vector<json> d;
  for (const json& packet : packets) {
    CHECK(errors_in(packet).empty());
    const auto l = layers(packet, "checkers_disc");
    REQUIRE(l.size() == 1);
    d.push_back(l[0]);
  }
  CHECK(field(d[0], "checkers_disc.datagram") == "Query");
  CHECK(field(d[0], "checkers_disc.nonce") == "0x5eed1234");
  CHECK(field(d[1], "checkers_disc.datagram") == "Announcement");
  CHECK(field(d[1], "checkers_disc.nonce") == "0x5eed1234");
  CHECK(field(d[1], "checkers_disc.instance_id") == "0xfeedfacecafe0001");
  CHECK(field(d[1], "checkers_disc.tcp_port") == "8864");
  CHECK(field(d[1], "checkers_disc.lowest_version") == "1");
  CHECK(field(d[1], "checkers_disc.highest_version") == "1");
  CHECK(field(d[1], "checkers_disc.players_online") == "4");
  CHECK(field(d[1], "checkers_disc.players_queued") == "2");
  CHECK(field(d[1], "checkers_disc.name") == "wireshark-test");
  CHECK(field(d[2], "checkers_disc.datagram") == "Legacy beacon");
  CHECK(field(d[2], "checkers_disc.legacy_beacon") == "1");

  // Without "Decode As" our datagrams are still found by their magic (heuristic);
  // an empty datagram has no magic, so only the port can identify it.
  const json heuristic = dissect(tshark, tmp / "disc.pcapng", {"-Y", capture.without_marker()});
  REQUIRE(heuristic.size() == 3);
  CHECK(layers(heuristic[0], "checkers_disc").size() == 1);
  CHECK(layers(heuristic[1], "checkers_disc").size() == 1);
  CHECK(layers(heuristic[2], "checkers_disc").empty());
}
