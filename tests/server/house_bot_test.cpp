// --house-bot on the real server, seen by raw protocol v1 clients (bytes of PROTOCOL.md):
// a player left alone in the queue plays the server's engine to a rated GameOver whose
// result and record are durable; several lonely players get bot games at once; nobody can
// log into the bot's account; the bot does not come before its waiting time; a bad
// --house-bot value is a usage error. And by raw v2 clients (PROTOCOL-v2.md §10): the bot
// is version 0 with Fischer clocks, plays whole moves, answers draw offers from its
// evaluation, accepts rematches, refuses chat and challenges, shows in Who, and leaves
// when no rematch comes.
#include "fixture.hpp"

#include <random>

#include "game/movegen.hpp"
#include "game/search.hpp"
#include "proto/board_mapping.hpp"
#include "server/game_room.hpp"
#include "server/house_bot.hpp"
#include "support/process.hpp"

using namespace checkers;
using namespace checkers::test;

namespace {

ServerProcess::Options with_house_bot(const std::string& spec, std::vector<std::string> more = {}) {
  ServerProcess::Options o;
  o.extra_args = {"--house-bot", spec};
  o.extra_args.insert(o.extra_args.end(), more.begin(), more.end());
  return o;
}

game::Color colour_of(proto::Colour c) {
  return c == proto::Colour::Primary ? game::Color::Black : game::Color::White;
}

// A v2 player who logged in, queued alone and got the bot.
struct BotOpponent {
  ProtocolClient c;
  proto::Welcome welcome;
  proto::GameStart2 start;
  game::Color me() const { return colour_of(start.colour); }
  game::Color bot() const { return game::opponent(me()); }
};

BotOpponent meet_bot(uint16_t port, const std::string& name) {
  ProtocolClient c(port);
  const proto::Welcome w = c.login_v2(name, "pw");
  c.send(proto::ReQueue{});
  const auto start = c.expect_v2<proto::GameStart2>(20s);
  return BotOpponent{std::move(c), w, start};
}

// The bot's evaluation of the position on `board` (received by `viewer`), as it answers a
// draw offer: its own view (game::evaluate is from the side to move's).
int bot_evaluation(const proto::Board& board, game::Color viewer, game::Color bot) {
  return game::evaluate(proto::position_from(board, viewer, bot));
}

// The move of `moves` after which the bot's evaluation is highest (a player giving the
// bot material), or a random one.
proto::Path pick(const proto::YourTurn2& t, game::Color me, std::mt19937& rng, bool worst) {
  const game::Position pos = proto::position_from(t.board, me, me);
  game::MoveList moves;
  game::generate_moves(pos, moves);
  REQUIRE(!moves.empty());
  size_t best = rng() % moves.size();
  if (worst) {
    int top = std::numeric_limits<int>::min();
    for (size_t i = 0; i < moves.size(); ++i) {
      const int e = game::evaluate(game::play(pos, moves[i]));  // the bot's view: it moves next
      if (e > top) top = e, best = i;
    }
  }
  return server::to_path(moves[best]);
}

// The Who answer, by name.
std::map<std::string, proto::PlayerEntry> who(ProtocolClient& c) {
  c.send(proto::Who{});
  std::map<std::string, proto::PlayerEntry> out;
  for (;;) {
    const auto e = c.expect_skipping<proto::PlayerEntry, proto::QueuePosition, proto::MoveMade,
                                     proto::WatcherCount>();
    out.emplace(e.name.str(), e);
    if (e.index == e.count) return out;
  }
}

// Resigns the game in progress and returns its GameOver2 (turn messages skipped).
proto::GameOver2 resign(ProtocolClient& c) {
  c.send(proto::Resign{});
  return c
      .expect_skipping<proto::GameOver2, proto::YourTurn2, proto::MoveMade, proto::WatcherCount>(
          20s);
}

}  // namespace

TEST_CASE("a lonely v1 player plays the house bot to a rated, recorded GameOver",
          "[server][house_bot]") {
  ServerProcess srv(with_house_bot("random:0"));
  ProtocolClient c(srv.port());
  c.login("lonely", "pw");
  const std::vector<ClientGame> games = play_games({&c}, random_strategy(3));
  REQUIRE(games.size() == 1);
  const ClientGame& g = games[0];
  REQUIRE(g.start);
  CHECK(g.start->opponent_name.str() == "computer-random");
  CHECK(g.start->opponent_rating == 1500);
  REQUIRE(g.over);  // a whole game: the bot answered every turn
  CHECK(g.over->old_rating == 1500);
  CHECK(g.moves_sent > 0);
  // Back in the lobby the v1 way: ReQueue works as after any game.
  c.send(proto::ReQueue{});
  CHECK(c.expect<proto::QueuePosition>().rating == g.over->new_rating);

  srv.kill(SIGKILL);  // the result and the record were durable at GameOver
  REQUIRE(srv.wait_exit(5s));
  const RunResult users = srv.run_admin({"user", "list"});
  CHECK(users.out.find("computer-random") != std::string::npos);
  const RunResult list = srv.run_admin({"game", "list", "--user", "computer-random"});
  CHECK(list.out.find("lonely") != std::string::npos);
  srv.start();
  ProtocolClient again(srv.port());
  CHECK(again.login("lonely", "pw").rating == g.over->new_rating);
}

TEST_CASE("nobody logs into the house bot's account", "[server][house_bot]") {
  ServerProcess srv(with_house_bot("medium:600"));
  for (const char* pw : {"", "!house-bot", "pw"}) {
    ProtocolClient c(srv.port());
    const proto::Message m = c.connect("computer-medium", pw);
    REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
    CHECK(std::get<proto::InvalidLogin>(m).reason == proto::LoginFailure::InvalidPassword);
  }
}

TEST_CASE("the house bot waits SECONDS before it comes", "[server][house_bot]") {
  ServerProcess srv(with_house_bot("random:600"));
  ProtocolClient c(srv.port());
  c.login("patient", "pw");
  // Three queue ticks (one QueuePosition a second) and still no game.
  for (int tick = 0; tick < 3; ++tick) CHECK(c.expect<proto::QueuePosition>(10s).queue_size == 1);
  CHECK_FALSE(srv.log_contains("comes to play"));
}

TEST_CASE("lonely players one after the other each get a bot game, also at once",
          "[server][house_bot]") {
  ServerProcess srv(with_house_bot("medium:0"));
  ProtocolClient a(srv.port());
  a.login("first", "pw");
  const auto start_a = a.expect_skipping_queue<proto::GameStart>(20s);
  CHECK(start_a.opponent_name.str() == "computer-medium");
  // `first` is in its game (not queued): the next lonely player gets a bot of its own.
  ProtocolClient b(srv.port());
  b.login("second", "pw");
  const auto start_b = b.expect_skipping_queue<proto::GameStart>(20s);
  CHECK(start_b.opponent_name.str() == "computer-medium");
  a.unread(proto::Message{start_a});
  b.unread(proto::Message{start_b});
  const std::vector<ClientGame> games = play_games({&a, &b}, random_strategy(9));
  for (const ClientGame& g : games) {
    REQUIRE(g.over);
    CHECK(g.over->old_rating == 1500);
  }
  CHECK(srv.log_count("comes to play") == 2);
}

TEST_CASE("a bad --house-bot value is a usage error", "[server][house_bot]") {
  for (const char* bad : {"grandmaster", "medium:", "medium:-1", "medium:ten", ":5"}) {
    const RunResult r =
        run_command({ServerProcess::binary().string(), "--house-bot", bad, "--port", "0"});
    INFO(bad << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--house-bot") != std::string::npos);
  }
}

TEST_CASE("a v2 player plays the house bot: version 0, Fischer clocks, whole moves, to the end",
          "[server][house_bot][v2]") {
  ServerProcess srv(with_house_bot("random:0", {"--time-control", "10+2"}));
  BotOpponent g = meet_bot(srv.port(), "lonely2");
  CHECK((g.welcome.flags & proto::Welcome::kFlagHouseBot) != 0);
  CHECK(g.start.opponent_name.str() == "computer-random");
  CHECK(g.start.opponent_version == 0);  // PROTOCOL-v2.md §10
  CHECK(g.start.clock_kind == proto::ClockKind::Fischer);
  CHECK(g.start.base_ms == 600000);
  CHECK(g.start.increment_ms == 2000);
  CHECK(g.start.opponent_rating == 1500);
  // While it plays: Who lists it (answered between the game's messages), chat is refused.
  g.c.send(proto::Who{});
  g.c.send(proto::Chat{*proto::ChatText::make("good luck")});
  std::map<std::string, proto::PlayerEntry> players;
  std::optional<proto::ChatRefused> chat_refused;

  std::mt19937 rng(11);
  std::vector<proto::MoveMade> seen;
  std::optional<proto::GameOver2> over;
  while (!over) {
    const proto::Message m = g.c.receive(30s);
    if (const auto* e = std::get_if<proto::PlayerEntry>(&m)) {
      players.emplace(e->name.str(), *e);
    } else if (const auto* r = std::get_if<proto::ChatRefused>(&m)) {
      chat_refused = *r;
    } else if (const auto* t = std::get_if<proto::YourTurn2>(&m)) {
      CHECK(t->ply == seen.size());
      CHECK(t->primary_clock <= 600000 + 2000 * seen.size());
      CHECK(t->secondary_clock <= 600000 + 2000 * seen.size());
      g.c.send(proto::MakeMove2{pick(*t, g.me(), rng, false)});
    } else if (const auto* mm = std::get_if<proto::MoveMade>(&m)) {
      seen.push_back(*mm);
      CHECK(mm->ply == seen.size());
      CHECK(mm->primary_clock != proto::kNoClock);
      CHECK(mm->secondary_clock != proto::kNoClock);
      CHECK(mm->path.well_formed());
    } else if (const auto* o = std::get_if<proto::GameOver2>(&m)) {
      over = *o;
    } else {
      FAIL("unexpected " << fmt::format("{}", m));
    }
  }
  REQUIRE(players.count("computer-random") == 1);
  CHECK(players.at("computer-random").version == 0);
  CHECK(players.at("computer-random").status == proto::PlayerStatus::Playing);
  REQUIRE(chat_refused);
  CHECK(chat_refused->reason == proto::ChatRefusal::NobodyToTalkTo);
  REQUIRE(!seen.empty());
  // The bot's moves came whole: each of its captures is one MoveMade with every square.
  const bool bot_moved = std::any_of(seen.begin(), seen.end(), [&](const proto::MoveMade& m) {
    return colour_of(m.mover) == g.bot() && m.forced == 0;
  });
  CHECK(bot_moved);
  CHECK(over->plies == seen.size());
  CHECK(over->primary_clock != proto::kNoClock);
  CHECK(over->primary_old == 1500);
  CHECK(over->secondary_old == 1500);
  CHECK(over->reason != proto::EndReason::PlayerLeft);
  CHECK(over->reason != proto::EndReason::Time);
  CHECK_FALSE(srv.log_contains("BUG"));
  // Idle after it, still logged in: ReQueue works.
  g.c.send(proto::ReQueue{});
  CHECK(g.c.expect<proto::QueuePosition>().queue_size >= 1);
}

TEST_CASE("the house bot answers a draw offer at once from its evaluation",
          "[server][house_bot][v2]") {
  ServerProcess srv(with_house_bot("medium:0"));
  SECTION("not ahead at the start: it accepts") {
    BotOpponent g = meet_bot(srv.port(), "drawish");
    // Equal ratings: the player who queued first (the human) is primary.
    REQUIRE(g.start.colour == proto::Colour::Primary);
    const auto turn = g.c.expect_v2<proto::YourTurn2>();
    REQUIRE(bot_evaluation(turn.board, g.me(), g.bot()) <= server::kHouseBotDrawMargin);
    g.c.send(proto::OfferDraw{});
    const auto over = g.c.expect_v2<proto::GameOver2>();
    CHECK(over.winner == proto::Winner::Draw);
    CHECK(over.reason == proto::EndReason::DrawAgreed);
    CHECK(over.plies == 0);
  }
  SECTION("ahead after the player gave material away: it declines") {
    BotOpponent g = meet_bot(srv.port(), "generous");
    std::mt19937 rng(5);
    bool declined = false;
    while (!declined) {
      const auto t = g.c.expect_skipping<proto::YourTurn2, proto::MoveMade>(30s);
      // Our turn: the bot is not thinking, so it answers from this very position.
      if (bot_evaluation(t.board, g.me(), g.bot()) > server::kHouseBotDrawMargin) {
        g.c.send(proto::OfferDraw{});
        CHECK(g.c.expect_v2<proto::DrawDeclined>().reason == proto::DrawDeclineReason::Declined);
        declined = true;
      } else {
        g.c.send(proto::MakeMove2{pick(t, g.me(), rng, true)});
      }
    }
    CHECK(resign(g.c).reason == proto::EndReason::Resignation);
  }
  CHECK_FALSE(srv.log_contains("BUG"));
}

TEST_CASE("after a game the house bot accepts a rematch with colours swapped, never a challenge",
          "[server][house_bot][v2]") {
  ServerProcess srv(with_house_bot("medium:0"));
  BotOpponent g = meet_bot(srv.port(), "again");
  const proto::GameOver2 first = resign(g.c);
  CHECK(first.reason == proto::EndReason::Resignation);
  // Idle: the bot cannot be challenged, and does not chat after the game either.
  g.c.send(proto::Challenge{proto::Str16("computer-medium")});
  const auto refused = g.c.expect_v2<proto::ChallengeResult>();
  CHECK(refused.name.str() == "computer-medium");
  CHECK(refused.result == proto::ChallengeOutcome::NotAvailable);
  g.c.send(proto::Chat{*proto::ChatText::make("gg")});
  CHECK(g.c.expect_v2<proto::ChatRefused>().reason == proto::ChatRefusal::NobodyToTalkTo);
  // A rematch: accepted at once, colours swapped.
  g.c.send(proto::Rematch{});
  const auto again = g.c.expect_v2<proto::GameStart2>();
  CHECK(again.opponent_name.str() == "computer-medium");
  CHECK(again.opponent_version == 0);
  CHECK(again.clock_kind == proto::ClockKind::Fischer);
  CHECK(again.colour != g.start.colour);
  const auto accepted = g.c.expect_skipping<proto::ChallengeResult, proto::YourTurn2,
                                            proto::MoveMade, proto::WatcherCount>();
  CHECK(accepted.result == proto::ChallengeOutcome::Accepted);
  CHECK(accepted.name.str() == "computer-medium");
  // A third party cannot challenge it while it plays either.
  ProtocolClient other(srv.port());
  other.login_v2("bystander", "pw");
  const auto players = who(other);
  REQUIRE(players.count("computer-medium") == 1);
  CHECK(players.at("computer-medium").version == 0);
  CHECK(players.at("computer-medium").status == proto::PlayerStatus::Playing);
  other.send(proto::Challenge{proto::Str16("computer-medium")});
  CHECK(other.expect_v2<proto::ChallengeResult>().result == proto::ChallengeOutcome::NotAvailable);
  const proto::GameOver2 second = resign(g.c);
  CHECK(second.reason == proto::EndReason::Resignation);
  CHECK(second.winner == (again.colour == proto::Colour::Primary ? proto::Winner::Secondary
                                                                 : proto::Winner::Primary));
  CHECK(srv.log_count("comes to play") == 1);  // the same bot connection played both
  CHECK_FALSE(srv.log_contains("BUG"));
}

TEST_CASE("the house bot leaves when its opponent moves on, or when no rematch comes",
          "[server][house_bot][v2]") {
  SECTION("the opponent queues again, or logs out, after the game") {
    const bool requeue = GENERATE(true, false);
    ServerProcess srv(with_house_bot("random:0"));
    BotOpponent g = meet_bot(srv.port(), requeue ? "mover" : "quitter");
    resign(g.c);
    g.c.send(requeue ? proto::Message{proto::ReQueue{}} : proto::Message{proto::LogOut{}});
    // (or "game over; the opponent moved on" if it hears of it before its GameOver2)
    CHECK(srv.wait_for_log("the opponent moved on)", 20s));
    if (requeue) {  // alone in the queue again: a new bot comes
      CHECK(g.c.expect_v2<proto::GameStart2>(20s).opponent_version == 0);
      CHECK(srv.log_count("comes to play") == 2);
    }
  }
  SECTION("the opponent disconnects during the game") {
    ServerProcess srv(with_house_bot("random:0"));
    BotOpponent g = meet_bot(srv.port(), "vanisher");
    g.c.close();
    CHECK(srv.wait_for_log("computer-random leaves (game over; the opponent moved on)", 20s));
    CHECK(srv.wait_for_log("computer-random won, abandoned", 20s));
  }
  SECTION("nobody asks for a rematch within the invitation timeout") {
    ServerProcess srv(with_house_bot("random:0", {"--invite-timeout", "0.2"}));
    BotOpponent g = meet_bot(srv.port(), "idler");
    resign(g.c);
    CHECK(srv.wait_for_log("computer-random leaves (no rematch asked)", 20s));
  }
}

TEST_CASE("a game that ends while the house bot thinks: no move after it, and it plays on",
          "[server][house_bot][v2]") {
  // strong thinks up to 300 ms a move: the resignation lands during its search, which is
  // cancelled (logged at DEBUG when it was still running); its late result is never sent.
  ServerProcess srv(with_house_bot("strong:0", {"--verbose"}));
  BotOpponent g = meet_bot(srv.port(), "hasty");
  std::mt19937 rng(3);
  const auto t = g.c.expect_skipping<proto::YourTurn2, proto::MoveMade>(30s);
  g.c.send(proto::MakeMove2{pick(t, g.me(), rng, false)});
  const proto::GameOver2 over = resign(g.c);
  CHECK(over.reason == proto::EndReason::Resignation);
  // Still in its right state: it accepts a rematch and plays it.
  g.c.send(proto::Rematch{});
  CHECK(g.c.expect_v2<proto::GameStart2>().colour != g.start.colour);
  CHECK(g.c.expect_skipping<proto::ChallengeResult, proto::YourTurn2, proto::MoveMade>().result ==
        proto::ChallengeOutcome::Accepted);
  CHECK(resign(g.c).reason == proto::EndReason::Resignation);
  INFO("search cancelled: " << srv.log_contains("search cancelled"));
  CHECK_FALSE(srv.log_contains("BUG"));
}
