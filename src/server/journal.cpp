// Journal and snapshot file I/O. Every durable step is write + fsync; every
// file replacement is temp file + fsync + rename + fsync of the directory,
// so a crash leaves either the old or the new file, never a mix.
#include "server/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

#include "server/journal_codec.hpp"
#include "server/store.hpp"

namespace checkers::server::journal {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
  throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

}  // namespace

std::optional<std::string> read_file(const std::filesystem::path& path) {
  reactor::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw StoreError("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  std::string data;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      throw StoreError("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

void write_at(int fd, std::string_view bytes, uint64_t offset, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write", path);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
}

void fsync_dir(const std::filesystem::path& dir) {
  reactor::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("open directory", dir);
  if (::fsync(fd.get()) != 0) throw_errno("fsync directory", dir);
}

reactor::UniqueFd replace_file(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  // 0600: the files hold password hashes.
  reactor::UniqueFd fd(::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) throw_errno("create", tmp);
  write_at(fd.get(), bytes, 0, tmp);
  if (::fsync(fd.get()) != 0) throw_errno("fsync", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw_errno("rename to " + path.string() + ":", tmp);
  fsync_dir(path.parent_path());
  return fd;
}

JournalWriter::JournalWriter(std::filesystem::path dir, reactor::UniqueFd fd, uint64_t size,
                             std::string file, OnFailure on_failure)
    : dir_(std::move(dir)),
      file_(std::move(file)),
      on_failure_(on_failure),
      fd_(std::move(fd)),
      size_(size) {}

void JournalWriter::enqueue_append(std::string records) {
  std::lock_guard lock(queue_mutex_);
  queue_.push_back({std::move(records), std::nullopt});
}

void JournalWriter::enqueue_snapshot(std::string snapshot, uint64_t generation) {
  std::lock_guard lock(queue_mutex_);
  queue_.push_back({std::move(snapshot), generation});
}

std::string JournalWriter::last_error() const {
  std::lock_guard lock(queue_mutex_);
  return last_error_;
}

void JournalWriter::fail(const std::string& what) {
  spdlog::error("store: {} (journal writes suspended until a full snapshot succeeds)", what);
  {
    std::lock_guard lock(queue_mutex_);
    last_error_ = what;
  }
  broken_ = true;
}

void JournalWriter::write_snapshot(const Item& item) {
  replace_file(dir_ / kSnapshotFile, item.bytes);
  // Crash here: the snapshot's generation is newer than the old journal's,
  // so recovery ignores that journal (its records are all in the snapshot).
  reactor::UniqueFd fresh = replace_file(
      dir_ / kJournalFile, encode_file_header(FileKind::journal, *item.snapshot_generation));
  fd_ = std::move(fresh);
  size_ = kFileHeaderSize;
}

void JournalWriter::set_error(const std::string& what) {
  std::lock_guard lock(queue_mutex_);
  last_error_ = what;
}

bool JournalWriter::drain() {
  std::lock_guard io(io_mutex_);
  std::vector<Item> items;
  {
    std::lock_guard lock(queue_mutex_);
    items.swap(queue_);
  }
  bool ok = true;
  bool dirty = false;
  const std::filesystem::path journal_path = dir_ / file_;
  const uint64_t start_size = size_;
  std::vector<Item> written;  // OnFailure::retry: appended, not yet synced
  std::vector<Item> retry;    // OnFailure::retry: back to the queue, in order
  const auto cut_to = [&](uint64_t size) {
    // Cut off a partial record so later appends do not follow garbage.
    if (::ftruncate(fd_.get(), static_cast<off_t>(size)) != 0) {
      spdlog::error("store: cannot truncate {} after a failed write: {}", journal_path.string(),
                    std::strerror(errno));
    }
  };
  for (Item& item : items) {
    if (!retry.empty()) {  // keep the order: everything after a failed append waits too
      retry.push_back(std::move(item));
      continue;
    }
    if (item.snapshot_generation) {
      try {
        write_snapshot(item);
        broken_ = false;
        dirty = false;  // the snapshot's fsyncs cover the appends before it
      } catch (const std::system_error& e) {
        fail(std::string("compaction failed: ") + e.what());
        ok = false;
      }
      continue;
    }
    if (broken_) {
      ok = false;
      continue;
    }
    try {
      write_at(fd_.get(), item.bytes, size_, journal_path);
      size_ += item.bytes.size();
      dirty = true;
      if (on_failure_ == OnFailure::retry) written.push_back(std::move(item));
    } catch (const std::system_error& e) {
      cut_to(size_);
      ok = false;
      if (on_failure_ == OnFailure::retry) {
        spdlog::error("store: append to {} failed: {} (will retry)", journal_path.string(),
                      e.what());
        set_error(std::string("append failed: ") + e.what());
        retry.push_back(std::move(item));
      } else {
        fail(std::string("journal append failed: ") + e.what());
      }
    }
  }
  if (dirty && !broken_) {
    if (::fdatasync(fd_.get()) != 0) {
      const std::string why =
          "fdatasync " + journal_path.string() + " failed: " + std::strerror(errno);
      ok = false;
      if (on_failure_ == OnFailure::retry) {
        // After a failed fsync the page cache cannot be trusted: cut this drain's
        // appends off and write them again next time.
        spdlog::error("store: {} (will retry)", why);
        set_error(why);
        cut_to(start_size);
        size_ = start_size;
        retry.insert(retry.begin(), std::make_move_iterator(written.begin()),
                     std::make_move_iterator(written.end()));
      } else {
        fail(why);
      }
    }
    fsyncs_.fetch_add(1);
  }
  if (!retry.empty()) {
    std::lock_guard lock(queue_mutex_);
    queue_.insert(queue_.begin(), std::make_move_iterator(retry.begin()),
                  std::make_move_iterator(retry.end()));
  }
  return ok && !broken_;
}

}  // namespace checkers::server::journal
