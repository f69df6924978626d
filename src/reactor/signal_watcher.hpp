// SignalWatcher: delivers POSIX signals as events of an EventLoop, through a signalfd
// (the self-pipe trick without the pipe). It lives beside the loop, owned by the program's
// main(): the loop itself knows nothing of signals.
//
// Create it before any thread: on(signo) blocks signo in the calling thread, and threads
// created later inherit that mask (the WorkQueue's threads block everything anyway).
// Destruction consumes what is still pending and unblocks what it blocked.
//
// ignore_sigpipe() sets the process-wide SIGPIPE disposition to "ignore": sockets already
// send with MSG_NOSIGNAL, but a log write to a closed stderr pipe would otherwise kill the
// process. main() calls it once.
#pragma once

#include <signal.h>

#include <functional>
#include <map>
#include <memory>

#include "reactor/fd.hpp"

namespace checkers::reactor {

class Channel;
class EventLoop;

void ignore_sigpipe();

class SignalWatcher {
 public:
  explicit SignalWatcher(EventLoop& loop);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  // Runs cb(signo) on the loop thread for every delivery of signo (replacing an
  // earlier handler for the same signal).
  void on(int signo, std::function<void(int)> cb);

 private:
  void read_signals();

  EventLoop& loop_;
  UniqueFd fd_;
  std::unique_ptr<Channel> channel_;
  sigset_t watched_;
  sigset_t blocked_by_us_;
  std::map<int, std::function<void(int)>> handlers_;
};

}  // namespace checkers::reactor
