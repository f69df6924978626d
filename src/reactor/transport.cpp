#include "reactor/transport.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace checkers::reactor {

ssize_t PlainTransport::read(Buffer& in, std::size_t limit, int* err) {
  wait_ = Wait::Readable;
  return in.read_fd(fd_, err, limit);
}

ssize_t PlainTransport::write(std::span<const std::uint8_t> data, int* err) {
  wait_ = Wait::Writable;
  ssize_t n;
  do {
    n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) *err = errno;
  return n;
}

}  // namespace checkers::reactor
