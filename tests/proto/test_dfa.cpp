// The DFA table against the specification: the §6 table is parsed out of
// PROTOCOL-v1.md (tests/proto/data, a copy of the shared spec) and out of our
// docs/PROTOCOL.md, and every (state, direction, type) triple is compared with
// transition(). Then the trackers: §6.1/§6.2 walks and random-sequence properties.
#include <catch2/catch.hpp>

#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "markdown_table.hpp"
#include "proto/dfa.hpp"
#include "proto/format.hpp"

using namespace checkers::proto;
using checkers::proto::test::split_row;
using checkers::proto::test::trim;

namespace {

constexpr std::array<State, kStateCount> kStates{State::Unauthenticated, State::InQueue,
                                                 State::ProcessingGameState, State::UserMove,
                                                 State::GameEnd};
constexpr std::array<Direction, 2> kDirections{Direction::ClientToServer,
                                               Direction::ServerToClient};

std::vector<MsgType> all_types() {
  std::vector<MsgType> v;
  for (uint8_t t = kFirstMsgType; t <= kLastMsgType; ++t) v.push_back(static_cast<MsgType>(t));
  return v;
}

std::optional<State> parse_state(std::string s) {
  std::erase(s, '*');
  s = trim(s.substr(0, s.find(',')));
  if (s == "Unauthenticated") return State::Unauthenticated;
  if (s == "InQueue") return State::InQueue;
  if (s == "PGS" || s == "ProcessingGameState") return State::ProcessingGameState;
  if (s == "UserMove") return State::UserMove;
  if (s == "GameEnd") return State::GameEnd;
  return std::nullopt;
}

std::optional<MsgType> parse_type(const std::string& name) {
  for (MsgType t : all_types())
    if (name == name_of(t)) return t;
  return std::nullopt;
}

struct SpecRow {
  Direction dir;
  std::array<Transition, kStateCount> cells;
};

// Reads the table whose header starts "| Message (dir) |" from a markdown file.
std::map<MsgType, SpecRow> read_spec_table(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::string line;
  while (std::getline(in, line) && line.rfind("| Message (dir) |", 0) != 0) {
  }
  REQUIRE(!in.eof());
  const std::vector<std::string> header = split_row(line);
  REQUIRE(header.size() == 1 + kStateCount);
  for (size_t i = 0; i < kStateCount; ++i) REQUIRE(parse_state(header[i + 1]) == kStates[i]);
  std::getline(in, line);  // |---|---|
  std::map<MsgType, SpecRow> rows;
  while (std::getline(in, line) && line.rfind("|", 0) == 0) {
    const std::vector<std::string> cells = split_row(line);
    REQUIRE(cells.size() == 1 + kStateCount);
    const std::string label = cells[0];
    const size_t paren = label.find('(');
    REQUIRE(paren != std::string::npos);
    const std::optional<MsgType> type = parse_type(trim(label.substr(0, paren)));
    INFO("row " << label);
    REQUIRE(type);
    SpecRow row{};
    if (label.find("C→S") != std::string::npos)
      row.dir = Direction::ClientToServer;
    else if (label.find("S→C") != std::string::npos)
      row.dir = Direction::ServerToClient;
    else
      FAIL("no direction in " << label);
    for (size_t i = 0; i < kStateCount; ++i) {
      const std::string& cell = cells[i + 1];
      if (cell == "✗") {
        row.cells[i] = {Verdict::Violation, kStates[i]};
        continue;
      }
      const std::optional<State> next = parse_state(cell);
      INFO("cell " << cell);
      REQUIRE(next);
      const bool ignored = cell.find("ignored") != std::string::npos;
      row.cells[i] = {ignored ? Verdict::IgnoreTolerated : Verdict::Accept, *next};
    }
    rows[*type] = row;
  }
  return rows;
}

void check_table_against(const std::string& path) {
  const std::map<MsgType, SpecRow> spec = read_spec_table(path);
  REQUIRE(spec.size() == kMsgTypeCount);
  size_t triples = 0;
  for (State s : kStates)
    for (Direction d : kDirections)
      for (MsgType t : all_types()) {
        const SpecRow& row = spec.at(t);
        const Transition expected =
            d == row.dir ? row.cells[static_cast<size_t>(s)] : Transition{Verdict::Violation, s};
        INFO(name_of(s) << " " << name_of(d) << " " << name_of(t));
        CHECK(transition(s, d, t) == expected);
        ++triples;
      }
  CHECK(triples == kStateCount * 2 * kMsgTypeCount);
}

}  // namespace

TEST_CASE("every (state, direction, type) triple matches PROTOCOL-v1.md §6", "[proto][dfa]") {
  check_table_against(CHECKERS_PROTO_SPEC);
}

TEST_CASE("every (state, direction, type) triple matches docs/PROTOCOL.md", "[proto][dfa]") {
  check_table_against(std::string(CHECKERS_PROTO_DOCS_DIR) + "/PROTOCOL.md");
}

TEST_CASE("the only tolerated cell is the server receiving MakeMove in GameEnd", "[proto][dfa]") {
  size_t tolerated = 0;
  for (State s : kStates)
    for (Direction d : kDirections)
      for (MsgType t : all_types())
        if (transition(s, d, t).verdict == Verdict::IgnoreTolerated) {
          ++tolerated;
          CHECK(s == State::GameEnd);
          CHECK(d == Direction::ClientToServer);
          CHECK(t == MsgType::MakeMove);
          CHECK(transition(s, d, t).next == State::GameEnd);
        }
  CHECK(tolerated == 1);

  DfaTracker server(Role::Server, State::GameEnd);
  CHECK(server.on_receive(MsgType::MakeMove).verdict == Verdict::IgnoreTolerated);
  CHECK(server.state() == State::GameEnd);
  // A client never sends what the server would have to ignore.
  DfaTracker client(Role::Client, State::GameEnd);
  CHECK(client.on_send(MsgType::MakeMove).verdict == Verdict::Violation);
  CHECK(client.state() == State::GameEnd);
}

TEST_CASE("messages against their direction are violations", "[proto][dfa]") {
  DfaTracker server(Role::Server, State::InQueue);
  CHECK(server.on_receive(MsgType::QueuePosition).verdict == Verdict::Violation);
  CHECK(server.on_send(MsgType::LogOut).verdict == Verdict::Violation);
  CHECK(server.state() == State::InQueue);
  DfaTracker client(Role::Client);
  CHECK(client.on_receive(MsgType::Connect).verdict == Verdict::Violation);
  CHECK(direction_of(MsgType::Connect) == Direction::ClientToServer);
  CHECK(direction_of(MsgType::GameStart) == Direction::ServerToClient);
}

TEST_CASE("server side as in §6.1", "[proto][dfa]") {
  DfaTracker s(Role::Server);
  // Failed login: the Connect edge and the InvalidLogin edge together.
  CHECK(s.on_receive(MsgType::Connect) == Transition{Verdict::Accept, State::InQueue});
  CHECK(s.on_send(MsgType::InvalidLogin) == Transition{Verdict::Accept, State::Unauthenticated});
  CHECK(s.on_receive(MsgType::Connect).verdict == Verdict::Accept);
  CHECK(s.on_send(MsgType::InvalidVersion) == Transition{Verdict::Accept, State::Unauthenticated});
  // LogOut while Unauthenticated is a violation.
  CHECK(s.on_receive(MsgType::LogOut).verdict == Verdict::Violation);
  // A whole game.
  CHECK(s.on_receive(MsgType::Connect).verdict == Verdict::Accept);
  CHECK(s.on_send(MsgType::QueuePosition).next == State::InQueue);
  CHECK(s.on_send(MsgType::GameStart).next == State::ProcessingGameState);
  CHECK(s.on_receive(MsgType::MakeMove).verdict == Verdict::Violation);  // not its turn
  CHECK(s.on_send(MsgType::CompulsoryMove).next == State::ProcessingGameState);
  CHECK(s.on_send(MsgType::YourTurn).next == State::UserMove);
  CHECK(s.on_receive(MsgType::MakeMove).next == State::ProcessingGameState);
  CHECK(s.on_send(MsgType::InvalidMove).next == State::UserMove);
  CHECK(s.on_receive(MsgType::MakeMove).next == State::ProcessingGameState);
  CHECK(s.on_send(MsgType::GameOver).next == State::GameEnd);
  CHECK(s.on_receive(MsgType::MakeMove).verdict == Verdict::IgnoreTolerated);
  CHECK(s.on_receive(MsgType::ReQueue).next == State::InQueue);
  CHECK(s.on_send(MsgType::QueuePosition).next == State::InQueue);
  CHECK(s.on_receive(MsgType::LogOut).next == State::Unauthenticated);
}

TEST_CASE("client side as in §6.2", "[proto][dfa]") {
  DfaTracker c(Role::Client);
  CHECK(c.on_receive(MsgType::QueuePosition).verdict == Verdict::Violation);  // nothing accepted
  CHECK(c.on_send(MsgType::LogOut).verdict == Verdict::Violation);
  CHECK(c.on_send(MsgType::Connect).next == State::InQueue);
  CHECK(c.on_receive(MsgType::InvalidLogin).next == State::Unauthenticated);
  CHECK(c.on_send(MsgType::Connect).next == State::InQueue);
  CHECK(c.on_receive(MsgType::QueuePosition).next == State::InQueue);
  CHECK(c.on_receive(MsgType::GameStart).next == State::ProcessingGameState);
  CHECK(c.on_send(MsgType::MakeMove).verdict == Verdict::Violation);
  CHECK(c.on_receive(MsgType::YourTurn).next == State::UserMove);
  CHECK(c.on_send(MsgType::MakeMove).next == State::ProcessingGameState);
  CHECK(c.on_receive(MsgType::InvalidMove).next == State::UserMove);
  CHECK(c.on_receive(MsgType::OpponentDisconnect).next == State::GameEnd);
  CHECK(c.on_receive(MsgType::GameOver).verdict == Verdict::Violation);
  CHECK(c.on_send(MsgType::ReQueue).next == State::InQueue);
  CHECK(c.can_send(MsgType::LogOut).next == State::Unauthenticated);
  CHECK(c.state() == State::InQueue);  // can_send does not apply
}

TEST_CASE("random message sequences never leave the table", "[proto][dfa][property]") {
  std::mt19937 rng(12345);
  const std::vector<MsgType> types = all_types();
  for (Role role : {Role::Server, Role::Client}) {
    DfaTracker t(role);
    for (int step = 0; step < 200000; ++step) {
      const MsgType type = types[rng() % types.size()];
      const bool sending = rng() % 2 == 0;
      const State before = t.state();
      const Transition expected =
          transition(before, sending ? outgoing(role) : incoming(role), type);
      const Transition got = sending ? t.on_send(type) : t.on_receive(type);
      if (expected.verdict == Verdict::Accept) {
        REQUIRE(got == expected);
        REQUIRE(t.state() == expected.next);
      } else {
        REQUIRE(got.verdict != Verdict::Accept);
        REQUIRE(t.state() == before);
      }
      REQUIRE(static_cast<size_t>(t.state()) < kStateCount);
    }
  }
}

// Server and client each send random messages their own tracker allows, with
// messages in flight both ways delivered in random interleavings. Whatever one
// side legally sends, the other accepts, except the two races the spec names:
// MakeMove crossing OpponentDisconnect (tolerated by the server), and LogOut
// crossing a login rejection (the client closes after LogOut anyway). When
// nothing is in flight both sides agree on the state.
TEST_CASE("two ends driven by the one table stay in step", "[proto][dfa][property]") {
  std::mt19937 rng(2024);
  const std::vector<MsgType> types = all_types();
  size_t tolerated = 0;
  for (int run = 0; run < 2000; ++run) {
    DfaTracker server(Role::Server);
    DfaTracker client(Role::Client);
    std::deque<MsgType> to_server;
    std::deque<MsgType> to_client;
    bool client_closed = false;
    for (int step = 0; step < 60 && !(client_closed && to_server.empty()); ++step) {
      const auto pick = [&](const DfaTracker& t) -> std::optional<MsgType> {
        std::vector<MsgType> ok;
        for (MsgType m : types)
          if (t.can_send(m).verdict == Verdict::Accept) ok.push_back(m);
        if (ok.empty()) return std::nullopt;
        return ok[rng() % ok.size()];
      };
      switch (rng() % 4) {
        case 0:
          if (!client_closed)
            if (auto m = pick(client)) {
              REQUIRE(client.on_send(*m).verdict == Verdict::Accept);
              to_server.push_back(*m);
              client_closed = *m == MsgType::LogOut;
            }
          break;
        case 1:
          if (auto m = pick(server)) {
            REQUIRE(server.on_send(*m).verdict == Verdict::Accept);
            if (!client_closed) to_client.push_back(*m);
          }
          break;
        case 2:
          if (!to_server.empty()) {
            const MsgType m = to_server.front();
            to_server.pop_front();
            const State before = server.state();
            const Verdict v = server.on_receive(m).verdict;
            INFO("server got " << name_of(m) << " in " << name_of(before));
            if (v == Verdict::IgnoreTolerated) {
              REQUIRE(m == MsgType::MakeMove);
              ++tolerated;
            } else if (v == Verdict::Violation) {
              REQUIRE(m == MsgType::LogOut);
              REQUIRE(before == State::Unauthenticated);
            }
          }
          break;
        default:
          if (client_closed) to_client.clear();  // a closed client reads nothing more
          if (!to_client.empty()) {
            const MsgType m = to_client.front();
            to_client.pop_front();
            INFO("client got " << name_of(m) << " in " << name_of(client.state()));
            REQUIRE(client.on_receive(m).verdict == Verdict::Accept);
          }
      }
      if (!client_closed && to_server.empty() && to_client.empty())
        REQUIRE(server.state() == client.state());
    }
  }
  CHECK(tolerated > 0);  // the race really happened in the runs
}
