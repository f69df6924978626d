// Exclusive ownership of a data dir: flock(LOCK_EX) on <dir>/LOCK, holding
// the owner's pid for the "stop it first" message. Released on destruction
// (or when the process dies, which is what makes flock better than a pid file).
#pragma once

#include <filesystem>
#include <memory>

#include "reactor/fd.hpp"

namespace checkers::server {

class DataDirLock {
 public:
  // Throws StoreLockedError if another open file description holds the
  // lock (another process, or another store in this one), StoreError if the
  // lock file cannot be created.
  static std::unique_ptr<DataDirLock> acquire(const std::filesystem::path& dir);

  // The pid recorded in <dir>/LOCK, or 0 if unknown.
  static long owner_pid(const std::filesystem::path& dir);

 private:
  explicit DataDirLock(reactor::UniqueFd fd) : fd_(std::move(fd)) {}
  reactor::UniqueFd fd_;
};

}  // namespace checkers::server
