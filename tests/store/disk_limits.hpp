// Helpers of the store tests that need a real failing disk and a running loop:
// FileSizeLimit (RLIMIT_FSIZE makes the kernel refuse to grow a file), run_until, and
// make_account (an account with a fixed fake hash: no password hashing in these tests).
#pragma once

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <string>

#include "reactor/event_loop.hpp"
#include "server/account.hpp"

namespace checkers::test {

// Lowers RLIMIT_FSIZE for its lifetime (SIGXFSZ ignored so writes fail with EFBIG).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    rlimit lower = saved_;
    lower.rlim_cur = bytes;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &lower) == 0);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    ::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t old_handler_;
};

// Runs loop iterations until done() or a 10 s deadline.
template <class Pred>
bool run_until(reactor::EventLoop& loop, Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    loop.run_once(std::chrono::milliseconds(50));
  }
  return true;
}

inline server::Account make_account(const std::string& name) {
  server::Account a;
  a.name = name;
  a.password_hash = "$y$j9T$salt$hash";
  return a;
}

}  // namespace checkers::test
