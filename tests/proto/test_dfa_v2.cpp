// The one DFA table at both versions against docs/PROTOCOL-v2.md §5.1: the
// table is parsed out of the document and every (version, state, direction,
// type) is compared with transition(). Then a property: two ends of a version-2
// connection, each sending whatever its tracker allows (the server answering a
// Connect at once, as every server does), with messages crossing in flight,
// never see a violation, and agree on the state whenever nothing is in flight.
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

constexpr std::array<State, kStateCountV2> kAllStates{
    State::Unauthenticated, State::InQueue, State::ProcessingGameState,
    State::UserMove,        State::GameEnd, State::Watching};

std::vector<MsgType> all_types_v2() {
  std::vector<MsgType> v;
  for (uint8_t t = kFirstMsgType; t <= kLastMsgTypeV2; ++t) v.push_back(static_cast<MsgType>(t));
  return v;
}

std::optional<State> parse_state(const std::string& s) {
  if (s == "Unauthenticated") return State::Unauthenticated;
  if (s == "InQueue") return State::InQueue;
  if (s == "PGS") return State::ProcessingGameState;
  if (s == "UserMove") return State::UserMove;
  if (s == "GameEnd") return State::GameEnd;
  if (s == "Watching") return State::Watching;
  return std::nullopt;
}

std::optional<MsgType> parse_type(const std::string& name) {
  for (MsgType t : all_types_v2())
    if (name == name_of(t)) return t;
  return std::nullopt;
}

struct SpecRow {
  Direction dir;
  std::array<Transition, kStateCountV2> cells;
};
using SpecKey = std::pair<MsgType, int>;  // (type, version)

std::map<SpecKey, SpecRow> read_v2_table() {
  const std::string path = std::string(CHECKERS_PROTO_DOCS_DIR) + "/PROTOCOL-v2.md";
  std::ifstream in(path);
  REQUIRE(in.good());
  std::string line;
  while (std::getline(in, line) && line.rfind("| Message (dir) | ver |", 0) != 0) {
  }
  REQUIRE(!in.eof());
  const std::vector<std::string> header = split_row(line);
  REQUIRE(header.size() == 2 + kStateCountV2);
  for (size_t i = 0; i < kStateCountV2; ++i) REQUIRE(parse_state(header[i + 2]) == kAllStates[i]);
  std::getline(in, line);
  std::map<SpecKey, SpecRow> rows;
  while (std::getline(in, line) && line.rfind("|", 0) == 0) {
    const std::vector<std::string> cells = split_row(line);
    INFO("row " << line);
    REQUIRE(cells.size() == 2 + kStateCountV2);
    const std::string& label = cells[0];
    const size_t paren = label.find('(');
    REQUIRE(paren != std::string::npos);
    const std::optional<MsgType> type = parse_type(trim(label.substr(0, paren)));
    REQUIRE(type);
    SpecRow row{};
    if (label.find("C→S") != std::string::npos)
      row.dir = Direction::ClientToServer;
    else if (label.find("S→C") != std::string::npos)
      row.dir = Direction::ServerToClient;
    else
      FAIL("no direction in " << label);
    const int version = std::stoi(cells[1]);
    for (size_t i = 0; i < kStateCountV2; ++i) {
      const std::string& cell = cells[i + 2];
      if (cell == "✗") {
        row.cells[i] = {Verdict::Violation, kAllStates[i]};
      } else if (cell == "ign") {
        row.cells[i] = {Verdict::IgnoreTolerated, kAllStates[i]};
      } else {
        const std::optional<State> next = parse_state(cell);
        INFO("cell " << cell);
        REQUIRE(next);
        row.cells[i] = {Verdict::Accept, *next};
      }
    }
    REQUIRE(rows.emplace(SpecKey{*type, version}, row).second);
  }
  return rows;
}

}  // namespace

TEST_CASE("every (version, state, direction, type) matches PROTOCOL-v2.md §5.1",
          "[proto][dfa][v2]") {
  const std::map<SpecKey, SpecRow> spec = read_v2_table();
  CHECK(spec.size() == 2 * kMsgTypeCount + (kMsgTypeCountV2 - kMsgTypeCount) - 7);
  size_t combinations = 0;
  for (int version : {1, 2})
    for (State s : kAllStates)
      for (Direction d : {Direction::ClientToServer, Direction::ServerToClient})
        for (MsgType t : all_types_v2()) {
          INFO("v" << version << " " << name_of(s) << " " << name_of(d) << " " << name_of(t));
          Transition expected{Verdict::Violation, s};
          const auto it = spec.find({t, version});
          if (it != spec.end() && it->second.dir == d && state_exists(s, version))
            expected = it->second.cells[static_cast<size_t>(s)];
          if (expected.verdict == Verdict::Violation) expected.next = s;
          CHECK(transition(s, d, t, static_cast<uint8_t>(version)) == expected);
          ++combinations;
        }
  CHECK(combinations == 2 * kStateCountV2 * 2 * kMsgTypeCountV2);
}

TEST_CASE("v2 messages on a v1 connection and v1 game messages on a v2 one are violations",
          "[proto][dfa][v2]") {
  for (State s : kAllStates)
    for (uint8_t t = kFirstMsgTypeV2; t <= kLastMsgTypeV2; ++t)
      for (Direction d : {Direction::ClientToServer, Direction::ServerToClient})
        CHECK(transition(s, d, static_cast<MsgType>(t), 1).verdict == Verdict::Violation);
  for (MsgType t :
       {MsgType::GameStart, MsgType::YourTurn, MsgType::MakeMove, MsgType::CompulsoryMove,
        MsgType::InvalidMove, MsgType::OpponentDisconnect, MsgType::GameOver})
    for (State s : kAllStates)
      CHECK(transition(s, direction_of(t), t, 2).verdict == Verdict::Violation);
  DfaTracker server(Role::Server, State::UserMove, 1);
  CHECK(server.on_receive(MsgType::MakeMove2).verdict == Verdict::Violation);
  server.set_version(2);
  CHECK(server.on_receive(MsgType::MakeMove).verdict == Verdict::Violation);
  CHECK(server.on_receive(MsgType::MakeMove2).next == State::ProcessingGameState);
}

TEST_CASE("a v2 login, game, rematch and watch, as in PROTOCOL-v2.md", "[proto][dfa][v2]") {
  DfaTracker c(Role::Client);
  c.set_version(2);
  CHECK(c.on_send(MsgType::Connect).next == State::InQueue);
  CHECK(c.on_receive(MsgType::Welcome).next == State::GameEnd);
  CHECK(c.on_send(MsgType::ReQueue).next == State::GameEnd);  // a request: the answer moves
  CHECK(c.on_receive(MsgType::QueuePosition).next == State::InQueue);
  CHECK(c.on_send(MsgType::LeaveQueue).next == State::InQueue);
  CHECK(c.on_receive(MsgType::GameStart2).next == State::ProcessingGameState);  // crossed it
  CHECK(c.on_receive(MsgType::YourTurn2).next == State::UserMove);
  CHECK(c.on_send(MsgType::OfferDraw).next == State::UserMove);
  CHECK(c.on_send(MsgType::MakeMove2).next == State::ProcessingGameState);
  CHECK(c.on_receive(MsgType::MoveMade).next == State::ProcessingGameState);
  CHECK(c.on_send(MsgType::Chat).next == State::ProcessingGameState);
  CHECK(c.on_receive(MsgType::GameOver2).next == State::GameEnd);
  CHECK(c.on_send(MsgType::Rematch).next == State::GameEnd);
  CHECK(c.on_receive(MsgType::GameStart2).next == State::ProcessingGameState);
  CHECK(c.on_send(MsgType::Resign).next == State::ProcessingGameState);
  CHECK(c.on_receive(MsgType::GameOver2).next == State::GameEnd);
  CHECK(c.on_send(MsgType::Watch).next == State::GameEnd);
  CHECK(c.on_receive(MsgType::WatchStart).next == State::Watching);
  CHECK(c.on_send(MsgType::MakeMove2).verdict == Verdict::Violation);  // a watcher does not play
  CHECK(c.on_receive(MsgType::MoveMade).next == State::Watching);
  CHECK(c.on_send(MsgType::Unwatch).next == State::Watching);
  CHECK(c.on_receive(MsgType::Welcome).next == State::GameEnd);
  CHECK(c.on_send(MsgType::LogOut).next == State::Unauthenticated);

  DfaTracker s(Role::Server, State::GameEnd, 2);
  CHECK(s.on_receive(MsgType::ReQueue).next == State::GameEnd);
  CHECK(s.on_send(MsgType::QueuePosition).next == State::InQueue);
  CHECK(s.on_receive(MsgType::ReQueue).verdict == Verdict::IgnoreTolerated);  // a second one
  CHECK(s.on_send(MsgType::GameStart2).next == State::ProcessingGameState);
  CHECK(s.on_receive(MsgType::LeaveQueue).verdict == Verdict::IgnoreTolerated);
}

TEST_CASE("two v2 ends driven by the one table stay in step", "[proto][dfa][v2][property]") {
  std::mt19937 rng(2026);
  const std::vector<MsgType> types = all_types_v2();
  // The server sends these only as the immediate answer to a request (§5.2).
  const auto answer_only = [](MsgType m, State server_state) {
    return m == MsgType::Welcome || m == MsgType::InvalidLogin || m == MsgType::InvalidVersion ||
           m == MsgType::WatchStart || m == MsgType::WatchRefused ||
           (m == MsgType::QueuePosition && server_state != State::InQueue);
  };
  std::map<MsgType, size_t> tolerated;
  for (int run = 0; run < 3000; ++run) {
    DfaTracker server(Role::Server, State::Unauthenticated, 2);
    DfaTracker client(Role::Client, State::Unauthenticated, 2);
    std::deque<MsgType> to_server;
    std::deque<MsgType> to_client;
    std::string trace;  // shown when a step fails
    bool client_closed = false;
    bool awaiting_login = false;  // Connect sent, no answer yet: only LogOut (§3)
    // Invitations (Challenge, Rematch, AnswerChallenge) the client sent and the server
    // has not closed with a ChallengeResult: while any is open the client sends no
    // ReQueue or Watch (§5.2), and only then can the server start a game from GameEnd.
    int client_invites_open = 0;
    int server_invites_open = 0;
    const auto pick = [&](const DfaTracker& t, bool server_side) -> std::optional<MsgType> {
      std::vector<MsgType> ok;
      for (MsgType m : types)
        if (t.can_send(m).verdict == Verdict::Accept &&
            !(server_side && answer_only(m, t.state())) &&
            !(!server_side && awaiting_login && m != MsgType::LogOut) &&
            !(!server_side && client_invites_open > 0 &&
              (m == MsgType::ReQueue || m == MsgType::Watch)) &&
            !(server_side && server_invites_open == 0 &&
              (m == MsgType::ChallengeResult ||
               (m == MsgType::GameStart2 && t.state() == State::GameEnd))))
          ok.push_back(m);
      if (ok.empty()) return std::nullopt;
      return ok[rng() % ok.size()];
    };
    for (int step = 0; step < 80 && !(client_closed && to_server.empty()); ++step) {
      switch (rng() % 4) {
        case 0:
          if (!client_closed)
            if (auto m = pick(client, false)) {
              REQUIRE(client.on_send(*m).verdict == Verdict::Accept);
              trace += std::string(" c>") + name_of(*m);
              to_server.push_back(*m);
              client_closed = *m == MsgType::LogOut;
              awaiting_login = *m == MsgType::Connect;
              if (*m == MsgType::Challenge || *m == MsgType::Rematch ||
                  *m == MsgType::AnswerChallenge)
                ++client_invites_open;
            }
          break;
        case 1:
          if (auto m = pick(server, true)) {
            REQUIRE(server.on_send(*m).verdict == Verdict::Accept);
            trace += std::string(" s>") + name_of(*m);
            if (*m == MsgType::ChallengeResult) --server_invites_open;
            if (!client_closed) to_client.push_back(*m);
            // A game start closes every open invitation (§4.9).
            for (; *m == MsgType::GameStart2 && server_invites_open > 0; --server_invites_open) {
              REQUIRE(server.on_send(MsgType::ChallengeResult).verdict == Verdict::Accept);
              trace += " s>ChallengeResult";
              if (!client_closed) to_client.push_back(MsgType::ChallengeResult);
            }
          }
          break;
        case 2:
          if (!to_server.empty()) {
            const MsgType m = to_server.front();
            to_server.pop_front();
            const State before = server.state();
            const Transition tr = server.on_receive(m);
            trace += std::string(" >s:") + name_of(m);
            INFO(trace);
            INFO("server got " << name_of(m) << " in " << name_of(before));
            REQUIRE(tr.verdict != Verdict::Violation);
            if (tr.verdict == Verdict::IgnoreTolerated) ++tolerated[m];
            const bool invitation =
                m == MsgType::Challenge || m == MsgType::Rematch || m == MsgType::AnswerChallenge;
            if (invitation && tr.verdict == Verdict::IgnoreTolerated) {
              // A crossing, still answered at once (ChallengeResult 2).
              REQUIRE(server.on_send(MsgType::ChallengeResult).verdict == Verdict::Accept);
              trace += " s>ChallengeResult";
              if (!client_closed) to_client.push_back(MsgType::ChallengeResult);
            }
            if (invitation && tr.verdict == Verdict::Accept) ++server_invites_open;
            if (tr.verdict != Verdict::Accept) break;
            // Requests are answered at once.
            std::optional<MsgType> answer;
            if (m == MsgType::Connect || (m == MsgType::LeaveQueue) || m == MsgType::Unwatch)
              answer = MsgType::Welcome;
            else if (m == MsgType::ReQueue)
              answer = MsgType::QueuePosition;
            else if (m == MsgType::Watch)
              answer = rng() % 2 ? MsgType::WatchStart : MsgType::WatchRefused;
            if (answer) {
              REQUIRE(server.on_send(*answer).verdict == Verdict::Accept);
              trace += std::string(" s>") + name_of(*answer);
              if (!client_closed) to_client.push_back(*answer);
            }
          }
          break;
        default:
          if (client_closed) to_client.clear();
          if (!to_client.empty()) {
            const MsgType m = to_client.front();
            to_client.pop_front();
            const State before = client.state();
            const Transition tr = client.on_receive(m);
            trace += std::string(" >c:") + name_of(m);
            INFO(trace);
            INFO("client got " << name_of(m) << " in " << name_of(before));
            REQUIRE(tr.verdict == Verdict::Accept);  // a client never has to ignore (§5.2)
            if (m == MsgType::Welcome || m == MsgType::InvalidLogin || m == MsgType::InvalidVersion)
              awaiting_login = false;
            if (m == MsgType::ChallengeResult) --client_invites_open;
          }
      }
      if (!client_closed && to_server.empty() && to_client.empty())
        REQUIRE(server.state() == client.state());
    }
  }
  // The crossings of §5.2 really happened in the runs.
  CHECK(tolerated[MsgType::MakeMove2] > 0);
  CHECK(tolerated[MsgType::LeaveQueue] > 0);
  CHECK(tolerated[MsgType::Unwatch] > 0);
  CHECK(tolerated[MsgType::Resign] > 0);
}
