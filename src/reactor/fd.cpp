#include "reactor/fd.hpp"

#include <unistd.h>

namespace checkers::reactor {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0 && fd_ != fd) {
    // close() must not be retried on EINTR on Linux: the fd is released either way.
    ::close(fd_);
  }
  fd_ = fd;
}

}  // namespace checkers::reactor
