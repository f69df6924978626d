#include "reactor/buffer.hpp"

#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace checkers::reactor {

std::string Buffer::retrieve_as_string(std::size_t n) {
  n = std::min(n, size());
  std::string s(reinterpret_cast<const char*>(peek()), n);
  retrieve(n);
  return s;
}

void Buffer::prepend(const void* data, std::size_t n) {
  reader_ -= n;
  std::memcpy(bytes_.data() + reader_, data, n);
}

void Buffer::make_space(std::size_t n) {
  const std::size_t readable = size();
  if (writable_bytes() + prependable_bytes() < n + kCheapPrepend) {
    // Grow geometrically so a stream of appends stays amortised O(1).
    bytes_.resize(std::max(writer_ + n, bytes_.size() * 2));
  }
  if (reader_ != kCheapPrepend) {
    std::memmove(bytes_.data() + kCheapPrepend, bytes_.data() + reader_, readable);
    reader_ = kCheapPrepend;
    writer_ = reader_ + readable;
  }
}

void Buffer::shrink(std::size_t reserve) {
  const std::size_t readable = size();
  std::vector<std::uint8_t> fresh(kCheapPrepend + readable + reserve);
  std::memcpy(fresh.data() + kCheapPrepend, peek(), readable);
  bytes_.swap(fresh);
  reader_ = kCheapPrepend;
  writer_ = reader_ + readable;
}

ssize_t Buffer::read_fd(int fd, int* saved_errno, std::size_t max_bytes) {
  // The stack buffer catches what does not fit, so one syscall drains a socket without
  // growing every connection's buffer up front.
  std::uint8_t extra[65536];
  const std::size_t writable = std::min(writable_bytes(), max_bytes);
  iovec vec[2];
  vec[0].iov_base = begin_write();
  vec[0].iov_len = writable;
  vec[1].iov_base = extra;
  vec[1].iov_len = std::min(sizeof extra, max_bytes - writable);
  const int iovcnt = vec[1].iov_len > 0 && writable < sizeof extra ? 2 : 1;
  ssize_t n;
  do {
    n = ::readv(fd, vec, iovcnt);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    *saved_errno = errno;
  } else if (static_cast<std::size_t>(n) <= writable) {
    writer_ += static_cast<std::size_t>(n);
  } else {
    writer_ = bytes_.size();
    append(extra, static_cast<std::size_t>(n) - writable);
  }
  return n;
}

}  // namespace checkers::reactor
