// Buffer: a growable byte buffer for socket I/O (muduo's Buffer).
//
//   +-------------------+------------------+------------------+
//   | prependable bytes |  readable bytes  |  writable bytes  |
//   +-------------------+------------------+------------------+
//   0      <=      reader_index   <=   writer_index    <=   capacity
//
// Consumed space is reclaimed by moving the readable bytes to the front before the
// vector grows, so steady-state reads and writes do not allocate.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkers::reactor {

class Buffer {
 public:
  static constexpr std::size_t kCheapPrepend = 8;
  static constexpr std::size_t kInitialSize = 4096;

  explicit Buffer(std::size_t initial_size = kInitialSize) : bytes_(kCheapPrepend + initial_size) {}

  std::size_t size() const { return writer_ - reader_; }  // readable bytes
  bool empty() const { return writer_ == reader_; }
  std::size_t readable_bytes() const { return size(); }
  std::size_t writable_bytes() const { return bytes_.size() - writer_; }
  std::size_t prependable_bytes() const { return reader_; }
  std::size_t capacity() const { return bytes_.size(); }

  std::span<const std::uint8_t> readable() const { return {bytes_.data() + reader_, size()}; }
  const std::uint8_t* peek() const { return bytes_.data() + reader_; }
  std::string_view view() const { return {reinterpret_cast<const char*>(peek()), size()}; }

  // Consumes n readable bytes (n > size() consumes everything).
  void retrieve(std::size_t n) {
    if (n < size()) {
      reader_ += n;
    } else {
      retrieve_all();
    }
  }
  void retrieve_all() { reader_ = writer_ = kCheapPrepend; }
  std::string retrieve_as_string(std::size_t n);

  void append(const void* data, std::size_t n) {
    ensure_writable(n);
    const auto* p = static_cast<const std::uint8_t*>(data);
    std::copy(p, p + n, bytes_.data() + writer_);
    writer_ += n;
  }
  void append(std::span<const std::uint8_t> data) { append(data.data(), data.size()); }
  void append(std::string_view s) { append(s.data(), s.size()); }

  // Writes before the readable bytes (e.g. a length prefix); n <= prependable_bytes().
  void prepend(const void* data, std::size_t n);

  // Direct writing: make room, write into begin_write(), then commit with has_written().
  void ensure_writable(std::size_t n) {
    if (writable_bytes() < n) make_space(n);
  }
  std::uint8_t* begin_write() { return bytes_.data() + writer_; }
  void has_written(std::size_t n) { writer_ += n; }

  // Releases memory beyond size() + reserve (e.g. after a large burst has drained).
  void shrink(std::size_t reserve);

  // Reads up to max_bytes (at most 64 KiB beyond the writable space) from fd with one
  // readv(): into the writable space and a stack buffer, appending the overflow, so
  // the buffer grows only by what arrived. Returns read()'s result; on -1 the errno
  // value is stored in *saved_errno.
  ssize_t read_fd(int fd, int* saved_errno, std::size_t max_bytes = SIZE_MAX);

 private:
  void make_space(std::size_t n);

  std::vector<std::uint8_t> bytes_;
  std::size_t reader_ = kCheapPrepend;
  std::size_t writer_ = kCheapPrepend;
};

}  // namespace checkers::reactor
