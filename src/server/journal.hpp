// File-level I/O of the store: whole-file reads, crash-safe file
// replacement (temp file, fsync, rename, fsync dir) and the JournalWriter,
// which performs queued journal appends and compactions in order, from any
// thread, and remembers failures so the store can recover with a snapshot.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "reactor/fd.hpp"

namespace checkers::server::journal {

inline constexpr const char* kJournalFile = "accounts.journal";
inline constexpr const char* kSnapshotFile = "accounts.snap";
inline constexpr const char* kLockFile = "LOCK";
inline constexpr const char* kGamesFile = "games.log";

// nullopt if the file does not exist; throws StoreError on other errors.
std::optional<std::string> read_file(const std::filesystem::path& path);
// Writes `bytes` to <path>.tmp, fsyncs it, renames it over `path` and fsyncs
// the directory. Returns the open fd of the new file (positioned anywhere).
// Throws std::system_error naming the step that failed.
reactor::UniqueFd replace_file(const std::filesystem::path& path, std::string_view bytes);
void fsync_dir(const std::filesystem::path& dir);
// pwrite until done (EINTR-safe); throws std::system_error.
void write_at(int fd, std::string_view bytes, uint64_t offset, const std::filesystem::path& path);

class JournalWriter {
 public:
  // What a failed append leaves behind (the partial write is always cut off).
  enum class OnFailure {
    // The writer is broken until a snapshot succeeds: records depend on the ones
    // before them (the account journal), so a gap would make later ones lie.
    break_until_snapshot,
    // The failed records are put back in front of the queue and written by the next
    // drain: each record stands alone (the games log).
    retry,
  };

  // fd: the open journal `file` (in `dir`) whose intact contents end at `size`.
  JournalWriter(std::filesystem::path dir, reactor::UniqueFd fd, uint64_t size,
                std::string file = kJournalFile,
                OnFailure on_failure = OnFailure::break_until_snapshot);

  // Queue operations; cheap, any thread. They are performed, in queue
  // order, by the next drain().
  void enqueue_append(std::string records);
  void enqueue_snapshot(std::string snapshot, uint64_t generation);

  // Performs everything queued: appends are written at the end of the
  // journal and fdatasync'ed once; a snapshot replaces accounts.snap and
  // starts a fresh journal of its generation. Thread-safe (one drain at a
  // time). Returns false if anything failed; then, by OnFailure, the writer
  // is broken (appends refused until a snapshot succeeds) or the failed
  // appends wait in the queue for the next drain.
  bool drain();

  bool broken() const { return broken_.load(); }
  std::string last_error() const;
  uint64_t fsyncs() const { return fsyncs_.load(); }

 private:
  struct Item {
    std::string bytes;
    std::optional<uint64_t> snapshot_generation;
  };
  void fail(const std::string& what);
  void set_error(const std::string& what);
  void write_snapshot(const Item& item);

  const std::filesystem::path dir_;
  const std::string file_;
  const OnFailure on_failure_;
  std::mutex io_mutex_;  // held for a whole drain: one writer at a time
  reactor::UniqueFd fd_;
  uint64_t size_;

  mutable std::mutex queue_mutex_;
  std::vector<Item> queue_;
  std::string last_error_;

  std::atomic<bool> broken_{false};
  std::atomic<uint64_t> fsyncs_{0};
};

}  // namespace checkers::server::journal
