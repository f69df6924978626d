// GroupCommitter on a real EventLoop and work queue: one write+fsync per loop
// iteration's commits, callbacks on the loop thread, and a real write failure
// (RLIMIT_FSIZE makes the kernel refuse to grow the journal) that is reported
// and then healed by a full snapshot.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "disk_limits.hpp"
#include "log_capture.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/work_queue.hpp"
#include "server/journal.hpp"
#include "server/password.hpp"
#include "server/store.hpp"
#include "temp_dir.hpp"

using namespace checkers;
using namespace checkers::server;
using checkers::test::FileSizeLimit;
using checkers::test::make_account;
using checkers::test::run_until;
using checkers::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("group commit: all commits of one iteration share one write+fsync", "[group_commit]") {
  TempDir tmp;
  reactor::EventLoop loop;
  reactor::WorkQueue work(loop);
  auto store = AccountStore::open(tmp.path());
  const uint64_t fsyncs_before = store->fsyncs();
  int done = 0;
  int failed = 0;
  bool all_on_loop_thread = true;
  const auto loop_thread = std::this_thread::get_id();
  {
    GroupCommitter committer(loop, work, *store);
    loop.post([&] {
      for (int i = 0; i < 100; ++i) {
        store->create_account(make_account("user" + std::to_string(i)));
        committer.commit([&](bool ok) {
          ++done;
          if (!ok) ++failed;
          if (std::this_thread::get_id() != loop_thread) all_on_loop_thread = false;
        });
      }
    });
    REQUIRE(run_until(loop, [&] { return done == 100; }));
    CHECK(failed == 0);
    CHECK(all_on_loop_thread);
    CHECK(committer.batches() == 1);
    CHECK(store->fsyncs() - fsyncs_before == 1);
    CHECK_FALSE(store->has_pending());

    // Commits made while a job is in flight wait for it and form the next batch.
    int second = 0;
    loop.post([&] {
      store->touch("user1", 1700000000);
      committer.commit([&](bool) {
        ++second;
        store->touch("user2", 1700000001);
        committer.commit([&](bool ok) { second += ok ? 10 : 100; });
        committer.commit([&](bool ok) { second += ok ? 10 : 100; });
      });
    });
    REQUIRE(run_until(loop, [&] { return second == 21; }));
    CHECK(committer.batches() == 3);
  }
  store.reset();
  auto reopened = AccountStore::open(tmp.path());
  CHECK(reopened->size() == 100);
  CHECK(reopened->find("user2")->last_seen == 1700000001);
}

TEST_CASE("group commit: a failed write is reported, later healed by a snapshot",
          "[group_commit]") {
  TempDir tmp;
  reactor::EventLoop loop;
  reactor::WorkQueue work(loop);
  auto store = AccountStore::open(tmp.path());
  store->create_account(make_account("alice"));
  store->create_account(make_account("bob"));
  store->sync();
  const fs::path journal_file = tmp.path() / journal::kJournalFile;
  const auto good_size = fs::file_size(journal_file);

  checkers::test::LogCapture log;
  GroupCommitter committer(loop, work, *store);
  int result = -1;
  {
    FileSizeLimit limit(good_size + 20);  // the game record is longer than 20 bytes
    loop.post([&] {
      store->finish_game("alice", "bob", 1.0, "no-moves", 1700000000);
      committer.commit([&](bool ok) { result = ok ? 1 : 0; });
    });
    REQUIRE(run_until(loop, [&] { return result != -1; }));
  }
  CHECK(result == 0);
  CHECK_THAT(log.text(), Catch::Contains("error") && Catch::Contains("journal append failed"));
  CHECK(fs::file_size(journal_file) == good_size);  // the partial record was cut off
  CHECK(store->find("alice")->wins == 1);           // memory still has the result

  // Disk healthy again: the next commit writes a full snapshot.
  result = -1;
  loop.post([&] { committer.commit([&](bool ok) { result = ok ? 1 : 0; }); });
  REQUIRE(run_until(loop, [&] { return result != -1; }));
  CHECK(result == 1);
  CHECK(store->generation() == 1);

  auto view = AccountStore::open(tmp.path(), false);
  CHECK(view->find("alice")->wins == 1);
  CHECK(view->find("bob")->losses == 1);
  CHECK(view->recent_games().size() == 1);
}

TEST_CASE("store: sync() throws when the disk refuses the write", "[store]") {
  TempDir tmp;
  auto store = AccountStore::open(tmp.path());
  store->sync();
  const auto size = fs::file_size(tmp.path() / journal::kJournalFile);
  checkers::test::LogCapture log;
  store->create_account(make_account("alice"));
  {
    FileSizeLimit limit(size);
    CHECK_THROWS_AS(store->sync(), StoreError);
  }
  CHECK_NOTHROW(store->sync());  // snapshot succeeds now
  store.reset();
  CHECK(AccountStore::open(tmp.path())->find("alice") != nullptr);
}

// Figures for docs/reports, not a check: `test_store "[.bench]"`.
TEST_CASE("bench: group-commit latency and hash cost", "[.bench]") {
  TempDir tmp;
  reactor::EventLoop loop;
  reactor::WorkQueue work(loop);
  auto store = AccountStore::open(tmp.path());
  store->create_account(make_account("alice"));
  store->create_account(make_account("bob"));
  store->sync();
  GroupCommitter committer(loop, work, *store);
  const int rounds = 50;
  std::vector<double> ms;
  for (int i = 0; i < rounds; ++i) {
    bool done = false;
    std::chrono::steady_clock::time_point start;
    loop.post([&] {
      store->finish_game("alice", "bob", i % 2 ? 1.0 : 0.0, "bench", 1700000000 + i);
      start = std::chrono::steady_clock::now();
      committer.commit([&](bool) { done = true; });
    });
    REQUIRE(run_until(loop, [&] { return done; }));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  WARN("group commit (write+fdatasync on the work queue, to callback): median "
       << ms[rounds / 2] << " ms, p90 " << ms[rounds * 9 / 10] << " ms");
  for (unsigned long cost : {1ul, 3ul, 5ul}) {
    const auto t0 = std::chrono::steady_clock::now();
    const int n = 5;
    for (int i = 0; i < n; ++i) (void)hash_password("bench", cost);
    const double each =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
        n;
    WARN("hash_password cost " << cost << ": " << each << " ms");
  }
}
