// Protocol v2 against the real checkers-server binary over real sockets
// (docs/PROTOCOL-v2.md): negotiation, whole-move games with Fischer clocks,
// resignation, draw offers, chat, the lobby lists, spectating, a v1 client
// against a v2 client in one game, and hostile v2 input. Order of events is
// asserted, never durations.
#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "fixture.hpp"
#include "game/movegen.hpp"
#include "proto/board_mapping.hpp"

using namespace checkers;
using namespace checkers::test;
using game::Color;

namespace {

proto::Path path_of(const game::Move& m) {
  proto::Path p;
  p.count = static_cast<uint8_t>(m.length());
  for (int i = 0; i < m.length(); ++i) {
    const game::Square s = game::square_of_index(m.index(i));
    p.squares[static_cast<size_t>(i)] = proto::square_index(s.x, s.y);
  }
  return p;
}

Color colour_of(proto::Colour c) {
  return c == proto::Colour::Primary ? Color::Black : Color::White;
}

// The whole move a v2 player would send for the position on its YourTurn2 board.
proto::Path choose(const proto::YourTurn2& t, Color me, std::mt19937& rng) {
  const game::Position pos = proto::position_from(t.board, me, me);
  game::MoveList moves;
  game::generate_moves(pos, moves);
  REQUIRE(!moves.empty());
  return path_of(moves[rng() % moves.size()]);
}

struct V2Player {
  ProtocolClient c;
  proto::GameStart2 start;
  std::vector<proto::MoveMade> seen;
  std::optional<proto::GameOver2> over;
};

// Two v2 players, logged in, queued with ReQueue and matched; [0] is primary.
struct V2Pair {
  V2Player p[2];
};

V2Pair v2_pair(uint16_t port, const std::string& a, const std::string& b) {
  ProtocolClient ca(port), cb(port);
  ca.login_v2(a, "pw");
  ca.send(proto::ReQueue{});
  ca.expect<proto::QueuePosition>();
  cb.login_v2(b, "pw");
  cb.send(proto::ReQueue{});
  auto sa = ca.expect_v2<proto::GameStart2>();
  auto sb = cb.expect_v2<proto::GameStart2>();
  if (sa.colour == proto::Colour::Primary)
    return V2Pair{{V2Player{std::move(ca), sa, {}, {}}, V2Player{std::move(cb), sb, {}, {}}}};
  return V2Pair{{V2Player{std::move(cb), sb, {}, {}}, V2Player{std::move(ca), sa, {}, {}}}};
}

// Plays whole random moves until both have GameOver2, or `max_moves` were made
// (then the player to move has just received its YourTurn2, returned).
std::optional<proto::YourTurn2> play_v2(V2Pair& g, uint32_t seed, int max_moves = 100000) {
  std::mt19937 rng(seed);
  int made = 0;
  while (!g.p[0].over || !g.p[1].over) {
    proto::Message m;
    const int who = receive_either(g.p[0].c, g.p[1].c, m);
    V2Player& me = g.p[who];
    if (auto* t = std::get_if<proto::YourTurn2>(&m)) {
      if (made == max_moves) return *t;
      me.c.send(proto::MakeMove2{choose(*t, colour_of(me.start.colour), rng)});
      ++made;
    } else if (auto* mm = std::get_if<proto::MoveMade>(&m)) {
      me.seen.push_back(*mm);
    } else if (auto* o = std::get_if<proto::GameOver2>(&m)) {
      me.over = *o;
    } else if (!std::holds_alternative<proto::WatcherCount>(m)) {
      FAIL("unexpected " << fmt::format("{}", m));
    }
  }
  return std::nullopt;
}

std::unique_ptr<ServerProcess> v2_server(std::vector<std::string> args = {}) {
  return server_with_users({{"ann", "pw"}, {"bob", "pw"}, {"cat", "pw"}, {"dan", "pw"}},
                           std::move(args));
}

}  // namespace

TEST_CASE("v2 negotiation: the range is 1..2, v2 logs in idle, v1 still queues", "[server][v2]") {
  auto srv = v2_server();
  ProtocolClient bad(srv->port());
  const proto::Message m = bad.connect("ann", "pw", 3);
  REQUIRE(std::holds_alternative<proto::InvalidVersion>(m));
  CHECK(std::get<proto::InvalidVersion>(m).highest == 2);
  CHECK(std::get<proto::InvalidVersion>(m).lowest == 1);
  // The connection stays open: the same client falls back to version 2 on it.
  const proto::Welcome w = bad.login_v2("ann", "pw");
  CHECK(w.version == 2);
  CHECK(w.base_ms == 5 * 60 * 1000);  // the default --time-control 5+3
  CHECK(w.increment_ms == 3000);
  CHECK(w.chat_max == proto::kMaxChatBytes);
  CHECK(bad.expect_silence(300ms));  // idle: no QueuePosition
  ProtocolClient v1(srv->port());
  CHECK(std::holds_alternative<proto::QueuePosition>(v1.connect("bob", "pw", 1)));
  // A v2 message on a v1 connection is a violation.
  v1.send_raw(std::string_view("\x1e", 1));  // Who
  CHECK(v1.expect_closed(10s, true));
}

TEST_CASE("two v2 players play a whole game with clocks in every turn message",
          "[server][v2][game]") {
  auto srv = v2_server({"--time-control", "10+2"});
  V2Pair g = v2_pair(srv->port(), "ann", "bob");
  for (const V2Player& p : g.p) {
    CHECK(p.start.clock_kind == proto::ClockKind::Fischer);
    CHECK(p.start.base_ms == 600000);
    CHECK(p.start.increment_ms == 2000);
    CHECK(p.start.opponent_version == 2);
  }
  CHECK(g.p[0].start.opponent_name == "bob");
  play_v2(g, 7);
  // Both saw the same moves, numbered 1.., and the same result.
  REQUIRE(g.p[0].seen.size() == g.p[1].seen.size());
  REQUIRE(!g.p[0].seen.empty());
  for (size_t i = 0; i < g.p[0].seen.size(); ++i) {
    CHECK(g.p[0].seen[i].ply == i + 1);
    CHECK(g.p[0].seen[i].path == g.p[1].seen[i].path);
    CHECK(g.p[0].seen[i].board.flipped_owner() == g.p[1].seen[i].board);
    CHECK(g.p[0].seen[i].primary_clock <= 600000 + 2000 * (i + 1));
  }
  // Captures came as whole paths: at least one multi-jump in one MakeMove2 / MoveMade.
  const bool multi_jump =
      std::any_of(g.p[0].seen.begin(), g.p[0].seen.end(),
                  [](const proto::MoveMade& m) { return m.path.is_jump() && m.path.count >= 3; });
  CHECK(multi_jump);
  const proto::GameOver2& a = *g.p[0].over;
  const proto::GameOver2& b = *g.p[1].over;
  CHECK(a.winner == b.winner);
  CHECK(a.reason == b.reason);
  CHECK(a.plies == g.p[0].seen.size());
  CHECK(a.primary_old == b.primary_old);
  CHECK(a.secondary_new == b.secondary_new);
  if (a.winner == proto::Winner::Primary) CHECK(a.primary_new > a.primary_old);
  if (a.winner == proto::Winner::Secondary) CHECK(a.secondary_new > a.secondary_old);
  // Still logged in and idle: ReQueue works.
  g.p[0].c.send(proto::ReQueue{});
  CHECK(g.p[0].c.expect_v2<proto::QueuePosition>().rating == a.primary_new);
}

TEST_CASE("v2: an illegal path gets InvalidMove2 with a reason; resigning keeps you logged in",
          "[server][v2][game]") {
  auto srv = v2_server();
  V2Pair g = v2_pair(srv->port(), "ann", "bob");
  auto& primary = g.p[0].c;
  const auto turn = primary.expect_v2<proto::YourTurn2>();
  CHECK(turn.ply == 0);
  CHECK(turn.primary_clock <= 300000);
  CHECK(turn.secondary_clock == 300000);
  // Backwards, malformed, and a step two squares long.
  const proto::Path back = *proto::Path::of({{1, 5}, {0, 6}});
  primary.send(proto::MakeMove2{back});
  auto inv = primary.expect_v2<proto::InvalidMove2>();
  CHECK(inv.path == back);
  CHECK(inv.reason == proto::InvalidMoveReason::Illegal);
  const proto::Path bad = *proto::Path::of({{1, 5}});
  primary.send(proto::MakeMove2{bad});
  CHECK(primary.expect_v2<proto::InvalidMove2>().reason == proto::InvalidMoveReason::Malformed);
  // A legal move is confirmed by MoveMade to both.
  primary.send(proto::MakeMove2{*proto::Path::of({{1, 5}, {0, 4}})});
  CHECK(primary.expect_v2<proto::MoveMade>().ply == 1);
  CHECK(g.p[1].c.expect_v2<proto::MoveMade>().mover == proto::Colour::Primary);
  CHECK(g.p[1].c.expect_v2<proto::YourTurn2>().ply == 1);
  // The secondary resigns on its turn.
  g.p[1].c.send(proto::Resign{});
  const auto over_p = primary.expect_v2<proto::GameOver2>();
  const auto over_s = g.p[1].c.expect_v2<proto::GameOver2>();
  CHECK(over_p.winner == proto::Winner::Primary);
  CHECK(over_p.reason == proto::EndReason::Resignation);
  CHECK(over_s.reason == proto::EndReason::Resignation);
  CHECK(over_s.secondary_new < over_s.secondary_old);
  // The resigner is idle, still logged in: Who lists it.
  g.p[1].c.send(proto::Who{});
  std::set<std::string> names;
  for (;;) {
    const auto e = g.p[1].c.expect_v2<proto::PlayerEntry>();
    names.insert(e.name.str());
    if (e.index == e.count) break;
  }
  CHECK(names == std::set<std::string>{"ann", "bob"});
}

TEST_CASE("v2 draw offers: decline, once per move, lapse on the opponent's move, accept",
          "[server][v2][game]") {
  auto srv = v2_server();
  V2Pair g = v2_pair(srv->port(), "ann", "bob");
  auto& pri = g.p[0].c;
  auto& sec = g.p[1].c;
  pri.expect_v2<proto::YourTurn2>();
  pri.send(proto::OfferDraw{});
  sec.expect_v2<proto::DrawOffered>();
  sec.send(proto::AnswerDraw{0});
  CHECK(pri.expect_v2<proto::DrawDeclined>().reason == proto::DrawDeclineReason::Declined);
  pri.send(proto::OfferDraw{});  // again before moving: refused, never reaches bob
  CHECK(pri.expect_v2<proto::DrawDeclined>().reason == proto::DrawDeclineReason::AlreadyOffered);
  pri.send(proto::MakeMove2{*proto::Path::of({{1, 5}, {0, 4}})});
  pri.expect_v2<proto::MoveMade>();
  sec.expect_v2<proto::MoveMade>();
  sec.expect_v2<proto::YourTurn2>();
  // Bob offers; ann does not answer; bob's offer lapses when ann moves.
  sec.send(proto::OfferDraw{});
  pri.expect_v2<proto::DrawOffered>();
  sec.send(proto::MakeMove2{*proto::Path::of({{6, 2}, {7, 3}})});
  sec.expect_v2<proto::MoveMade>();
  pri.expect_v2<proto::MoveMade>();
  pri.expect_v2<proto::YourTurn2>();
  pri.send(proto::MakeMove2{*proto::Path::of({{3, 5}, {2, 4}})});
  pri.expect_v2<proto::MoveMade>();
  sec.expect_v2<proto::MoveMade>();
  sec.expect_v2<proto::YourTurn2>();
  pri.send(proto::AnswerDraw{1});  // the offer lapsed: ignored, the game goes on
  // Ann (who has moved since her offer) offers again; bob accepts.
  pri.send(proto::OfferDraw{});
  sec.expect_v2<proto::DrawOffered>();
  sec.send(proto::AnswerDraw{1});
  const auto over = pri.expect_v2<proto::GameOver2>();
  CHECK(over.winner == proto::Winner::Draw);
  CHECK(over.reason == proto::EndReason::DrawAgreed);
  CHECK(sec.expect_v2<proto::GameOver2>().reason == proto::EndReason::DrawAgreed);
}

TEST_CASE("v2 clock: the side that runs out of time loses and stays logged in",
          "[server][v2][game][clock]") {
  auto srv = v2_server({"--time-control", "1s+0"});
  V2Pair g = v2_pair(srv->port(), "ann", "bob");
  auto& pri = g.p[0].c;
  const auto turn = pri.expect_v2<proto::YourTurn2>();
  CHECK(turn.primary_clock <= 1000);
  // Ann does not move: her clock decides. Order: YourTurn2, then GameOver2 (time).
  const auto over = pri.expect_v2<proto::GameOver2>(30s);
  CHECK(over.reason == proto::EndReason::Time);
  CHECK(over.winner == proto::Winner::Secondary);
  CHECK(over.primary_clock == 0);
  CHECK(g.p[1].c.expect_v2<proto::GameOver2>(30s).reason == proto::EndReason::Time);
  pri.send(proto::ReQueue{});
  CHECK(pri.expect_v2<proto::QueuePosition>().rating == over.primary_new);
}

TEST_CASE("v2 chat between the players; capped, rate-limited, refused when off",
          "[server][v2][chat]") {
  auto srv = v2_server();
  V2Pair g = v2_pair(srv->port(), "ann", "bob");
  auto& pri = g.p[0].c;
  auto& sec = g.p[1].c;
  pri.send(proto::Chat{"good luck \u00e9"});
  const auto from = sec.expect_v2<proto::ChatFrom>();
  CHECK(from.from == "ann");
  CHECK(from.text.view() == "good luck \u00e9");
  // A flood: beyond the burst, refused (once per second at most), nothing more reaches bob.
  for (int i = 0; i < 20; ++i) sec.send(proto::Chat{"spam"});
  int relayed = 0, refused = 0;
  while (auto m = pri.try_receive(1s)) {
    if (std::holds_alternative<proto::ChatFrom>(*m)) ++relayed;
    if (std::holds_alternative<proto::YourTurn2>(*m)) continue;
  }
  while (auto m = sec.try_receive(500ms))
    if (std::holds_alternative<proto::ChatRefused>(*m)) ++refused;
  CHECK(relayed <= 6);
  CHECK(refused >= 1);
  CHECK(refused <= 3);
  // Over-long (201 bytes) and non-UTF-8 text close the sender's connection.
  std::string longer = "\x1b";
  longer += static_cast<char>(201);
  longer += '\0';
  longer += std::string(201, 'a');
  sec.send_raw(longer);
  CHECK(sec.expect_closed(10s, true));
  // bob left: ann wins (player left) and stays.
  CHECK(pri.expect_v2<proto::GameOver2>().reason == proto::EndReason::PlayerLeft);
  ProtocolClient bad(srv->port());
  bad.login_v2("cat", "pw");
  bad.send_raw(std::string_view("\x1b\x02\x00\xc0\xaf", 5));  // overlong '/'
  CHECK(bad.expect_closed(10s, true));
}

TEST_CASE("--chat off refuses chat", "[server][v2][chat]") {
  auto srv = v2_server({"--chat", "off"});
  ProtocolClient c(srv->port());
  CHECK(c.login_v2("ann", "pw").chat_max == 0);
  V2Pair g = v2_pair(srv->port(), "bob", "cat");
  g.p[1].c.send(proto::Chat{"hi"});
  CHECK(g.p[1].c.expect_v2<proto::ChatRefused>().reason == proto::ChatRefusal::ChatOff);
}

TEST_CASE("a watcher sees the same moves as the players; the players see the count",
          "[server][v2][watch]") {
  auto srv = v2_server();
  V2Pair g = v2_pair(srv->port(), "ann", "bob");
  ProtocolClient w(srv->port());
  w.login_v2("cat", "pw");
  w.send(proto::ListGames{});
  const auto entry = w.expect_v2<proto::GameEntry>();
  REQUIRE(entry.count == 1);
  CHECK(entry.primary_name == "ann");
  w.send(proto::Watch{entry.game_id + 100});
  CHECK(w.expect_v2<proto::WatchRefused>().reason == proto::WatchRefusal::NoSuchGame);
  w.send(proto::Watch{entry.game_id});
  const auto ws = w.expect<proto::WatchStart>();
  CHECK(ws.ply == 0);
  CHECK(ws.watchers == 1);
  CHECK(ws.secondary_name == "bob");
  std::vector<proto::MoveMade> watched;
  play_v2(g, 11);
  for (;;) {
    const proto::Message m = w.receive();
    if (auto* mm = std::get_if<proto::MoveMade>(&m)) watched.push_back(*mm);
    if (std::holds_alternative<proto::GameOver2>(m)) {
      CHECK(std::get<proto::GameOver2>(m).winner == g.p[0].over->winner);
      break;
    }
  }
  REQUIRE(watched.size() == g.p[0].seen.size());
  for (size_t i = 0; i < watched.size(); ++i) {
    CHECK(watched[i].path == g.p[0].seen[i].path);
    CHECK(watched[i].board == g.p[0].seen[i].board);  // primary's view
  }
  // The game is over: watching it now is refused; the watcher is idle again.
  w.send(proto::Watch{entry.game_id});
  CHECK(w.expect_v2<proto::WatchRefused>().reason == proto::WatchRefusal::NoSuchGame);
}

TEST_CASE("unwatch returns to idle; players are told the watcher count", "[server][v2][watch]") {
  auto srv = v2_server();
  V2Pair g = v2_pair(srv->port(), "ann", "bob");
  ProtocolClient w(srv->port());
  w.login_v2("cat", "pw");
  w.send(proto::ListGames{});
  const auto entry = w.expect_v2<proto::GameEntry>();
  w.send(proto::Watch{entry.game_id});
  w.expect<proto::WatchStart>();
  CHECK(g.p[1].c.expect_v2<proto::WatcherCount>().watchers == 1);
  w.send(proto::Unwatch{});
  w.expect_v2<proto::Welcome>();
  CHECK(g.p[1].c.expect_v2<proto::WatcherCount>().watchers == 0);
}

TEST_CASE("a raw v1 client plays a v2 client to the end; both views agree", "[server][v2][mixed]") {
  auto srv = v2_server({"--turn-timeout", "60"});
  ProtocolClient v1(srv->port());
  v1.login("ann", "pw");
  ProtocolClient v2(srv->port());
  v2.login_v2("bob", "pw");
  v2.send(proto::ReQueue{});
  const auto s1 = v1.expect_skipping_queue<proto::GameStart>();
  const auto s2 = v2.expect_v2<proto::GameStart2>();
  CHECK(s1.opponent_name == "bob");
  CHECK(s2.opponent_version == 1);
  CHECK(s2.clock_kind == proto::ClockKind::PerMove);
  CHECK(s2.base_ms == 60000);
  const Color c2 = colour_of(s2.colour);
  const Color c1 = game::opponent(c2);
  std::mt19937 rng(5);
  std::optional<proto::GameOver> over1;
  std::optional<proto::GameOver2> over2;
  std::vector<proto::MoveMade> seen;
  proto::Board last_v1_board;
  while (!over1 || !over2) {
    proto::Message m;
    const int who = receive_either(v1, v2, m);
    if (who == 0) {
      if (auto* t = std::get_if<proto::YourTurn>(&m)) {
        const game::Position pos = position_from_board(t->board, c1, c1, t->last_move);
        const std::vector<game::Hop> hops = game::legal_hops(pos);
        REQUIRE(!hops.empty());
        v1.send(proto::MakeMove{to_wire(hops[rng() % hops.size()])});
      } else if (auto* o = std::get_if<proto::GameOver>(&m)) {
        over1 = *o;
        last_v1_board = o->board;
      } else {
        REQUIRE(std::holds_alternative<proto::CompulsoryMove>(m));
      }
    } else {
      if (auto* t = std::get_if<proto::YourTurn2>(&m)) {
        v2.send(proto::MakeMove2{choose(*t, c2, rng)});
      } else if (auto* mm = std::get_if<proto::MoveMade>(&m)) {
        seen.push_back(*mm);
      } else {
        over2 = std::get<proto::GameOver2>(m);
      }
    }
  }
  CHECK(over2->reason != proto::EndReason::PlayerLeft);
  CHECK(last_v1_board == over2->board.flipped_owner());
  const bool v1_won = over1->won();
  const bool v2_won =
      over2->winner == (c2 == Color::Black ? proto::Winner::Primary : proto::Winner::Secondary);
  CHECK(!(v1_won && v2_won));
  if (over2->winner != proto::Winner::Draw) CHECK(v1_won != v2_won);
  CHECK(over2->plies == seen.size());
  const uint32_t v1_new = c1 == Color::Black ? over2->primary_new : over2->secondary_new;
  CHECK(over1->new_rating == v1_new);
}

TEST_CASE("hostile v2 input: every v2 client message in every reachable state",
          "[server][v2][hostile]") {
  auto srv = v2_server();
  // Idle (GameEnd): what the DFA refuses closes the connection, the rest is answered
  // or ignored; the server keeps serving.
  const std::vector<proto::Message> c2s{
      proto::LeaveQueue{}, proto::MakeMove2{},      proto::Resign{},
      proto::OfferDraw{},  proto::AnswerDraw{},     proto::Chat{"x"},
      proto::Who{},        proto::Challenge{"bob"}, proto::AnswerChallenge{"bob", 1},
      proto::Rematch{},    proto::ListGames{},      proto::Watch{1},
      proto::Unwatch{},    proto::FetchGames{3}};
  int n = 0;
  for (const proto::Message& m : c2s) {
    for (proto::State st : {proto::State::GameEnd, proto::State::InQueue}) {
      ProtocolClient c(srv->port());
      c.login_v2(fmt::format("h{}", n++), "pw");  // open registration: a fresh account
      if (st == proto::State::InQueue) {
        c.send(proto::ReQueue{});
        c.expect<proto::QueuePosition>();
      }
      c.send(m);
      const proto::Transition t =
          proto::transition(st, proto::Direction::ClientToServer, proto::type_of(m), 2);
      INFO(fmt::format("{} in {}", m, st));
      if (t.verdict == proto::Verdict::Violation) {
        CHECK(c.expect_closed(10s, true));
      } else {
        // Still served: Who answers.
        c.send(proto::Who{});
        bool answered = false;
        while (auto r = c.try_receive(10s))
          if (std::holds_alternative<proto::PlayerEntry>(*r)) {
            answered = true;
            break;
          }
        CHECK(answered);
      }
    }
  }
}

namespace {
// The next ChallengeResult; a YourTurn2 before it (the primary of a game just started)
// is left for the test.
proto::ChallengeResult expect_result(ProtocolClient& c) {
  std::optional<proto::Message> turn;
  for (;;) {
    const proto::Message m = c.receive();
    if (auto* r = std::get_if<proto::ChallengeResult>(&m)) {
      if (turn) c.unread(*turn);
      return *r;
    }
    if (std::holds_alternative<proto::YourTurn2>(m) && !turn) {
      turn = m;
      continue;
    }
    FAIL("expected ChallengeResult, got " << fmt::format("{}", m));
  }
}
}  // namespace

TEST_CASE("challenge: accept starts a game, decline and errors answer once, timeout",
          "[server][v2][lobby]") {
  auto srv = v2_server({"--invite-timeout", "1"});
  ProtocolClient ann(srv->port()), bob(srv->port()), old(srv->port());
  ann.login_v2("ann", "pw");
  bob.login_v2("bob", "pw");
  old.login("cat", "pw");  // a v1 player
  using O = proto::ChallengeOutcome;
  ann.send(proto::Challenge{"ann"});
  CHECK(expect_result(ann).result == O::Yourself);
  ann.send(proto::Challenge{"nobody"});
  CHECK(expect_result(ann).result == O::NoSuchPlayer);
  ann.send(proto::Challenge{"cat"});
  CHECK(expect_result(ann).result == O::SpeaksV1);
  // Decline.
  ann.send(proto::Challenge{"bob"});
  auto got = bob.expect_v2<proto::ChallengeReceived>();
  CHECK(got.from == "ann");
  CHECK(got.kind == proto::ChallengeKind::Challenge);
  ann.send(proto::Challenge{"bob"});
  CHECK(expect_result(ann).result == O::AlreadyPending);
  bob.send(proto::AnswerChallenge{"ann", 0});
  CHECK(expect_result(bob).result == O::Declined);
  CHECK(expect_result(ann).result == O::Declined);
  // Nobody answers: the invitation times out.
  ann.send(proto::Challenge{"bob"});
  bob.expect_v2<proto::ChallengeReceived>();
  CHECK(expect_result(ann).result == O::TimedOut);
  bob.send(proto::AnswerChallenge{"ann", 1});  // too late
  CHECK(expect_result(bob).result == O::Withdrawn);
  // Withdrawn by the inviter.
  ann.send(proto::Challenge{"bob"});
  bob.expect_v2<proto::ChallengeReceived>();
  ann.send(proto::Challenge{""});
  CHECK(expect_result(ann).result == O::Cancelled);
  CHECK(expect_result(ann).result == O::Cancelled);
  // Accepted: GameStart2 to both, then ChallengeResult 11 to both.
  ann.send(proto::Challenge{"bob"});
  bob.expect_v2<proto::ChallengeReceived>();
  bob.send(proto::AnswerChallenge{"ann", 1});
  const auto sa = ann.expect_v2<proto::GameStart2>();
  const auto sb = bob.expect_v2<proto::GameStart2>();
  CHECK(sa.opponent_name == "bob");
  CHECK(sa.colour != sb.colour);
  CHECK(sb.colour == proto::Colour::Primary);  // equal ratings: the invited player
  CHECK(expect_result(ann).result == O::Accepted);
  CHECK(expect_result(bob).result == O::Accepted);
}

TEST_CASE("rematch: both agree, colours swap; a challenge flood is rate-limited",
          "[server][v2][lobby]") {
  auto srv = v2_server();
  V2Pair g = v2_pair(srv->port(), "ann", "bob");
  auto& pri = g.p[0].c;
  auto& sec = g.p[1].c;
  pri.expect_v2<proto::YourTurn2>();
  pri.send(proto::Resign{});
  pri.expect_v2<proto::GameOver2>();
  sec.expect_v2<proto::GameOver2>();
  pri.send(proto::Rematch{});
  const auto inv = sec.expect_v2<proto::ChallengeReceived>();
  CHECK(inv.kind == proto::ChallengeKind::Rematch);
  sec.send(proto::Rematch{});  // both asked
  CHECK(pri.expect_v2<proto::GameStart2>().colour == proto::Colour::Secondary);
  CHECK(sec.expect_v2<proto::GameStart2>().colour == proto::Colour::Primary);
  CHECK(expect_result(pri).result == proto::ChallengeOutcome::Accepted);
  CHECK(expect_result(sec).result == proto::ChallengeOutcome::Accepted);
  // A third player floods challenges: at most 10 a minute reach their target.
  ProtocolClient cat(srv->port()), dan(srv->port());
  cat.login_v2("cat", "pw");
  dan.login_v2("dan", "pw");
  for (int i = 0; i < 15; ++i) {
    cat.send(proto::Challenge{"dan"});
    cat.send(proto::Challenge{""});  // withdraw, so the next one is a new invitation
  }
  cat.send(proto::Who{});  // a marker: everything before it has been answered
  int too_many = 0, cancelled = 0;
  for (;;) {
    const proto::Message m = cat.receive();
    if (std::holds_alternative<proto::PlayerEntry>(m)) break;
    const auto r = std::get<proto::ChallengeResult>(m);
    if (r.result == proto::ChallengeOutcome::TooMany) ++too_many;
    if (r.result == proto::ChallengeOutcome::Cancelled) ++cancelled;
  }
  // 10 a minute: a slow run may have earned one more token meanwhile.
  CHECK(too_many >= 4);
  CHECK(too_many <= 5);
  CHECK(cancelled == 15 + (15 - too_many));  // every withdrawal, and each invitation it closed
  int received = 0;
  while (auto m = dan.try_receive(300ms))
    if (std::holds_alternative<proto::ChallengeReceived>(*m)) ++received;
  CHECK(received == 15 - too_many);
}

TEST_CASE("hostile v2 input: every v2 client message while playing and while watching",
          "[server][v2][hostile]") {
  auto srv = v2_server();
  const std::vector<proto::Message> c2s{
      proto::LeaveQueue{}, proto::MakeMove2{},      proto::Resign{},
      proto::OfferDraw{},  proto::AnswerDraw{},     proto::Chat{"x"},
      proto::Who{},        proto::Challenge{"ann"}, proto::AnswerChallenge{"ann", 1},
      proto::Rematch{},    proto::ListGames{},      proto::Watch{1},
      proto::Unwatch{},    proto::FetchGames{3}};
  // Who is answered in every logged-in state: it shows the connection is still served.
  const auto still_served = [](ProtocolClient& c) {
    c.send(proto::Who{});
    while (auto r = c.try_receive(10s))
      if (std::holds_alternative<proto::PlayerEntry>(*r)) return true;
    return false;
  };
  int n = 0;
  for (const proto::Message& m : c2s) {
    INFO(fmt::format("{}", m));
    ++n;
    V2Pair g = v2_pair(srv->port(), fmt::format("p{}a", n), fmt::format("p{}b", n));
    ProtocolClient w(srv->port());
    w.login_v2(fmt::format("w{}", n), "pw");
    w.send(proto::ListGames{});
    uint32_t id = 0;
    for (;;) {  // this pair's game: the one with the highest id
      const auto e = w.expect_v2<proto::GameEntry>();
      id = std::max(id, e.game_id);
      if (e.index == e.count) break;
    }
    w.send(proto::Watch{id});
    w.expect<proto::WatchStart>();
    // The primary is in UserMove (its first YourTurn2 is on the way), the secondary in PGS.
    g.p[0].c.expect_v2<proto::YourTurn2>();
    struct Case {
      ProtocolClient& c;
      proto::State st;
    };
    for (Case k : {Case{g.p[1].c, proto::State::ProcessingGameState},
                   Case{g.p[0].c, proto::State::UserMove}, Case{w, proto::State::Watching}}) {
      INFO(fmt::format("in {}", k.st));
      // The secondary has just offered a draw: the primary's OfferDraw would accept it and end
      // the game (PROTOCOL-v2.md 6.4), and the watcher would no longer be Watching. The
      // accepting path has its own test.
      if (std::holds_alternative<proto::OfferDraw>(m) && k.st == proto::State::UserMove) continue;
      const proto::Transition t =
          proto::transition(k.st, proto::Direction::ClientToServer, proto::type_of(m), 2);
      k.c.send(m);
      if (t.verdict == proto::Verdict::Violation) {
        CHECK(k.c.expect_closed(10s, true));
        break;  // the game is over now (a player left), later cases would differ
      }
      CHECK(still_served(k.c));
      if (std::holds_alternative<proto::Resign>(m) || std::holds_alternative<proto::MakeMove2>(m))
        break;  // the game ended, or an InvalidMove2 changed nothing worth repeating
    }
  }
}
