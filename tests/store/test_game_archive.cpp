// The games log (games.log) through the account store: round trips and ids across reopen,
// a crash at every byte of the last record, refusal of corruption naming file and offset,
// and a write failure that is retried by the next group commit (nothing lost).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>

#include "disk_limits.hpp"
#include "log_capture.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/work_queue.hpp"
#include "server/game_records.hpp"
#include "server/journal.hpp"
#include "server/journal_codec.hpp"
#include "server/store.hpp"
#include "temp_dir.hpp"

using namespace checkers;
using namespace checkers::server;
using checkers::test::FileSizeLimit;
using checkers::test::LogCapture;
using checkers::test::make_account;
using checkers::test::run_until;
using checkers::test::slurp;
using checkers::test::spit;
using checkers::test::TempDir;
namespace fs = std::filesystem;

namespace {

// Rates and archives one game the way the server does; returns its id.
uint64_t finish(AccountStore& store, const std::string& black, const std::string& white,
                double score_black, std::vector<std::string> moves) {
  const GameRecord rec = store.finish_game(black, white, score_black, "no-legal-move", 1700000600);
  ArchivedGame g;
  g.started = 1700000000;
  g.result = rec;
  g.moves = std::move(moves);
  return store.archive_game(std::move(g));
}

std::unique_ptr<AccountStore> two_players(const fs::path& dir) {
  auto store = AccountStore::open(dir);
  store->create_account(make_account("alice"));
  store->create_account(make_account("bob"));
  store->sync();
  return store;
}

fs::path games_path(const fs::path& dir) { return dir / journal::kGamesFile; }

}  // namespace

TEST_CASE("games log: games come back after reopen, ids go on", "[store][games]") {
  TempDir tmp;
  {
    auto store = two_players(tmp.path());
    CHECK(finish(*store, "alice", "bob", 1.0, {"11-15", "23-19"}) == 1);
    CHECK(finish(*store, "bob", "alice", 0.5, {"9-13"}) == 2);
    store->sync();
  }
  {
    auto store = AccountStore::open(tmp.path());
    REQUIRE(store->archive().recent().size() == 2);
    CHECK(store->archive().recent()[0].id == 1);
    CHECK(store->archive().recent()[0].moves == std::vector<std::string>{"11-15", "23-19"});
    CHECK(store->archive().recent()[1].result.a == "bob");
    CHECK(store->archive().recent()[1].result.score_a == 0.5);
    CHECK(store->find("alice")->games == 2);
    CHECK(finish(*store, "alice", "bob", 0.0, {}) == 3);
    store->sync();
  }
  const auto all = read_game_archive(tmp.path());
  REQUIRE(all.size() == 3);
  CHECK(all[2].id == 3);
  CHECK(all[2].result.a_after == AccountStore::open(tmp.path(), false)->find("alice")->glicko);
}

TEST_CASE("games log: a crash at every byte of the last record keeps it whole or not at all",
          "[store][games]") {
  TempDir tmp;
  const fs::path base = tmp.path() / "base";
  {
    auto store = two_players(base);
    finish(*store, "alice", "bob", 1.0, {"11-15"});
    store->sync();
    finish(*store, "bob", "alice", 1.0, {"9-13", "22-18", "13-17"});
    store->sync();
  }
  const std::string full = slurp(games_path(base));
  const auto scan = journal::scan_records(full, journal::kFileHeaderSize);
  REQUIRE(scan.records.size() == 2);
  const uint64_t last = scan.records.back().offset;
  for (uint64_t cut = last; cut <= full.size(); ++cut) {
    INFO("games.log cut at byte " << cut << " of " << full.size());
    const fs::path dir = tmp.path() / ("cut" + std::to_string(cut));
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(base))
      fs::copy_file(e.path(), dir / e.path().filename());
    spit(games_path(dir), full.substr(0, cut));
    LogCapture quiet;
    {
      auto store = AccountStore::open(dir);
      const auto& games = store->archive().recent();
      REQUIRE(games.size() == (cut == full.size() ? 2u : 1u));
      CHECK(games[0].moves == std::vector<std::string>{"11-15"});
      if (cut < full.size()) CHECK(fs::file_size(games_path(dir)) == last);  // tail cut off
      CHECK(finish(*store, "alice", "bob", 0.5, {"10-14"}) == games.back().id + 1);
      store->sync();
    }
    CHECK(read_game_archive(dir).back().moves == std::vector<std::string>{"10-14"});
    fs::remove_all(dir);
  }
}

TEST_CASE("games log: damage before the end refuses to open, naming file and offset",
          "[store][games]") {
  TempDir tmp;
  {
    auto store = two_players(tmp.path());
    finish(*store, "alice", "bob", 1.0, {"11-15"});
    finish(*store, "alice", "bob", 1.0, {"11-16"});
    store->sync();
  }
  const std::string good = slurp(games_path(tmp.path()));
  std::string bad = good;
  bad[journal::kFileHeaderSize + 12] ^= 0x01;  // inside the first record's payload
  spit(games_path(tmp.path()), bad);
  CHECK_THROWS_WITH(AccountStore::open(tmp.path()),
                    Catch::Contains("games.log is corrupt at byte offset 24"));
  CHECK_THROWS_WITH(read_game_archive(tmp.path()), Catch::Contains("byte offset 24"));
  bad = good;
  bad[3] = 'X';  // the header's magic
  spit(games_path(tmp.path()), bad);
  CHECK_THROWS_WITH(AccountStore::open(tmp.path()), Catch::Contains("byte offset 0"));
}

TEST_CASE("games log: a refused write fails the commit, the next commit writes the game",
          "[store][games][group_commit]") {
  TempDir tmp;
  reactor::EventLoop loop;
  reactor::WorkQueue work(loop);
  auto store = two_players(tmp.path());
  const auto header_size = fs::file_size(games_path(tmp.path()));
  LogCapture log;
  GroupCommitter committer(loop, work, *store);
  int result = -1;
  {
    FileSizeLimit limit(header_size + 10);  // no record fits
    loop.post([&] {
      finish(*store, "alice", "bob", 1.0, {"11-15", "22-18"});
      committer.commit([&](bool ok) { result = ok ? 1 : 0; });
    });
    REQUIRE(run_until(loop, [&] { return result != -1; }));
  }
  CHECK(result == 0);
  CHECK_THAT(log.text(), Catch::Contains("games.log failed") && Catch::Contains("will retry"));
  CHECK(fs::file_size(games_path(tmp.path())) == header_size);  // the partial record cut off

  result = -1;
  loop.post([&] { committer.commit([&](bool ok) { result = ok ? 1 : 0; }); });
  REQUIRE(run_until(loop, [&] { return result != -1; }));
  CHECK(result == 1);
  const auto games = read_game_archive(tmp.path());
  REQUIRE(games.size() == 1);
  CHECK(games[0].moves == std::vector<std::string>{"11-15", "22-18"});
}
