// The crash-safe account store under --data-dir: an in-memory map of accounts
// backed by a snapshot file plus an append-only, checksummed journal
// (see docs/STORE.md for the on-disk format and the recovery rules).
//
// Threading: the AccountStore's in-memory state belongs to one thread (the
// loop thread in the server). Only encoded bytes travel to the work queue,
// where the JournalWriter does the write+fsync. GroupCommitter turns every
// commit() made during one loop iteration into one write+fsync job.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "reactor/event_loop.hpp"
#include "reactor/work_queue.hpp"
#include "server/account.hpp"

namespace checkers::reactor {
class EventLoop;
}  // namespace checkers::reactor

namespace checkers::server {

namespace journal {
class JournalWriter;
}
class DataDirLock;
class GameArchive;
struct ArchivedGame;

// Any failure to open, recover or persist the store. Corruption messages name
// the file and the byte offset of the bad record.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The data dir is locked by another process (normally the running server).
// what() is "checkers-server is running on this data dir (pid N); stop it first".
class StoreLockedError : public StoreError {
 public:
  StoreLockedError(const std::string& message, long pid) : StoreError(message), pid_(pid) {}
  long pid() const { return pid_; }

 private:
  long pid_;
};

struct StoreOptions {
  // Take the exclusive flock on <dir>/LOCK. Without it the store is opened
  // read-only: nothing is created, truncated or written, a torn tail is
  // ignored, and every mutation throws StoreError (used by `user list`
  // while the server runs).
  bool take_lock = true;
  // Compact when the journal exceeds max(compact_min_bytes, 4 x snapshot size).
  uint64_t compact_min_bytes = 1u << 20;
  // How many finished games to keep for audit (in memory and in snapshots).
  std::size_t game_history = 1000;
};

class AccountStore {
 public:
  // Creates `dir` if missing, takes the lock, loads the snapshot, replays
  // the journal (a torn last record is discarded with a warning and cut
  // off). Throws StoreLockedError if another process holds the lock and
  // StoreError on corruption, a read-only or full disk, etc.
  static std::unique_ptr<AccountStore> open(const std::filesystem::path& dir,
                                            bool take_lock = true);
  static std::unique_ptr<AccountStore> open(const std::filesystem::path& dir,
                                            const StoreOptions& options);

  // Writes whatever is still pending (best effort, errors are logged).
  // Destroy any GroupCommitter using this store first.
  ~AccountStore();
  AccountStore(const AccountStore&) = delete;
  AccountStore& operator=(const AccountStore&) = delete;

  // ---- reads ----
  const Account* find(std::string_view name) const;
  std::vector<Account> list() const;  // sorted by name
  std::size_t size() const { return accounts_.size(); }
  // The most recent finished games, oldest first (at most options.game_history).
  const std::deque<GameRecord>& recent_games() const { return games_; }
  // Every finished game's moves and result (games.log; see game_records.hpp).
  const GameArchive& archive() const { return *archive_; }
  const std::filesystem::path& dir() const { return dir_; }
  bool read_only() const { return !writer_; }

  // ---- mutations: applied in memory at once, made durable by sync() or a
  // GroupCommitter. Invalid names throw std::invalid_argument; a read-only
  // store throws StoreError. ----
  // False (and nothing changes) if the name is taken.
  bool create_account(Account account);
  // False if there is no such account.
  bool set_password_hash(std::string_view name, std::string hash);
  bool remove_account(std::string_view name);
  // Stores the game for audit and sets both accounts' Glicko state to the
  // record's *_after values, bumping games and wins/losses/draws. A player
  // whose account no longer exists is skipped.
  void record_game(const GameRecord& game);
  // Convenience: rate the game with rate_game() from the current states,
  // record it and return the record (old and new ratings for GameOver).
  GameRecord finish_game(std::string_view a, std::string_view b, double score_a, std::string reason,
                         int64_t when);
  // Keeps a finished game's moves and result for good (games.log), written in the same
  // commit as the rating change that finish_game() queued. Returns the game's id.
  uint64_t archive_game(ArchivedGame game);
  // last_seen; journalled lazily (goes out with the next commit or sync).
  void touch(std::string_view name, int64_t when);

  // ---- durability ----
  // Writes everything pending (compacting first if due) and fsyncs,
  // synchronously. Throws StoreError on failure. For admin commands, tests
  // and shutdown (after the loop stopped).
  void sync();
  // Synchronous compaction: snapshot to a temp file, fsync, rename, fsync
  // the dir, fresh journal. Throws StoreError on failure.
  void compact();
  bool has_pending() const;
  // Journal bytes written since the last compaction (header included).
  uint64_t journal_bytes() const { return journal_bytes_; }
  uint64_t generation() const { return generation_; }
  // fdatasync calls on the journal so far (snapshots not counted).
  uint64_t fsyncs() const;

  // ---- used by GroupCommitter (loop thread) ----
  // Moves the pending records (and a snapshot when compaction is due, or
  // when an earlier write failed) into the writer's queue. Cheap.
  void stage();
  // Performs the queued writes + fsync (games log first, then the journal);
  // thread-safe, meant for the work queue. False if any write/fsync failed
  // (the store then rewrites a full snapshot on the next stage(); games wait
  // for the next write).
  bool write_staged();

 private:
  AccountStore() = default;
  void load(const StoreOptions& options);
  void append(std::string record);
  void require_writable() const;
  void remember_game(const GameRecord& game);
  void apply_game(const GameRecord& game);
  std::string encode_snapshot(uint64_t generation) const;
  bool compaction_due() const;

  friend class StoreLoader;

  std::filesystem::path dir_;
  StoreOptions options_;
  std::map<std::string, Account, std::less<>> accounts_;
  std::deque<GameRecord> games_;
  std::string pending_;
  uint64_t generation_ = 0;
  uint64_t journal_bytes_ = 0;
  uint64_t snapshot_bytes_ = 0;
  bool force_snapshot_ = false;
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<journal::JournalWriter> writer_;  // null when read-only
  std::unique_ptr<GameArchive> archive_;
};

// Group commit: every commit() made during one loop iteration is served by
// ONE write+fsync job on the work queue; its callbacks then run on the loop
// thread with ok = false if the write or fsync failed. At most one job is in
// flight; commits arriving meanwhile form the next batch, which starts when
// the job completes. Loop thread only.
class GroupCommitter {
 public:
  // Jobs go to work.submit_serial(). Destroy the committer first, then the work queue
  // (which finishes a write in flight), then the store and the loop.
  GroupCommitter(reactor::EventLoop& loop, reactor::WorkQueue& work, AccountStore& store);
  // Drops the callbacks of the batch in flight and of the commits still waiting.
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  void commit(std::function<void(bool ok)> on_durable);

  // Number of write+fsync jobs started so far (for tests and stats).
  uint64_t batches() const { return batches_; }
  bool busy() const { return in_flight_ != 0; }

 private:
  void schedule();
  void start_job();
  void on_job_done(std::vector<std::function<void(bool)>> callbacks, bool ok);

  reactor::EventLoop& loop_;
  reactor::WorkQueue& work_;
  AccountStore& store_;
  std::vector<std::function<void(bool)>> waiting_;
  reactor::TimerId scheduled_ = 0;  // zero-delay: starts the batch once this pass's I/O is done
  reactor::JobId in_flight_ = 0;
  uint64_t batches_ = 0;
};

}  // namespace checkers::server
