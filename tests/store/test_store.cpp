// The on-disk account store: round trips, recovery from torn writes and
// crashes at every byte, refusal on corruption, compaction, the data-dir lock.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "log_capture.hpp"
#include "server/journal.hpp"
#include "server/journal_codec.hpp"
#include "server/store.hpp"
#include "temp_dir.hpp"

using namespace checkers::server;
using checkers::test::LogCapture;
using checkers::test::slurp;
using checkers::test::spit;
using checkers::test::TempDir;
namespace fs = std::filesystem;

namespace {

Account make_account(const std::string& name, int64_t created = 1700000000) {
  Account a;
  a.name = name;
  a.password_hash = "$y$j9T$salt$hash-of-" + name;
  a.created = created;
  return a;
}

fs::path journal_path(const fs::path& dir) { return dir / journal::kJournalFile; }

// Offset of the last record in the journal.
uint64_t last_record_offset(const fs::path& dir) {
  const std::string bytes = slurp(journal_path(dir));
  const auto scan = journal::scan_records(bytes, journal::kFileHeaderSize);
  REQUIRE(!scan.records.empty());
  return scan.records.back().offset;
}

void copy_dir(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from))
    fs::copy_file(e.path(), to / e.path().filename());
}

}  // namespace

TEST_CASE("store: accounts survive close and reopen", "[store]") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "var";  // created on demand
  {
    auto store = AccountStore::open(dir);
    CHECK(store->size() == 0);
    CHECK(store->create_account(make_account("bob")));
    CHECK(store->create_account(make_account("alice")));
    CHECK_FALSE(store->create_account(make_account("alice")));
    CHECK(store->set_password_hash("bob", "$y$new"));
    CHECK_FALSE(store->set_password_hash("nobody", "$y$x"));
    store->touch("alice", 1700000500);
    CHECK_THROWS_AS(store->create_account(make_account(std::string(17, 'x'))),
                    std::invalid_argument);
    CHECK_THROWS_AS(store->create_account(make_account("")), std::invalid_argument);
    store->sync();
    CHECK_FALSE(store->has_pending());
  }
  auto store = AccountStore::open(dir);
  REQUIRE(store->size() == 2);
  const auto all = store->list();
  CHECK(all[0].name == "alice");
  CHECK(all[1].name == "bob");
  CHECK(store->find("bob")->password_hash == "$y$new");
  CHECK(store->find("alice")->last_seen == 1700000500);
  CHECK(store->find("alice")->created == 1700000000);
  CHECK(store->find("alice")->glicko == Glicko{});
  CHECK(store->find("carol") == nullptr);
  CHECK(store->remove_account("bob"));
  CHECK_FALSE(store->remove_account("bob"));
  store.reset();  // the destructor writes what is pending
  CHECK(AccountStore::open(dir)->find("bob") == nullptr);
  CHECK(AccountStore::open(dir)->size() == 1);
}

TEST_CASE("store: record_game persists ratings, counters and the game log", "[store]") {
  TempDir tmp;
  GameRecord first, second;
  {
    auto store = AccountStore::open(tmp.path());
    store->create_account(make_account("alice"));
    store->create_account(make_account("bob"));
    first = store->finish_game("alice", "bob", 1.0, "no-moves", 1700000100);
    second = store->finish_game("alice", "bob", 0.5, "repetition", 1700000200);
    CHECK(first.a_before == Glicko{});
    CHECK(first.a_after.rating > 1500);
    CHECK(second.a_before == first.a_after);
    CHECK(store->find("alice")->glicko == second.a_after);
    store->sync();
  }
  auto store = AccountStore::open(tmp.path());
  const Account& a = *store->find("alice");
  const Account& b = *store->find("bob");
  CHECK(a.glicko == second.a_after);
  CHECK(b.glicko == second.b_after);
  CHECK(a.games == 2);
  CHECK(a.wins == 1);
  CHECK(a.draws == 1);
  CHECK(a.losses == 0);
  CHECK(b.losses == 1);
  CHECK(b.draws == 1);
  CHECK(a.last_seen == 1700000200);
  REQUIRE(store->recent_games().size() == 2);
  CHECK(store->recent_games()[0] == first);
  CHECK(store->recent_games()[1] == second);
}

TEST_CASE("store: a torn last record is discarded with a warning, the rest kept", "[store]") {
  TempDir tmp;
  {
    auto store = AccountStore::open(tmp.path());
    store->create_account(make_account("alice"));
    store->create_account(make_account("bob"));
    store->sync();
  }
  const uint64_t last = last_record_offset(tmp.path());
  const std::string full = slurp(journal_path(tmp.path()));
  spit(journal_path(tmp.path()), full.substr(0, full.size() - 3));
  {
    LogCapture log;
    auto store = AccountStore::open(tmp.path());
    CHECK(store->find("alice") != nullptr);
    CHECK(store->find("bob") == nullptr);
    CHECK_THAT(log.text(), Catch::Contains("torn last record") &&
                               Catch::Contains(std::to_string(last)) && Catch::Contains("warning"));
    CHECK(fs::file_size(journal_path(tmp.path())) == last);  // cut off
    store->create_account(make_account("carol"));
    store->sync();
  }
  auto store = AccountStore::open(tmp.path());
  CHECK(store->size() == 2);
  CHECK(store->find("carol") != nullptr);
}

TEST_CASE("store: corruption before the end refuses to open, naming file and offset", "[store]") {
  TempDir tmp;
  {
    auto store = AccountStore::open(tmp.path());
    for (const char* n : {"alice", "bob", "carol"}) store->create_account(make_account(n));
    store->sync();
  }
  const std::string bytes = slurp(journal_path(tmp.path()));
  const auto scan = journal::scan_records(bytes, journal::kFileHeaderSize);
  const uint64_t second = scan.records[1].offset;
  std::string damaged = bytes;
  damaged[second + 8] ^= 0x20;
  spit(journal_path(tmp.path()), damaged);
  try {
    AccountStore::open(tmp.path());
    FAIL("opened a corrupt store");
  } catch (const StoreError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains(journal_path(tmp.path()).string()));
    CHECK_THAT(msg, Catch::Contains("offset " + std::to_string(second)));
  }
  CHECK(slurp(journal_path(tmp.path())) == damaged);  // nothing was "repaired" away

  SECTION("a damaged file header is refused at offset 0") {
    std::string bad = bytes;
    bad[0] = 'X';
    spit(journal_path(tmp.path()), bad);
    CHECK_THROWS_WITH(AccountStore::open(tmp.path()), Catch::Contains("offset 0"));
  }
}

TEST_CASE("store: crash at every byte of the last record recovers all or nothing of it",
          "[store]") {
  TempDir tmp;
  const fs::path base = tmp.path() / "base";
  GameRecord game;
  {
    auto store = AccountStore::open(base);
    store->create_account(make_account("alice"));
    store->create_account(make_account("bob"));
    store->sync();
    game = store->finish_game("alice", "bob", 0.0, "timeout", 1700000300);
    store->sync();
  }
  const uint64_t last = last_record_offset(base);
  const std::string full = slurp(journal_path(base));
  for (uint64_t cut = last; cut <= full.size(); ++cut) {
    INFO("journal cut at byte " << cut << " of " << full.size());
    const fs::path dir = tmp.path() / ("cut" + std::to_string(cut));
    copy_dir(base, dir);
    spit(journal_path(dir), full.substr(0, cut));
    LogCapture quiet;
    auto store = AccountStore::open(dir);
    const Account& a = *store->find("alice");
    if (cut == full.size()) {
      CHECK(a.games == 1);
      CHECK(a.glicko == game.a_after);
      CHECK(store->recent_games().size() == 1);
    } else {
      CHECK(a.games == 0);
      CHECK(a.glicko == Glicko{});
      CHECK(store->recent_games().empty());
    }
    CHECK(store->find("bob") != nullptr);
    store.reset();
    fs::remove_all(dir);
  }
}

TEST_CASE("store: compaction keeps everything, also across a crash between its renames",
          "[store]") {
  TempDir tmp;
  StoreOptions options;
  options.compact_min_bytes = 2048;
  options.game_history = 5;
  std::vector<GameRecord> games;
  {
    auto store = AccountStore::open(tmp.path(), options);
    for (int i = 0; i < 20; ++i) store->create_account(make_account("p" + std::to_string(i)));
    store->sync();
    for (int i = 0; i < 40; ++i) {
      games.push_back(store->finish_game("p" + std::to_string(i % 20),
                                         "p" + std::to_string((i + 1) % 20), i % 3 == 0 ? 0.5 : 1.0,
                                         "test", 1700000000 + i));
      store->sync();
    }
    CHECK(store->generation() > 0);  // compacted automatically
    CHECK(fs::exists(tmp.path() / journal::kSnapshotFile));
    CHECK(store->journal_bytes() < 4 * fs::file_size(tmp.path() / journal::kSnapshotFile) + 1024);
  }
  auto check = [&](AccountStore& s) {
    CHECK(s.size() == 20);
    CHECK(s.find("p0")->games == 4);
    CHECK(s.find("p0")->glicko == games[39].b_after);  // game 39 is p19 vs p0
    REQUIRE(s.recent_games().size() == 5);
    CHECK(s.recent_games().back() == games.back());
    CHECK(s.recent_games().front() == games[35]);
  };
  {
    auto store = AccountStore::open(tmp.path(), options);
    check(*store);
  }
  // Crash after the snapshot rename but before the fresh journal's rename:
  // the old journal (older generation) must be ignored, not replayed twice.
  const std::string old_journal = slurp(journal_path(tmp.path()));
  {
    auto store = AccountStore::open(tmp.path(), options);
    store->compact();
  }
  spit(journal_path(tmp.path()), old_journal);
  spit(tmp.path() / "accounts.journal.tmp", "leftover garbage");
  LogCapture log;
  auto store = AccountStore::open(tmp.path(), options);
  check(*store);
}

TEST_CASE("store: a journal newer than the snapshot or a damaged snapshot refuses", "[store]") {
  TempDir tmp;
  {
    auto store = AccountStore::open(tmp.path());
    store->create_account(make_account("alice"));
    store->compact();
    store->create_account(make_account("bob"));
    store->sync();
  }
  const fs::path snap = tmp.path() / journal::kSnapshotFile;
  const std::string snapshot = slurp(snap);
  SECTION("snapshot removed") {
    fs::remove(snap);
    CHECK_THROWS_WITH(AccountStore::open(tmp.path()), Catch::Contains("generation"));
  }
  SECTION("snapshot truncated") {
    spit(snap, snapshot.substr(0, snapshot.size() - 1));
    CHECK_THROWS_WITH(AccountStore::open(tmp.path()), Catch::Contains(snap.string()));
  }
  SECTION("snapshot intact") {
    auto store = AccountStore::open(tmp.path());
    CHECK(store->size() == 2);
  }
}

TEST_CASE("store: the data-dir lock keeps a second writer out", "[store]") {
  TempDir tmp;
  auto first = AccountStore::open(tmp.path());
  first->create_account(make_account("alice"));
  first->sync();
  try {
    AccountStore::open(tmp.path());
    FAIL("second open succeeded");
  } catch (const StoreLockedError& e) {
    CHECK(e.pid() == ::getpid());
    CHECK(std::string(e.what()) == "checkers-server is running on this data dir (pid " +
                                       std::to_string(::getpid()) + "); stop it first");
  }
  // A read-only view works alongside and refuses to write.
  auto view = AccountStore::open(tmp.path(), false);
  CHECK(view->read_only());
  CHECK(view->find("alice") != nullptr);
  CHECK_THROWS_AS(view->create_account(make_account("bob")), StoreError);
  first.reset();
  CHECK_NOTHROW(AccountStore::open(tmp.path()));
}
