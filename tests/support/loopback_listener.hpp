// LoopbackListener: a listening TCP socket on 127.0.0.1 with a kernel-chosen port, for
// tests that play a scripted server themselves. Owns the fd; accept() blocks.
#pragma once

#include <cstdint>

namespace checkers::test {

class LoopbackListener {
 public:
  LoopbackListener();  // throws std::runtime_error if the socket cannot listen
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;

  uint16_t port() const { return port_; }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace checkers::test
