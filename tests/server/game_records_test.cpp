// Durable game records on the real server: every finished game's moves and result are in
// games.log before its GameOver is sent (kill -9 right after the GameOver loses nothing),
// `game list` / `game export` read them (also beside the running server), the export is
// standard PDN that checkers-engine replays move by move to the very board the players got
// in GameOver, and a damaged games log is refused naming the file and the byte offset.
#include <fstream>
#include <sstream>

#include "fixture.hpp"

#include "game/pdn.hpp"
#include "support/process.hpp"

using namespace checkers;
using namespace checkers::test;

namespace {

struct PlayedGame {
  std::string black, white;
  proto::GameOver black_over;
};

// One whole game by random legal hops; both players must get GameOver.
PlayedGame play_game(uint16_t port, const std::string& a, const std::string& b, uint32_t seed) {
  auto p = login_pair(port, a, b);
  GameDriver driver(p.black, p.white);
  const GameReport rep = driver.play(random_strategy(seed));
  REQUIRE(rep.finished);
  REQUIRE(rep.over[0]);
  REQUIRE(rep.over[1]);
  return PlayedGame{p.white_start.opponent_name.str(), p.black_start.opponent_name.str(),
                    *rep.over[0]};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Replays the exported text with the game library and returns the final position.
game::Position replay(const std::string& pdn_text) {
  std::string error;
  const auto pdn = game::parse_pdn(pdn_text, error);
  INFO(error << "\n" << pdn_text);
  REQUIRE(pdn);
  const auto final = game::replay_pdn(*pdn, error);
  INFO(error);
  REQUIRE(final);
  return *final;
}

// Players of different ratings are paired at once (the same pairs play again too).
ServerProcess::Options any_pairing() {
  ServerProcess::Options o;
  o.extra_args = {"--match-gap", "100000"};
  return o;
}

}  // namespace

TEST_CASE("a finished game is on disk when GameOver arrives; kill -9 loses nothing",
          "[server][records]") {
  ServerProcess srv;
  const PlayedGame g = play_game(srv.port(), "rec-a", "rec-b", 11);
  srv.kill(SIGKILL);  // no clean shutdown: the record must already be on disk
  REQUIRE(srv.wait_exit(5s));

  const RunResult list = srv.run_admin({"game", "list"});
  INFO(list.out << list.err);
  REQUIRE(list.exit_code == 0);
  const auto rows = lines_of(list.out);
  REQUIRE(rows.size() == 2);  // header + one game
  CHECK(rows[1].find(" 1  ") != std::string::npos);
  CHECK(rows[1].find(g.black) != std::string::npos);
  CHECK(rows[1].find(g.white) < std::string::npos);
  CHECK(rows[1].find(g.black) < rows[1].find(g.white));  // Black first

  const RunResult exported = srv.run_admin({"game", "export", "1"});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  const std::string& pdn = exported.out;
  CHECK(pdn.find("[Black \"" + g.black + "\"]") != std::string::npos);
  CHECK(pdn.find("[White \"" + g.white + "\"]") != std::string::npos);
  CHECK(pdn.find("[GameType \"21\"]") != std::string::npos);
  const char* result = g.black_over.you_won ? "1-0" : "0-1";
  CHECK(pdn.find(std::string("[Result \"") + result + "\"]") != std::string::npos);
  // The moves lead to exactly the board both players were shown at the end.
  CHECK(board_for(replay(pdn), game::Color::Black) == g.black_over.board);

  // checkers-engine replays the file move by move.
  TempDir tmp;
  const auto file = tmp / "game1.pdn";
  std::ofstream(file) << pdn;
  const RunResult r = run_command({(bin_dir() / "checkers-engine").string(), "replay", file});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("all legal; result " + std::string(result)) != std::string::npos);

  // Records and ratings come back together after the crash.
  srv.start();
  ProtocolClient c(srv.port());
  CHECK(c.login(g.black, "pw").rating == g.black_over.new_rating);
}

TEST_CASE("game list --user and export --all, beside the running server", "[server][records]") {
  ServerProcess srv(any_pairing());
  const PlayedGame g1 = play_game(srv.port(), "ann", "bob", 1);
  const PlayedGame g2 = play_game(srv.port(), "cat", "dan", 2);
  const PlayedGame g3 = play_game(srv.port(), "ann", "cat", 3);
  REQUIRE(srv.running());

  const RunResult ann = srv.run_admin({"game", "list", "--user", "ann"});
  REQUIRE(ann.exit_code == 0);
  const auto rows = lines_of(ann.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].find("bob") != std::string::npos);
  CHECK(rows[2].find("cat") != std::string::npos);
  CHECK(ann.out.find("dan") == std::string::npos);

  const RunResult all = srv.run_admin({"game", "export", "--all"});
  REQUIRE(all.exit_code == 0);
  // A PDN database: one game per [Event] block, in id order.
  std::vector<std::string> games;
  for (size_t at = all.out.find("[Event"); at != std::string::npos;) {
    const size_t next = all.out.find("[Event", at + 1);
    games.push_back(all.out.substr(at, next == std::string::npos ? next : next - at));
    at = next;
  }
  REQUIRE(games.size() == 3);
  const PlayedGame* played[] = {&g1, &g2, &g3};
  for (size_t i = 0; i < games.size(); ++i) {
    CHECK(games[i].find("[Round \"" + std::to_string(i + 1) + "\"]") != std::string::npos);
    CHECK(board_for(replay(games[i]), game::Color::Black) == played[i]->black_over.board);
  }

  const RunResult some = srv.run_admin({"game", "export", "--all", "--user", "dan"});
  CHECK(some.out.find("[Black \"") == some.out.rfind("[Black \""));  // exactly one game
  CHECK(some.out.find("dan") != std::string::npos);

  const RunResult missing = srv.run_admin({"game", "export", "99"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no game with id 99") != std::string::npos);
  const RunResult neither = srv.run_admin({"game", "export"});
  CHECK(neither.exit_code == 2);
  CHECK(neither.err.find("ID or --all") != std::string::npos);
}

TEST_CASE("a damaged games log is refused naming the file and offset; a torn tail is cut",
          "[server][records]") {
  ServerProcess srv(any_pairing());
  play_game(srv.port(), "dam-a", "dam-b", 5);
  play_game(srv.port(), "dam-a", "dam-b", 6);
  srv.stop();
  const auto log_path = srv.data_dir() / "games.log";
  std::string bytes;
  {
    std::ifstream in(log_path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // The second record starts where the first ends: header 24 + 9 + first payload.
  const uint32_t first_len =
      static_cast<uint8_t>(bytes[24]) | static_cast<uint32_t>(static_cast<uint8_t>(bytes[25])) << 8;
  const size_t second = 24 + 9 + first_len;
  REQUIRE(second < bytes.size());

  SECTION("a flipped byte inside the first record, with more data after it") {
    std::string bad = bytes;
    bad[24 + 20] ^= 0x40;
    std::ofstream(log_path, std::ios::binary | std::ios::trunc) << bad;
    ServerProcess::Options o = any_pairing();
    o.data_dir = srv.data_dir();
    o.start = false;
    ServerProcess again(o);
    CHECK_THROWS(again.start());
    CHECK(again.log_contains("games.log is corrupt at byte offset 24"));
    const RunResult list = again.run_admin({"game", "list"});
    CHECK(list.exit_code == 1);
    CHECK(list.err.find("games.log is corrupt at byte offset 24") != std::string::npos);
  }
  SECTION("the last record cut short: discarded with a warning, the first game kept") {
    std::ofstream(log_path, std::ios::binary | std::ios::trunc)
        << bytes.substr(0, bytes.size() - 7);
    srv.start();
    CHECK(srv.log_contains("discarding a torn last record in"));
    const RunResult list = srv.run_admin({"game", "list"});
    CHECK(lines_of(list.out).size() == 2);
    // The next game continues after the intact record.
    play_game(srv.port(), "dam-a", "dam-b", 7);
    const RunResult after = srv.run_admin({"game", "list"});
    CHECK(lines_of(after.out).size() == 3);
  }
}

TEST_CASE("a v2 player fetches its own games: RecordEntry then every whole move",
          "[server][records][v2]") {
  ServerProcess srv;
  const PlayedGame g = play_game(srv.port(), "fetch-a", "fetch-b", 21);
  ProtocolClient c(srv.port());
  c.login_v2(g.black, "pw");
  c.send(proto::FetchGames{5});
  const auto entry = c.expect_v2<proto::RecordEntry>();
  CHECK(entry.index == 1);
  CHECK(entry.count == 1);
  CHECK(entry.record_id == 1);
  CHECK(entry.colour == proto::Colour::Primary);
  CHECK(entry.opponent_name.str() == g.white);
  CHECK(entry.winner == (g.black_over.you_won ? proto::Winner::Primary : proto::Winner::Secondary));
  CHECK(entry.own_old == 1500);
  CHECK(entry.own_new == g.black_over.new_rating);
  CHECK(entry.clock_kind == proto::ClockKind::PerMove);  // a v1 game: the per-move limit
  REQUIRE(entry.plies > 0);
  // The whole moves, in order, replay to the board the players got at the end.
  game::Position pos = game::Position::start();
  for (uint16_t ply = 1; ply <= entry.plies; ++ply) {
    const auto move = c.expect_v2<proto::RecordMove>();
    CHECK(move.record_id == 1);
    REQUIRE(move.ply == ply);
    game::MoveList legal;
    game::generate_moves(pos, legal);
    bool found = false;
    for (const game::Move& m : legal) {
      if (m.length() != move.path.count) continue;
      bool same = true;
      for (int i = 0; i < m.length(); ++i) {
        const game::Square s = game::square_of_index(m.index(i));
        same = same && s.x == move.path.x(static_cast<size_t>(i)) &&
               s.y == move.path.y(static_cast<size_t>(i));
      }
      if (!same) continue;
      pos = game::play(pos, m);
      found = true;
      break;
    }
    INFO("ply " << ply << ": " << move.path.to_string());
    REQUIRE(found);
  }
  CHECK(board_for(pos, game::Color::Black) == g.black_over.board);
  // Nobody else's games: a player without any gets one empty entry.
  ProtocolClient other(srv.port());
  other.login_v2("fetch-none", "pw");
  other.send(proto::FetchGames{5});
  CHECK(other.expect_v2<proto::RecordEntry>().count == 0);
}
