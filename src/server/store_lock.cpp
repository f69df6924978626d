// Data-dir lock via flock on <dir>/LOCK.
#include "server/store_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "server/journal.hpp"
#include "server/store.hpp"

namespace checkers::server {

long DataDirLock::owner_pid(const std::filesystem::path& dir) {
  try {
    const auto text = journal::read_file(dir / journal::kLockFile);
    return text ? std::strtol(text->c_str(), nullptr, 10) : 0;
  } catch (const StoreError&) {
    return 0;
  }
}

std::unique_ptr<DataDirLock> DataDirLock::acquire(const std::filesystem::path& dir) {
  const auto path = dir / journal::kLockFile;
  reactor::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) {
    throw StoreError("cannot open " + path.string() + ": " + std::strerror(errno) +
                     " (the data dir must be writable)");
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      const long pid = owner_pid(dir);
      throw StoreLockedError("checkers-server is running on this data dir (pid " +
                                 std::to_string(pid) + "); stop it first",
                             pid);
    }
    throw StoreError("cannot lock " + path.string() + ": " + std::strerror(errno));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
    throw StoreError("cannot write " + path.string() + ": " + std::strerror(errno));
  return std::unique_ptr<DataDirLock>(new DataDirLock(std::move(fd)));
}

}  // namespace checkers::server
