#include "reactor/signal_watcher.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "reactor/channel.hpp"

namespace checkers::reactor {

void ignore_sigpipe() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, nullptr);
}

SignalWatcher::SignalWatcher(EventLoop& loop) : loop_(loop) {
  sigemptyset(&watched_);
  sigemptyset(&blocked_by_us_);
}

SignalWatcher::~SignalWatcher() {
  if (!fd_) return;
  channel_.reset();
  // Consume what is pending so unblocking cannot deliver it with the default action.
  signalfd_siginfo info;
  while (::read(fd_.get(), &info, sizeof info) > 0) {
  }
  fd_.reset();
  ::pthread_sigmask(SIG_UNBLOCK, &blocked_by_us_, nullptr);
}

void SignalWatcher::on(int signo, std::function<void(int)> cb) {
  handlers_[signo] = std::move(cb);
  if (sigismember(&watched_, signo) == 1) return;

  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, signo);
  sigset_t previous;
  ::pthread_sigmask(SIG_BLOCK, &one, &previous);
  if (sigismember(&previous, signo) == 0) sigaddset(&blocked_by_us_, signo);
  sigaddset(&watched_, signo);

  const int fd = ::signalfd(fd_ ? fd_.get() : -1, &watched_, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "signalfd");
  if (!fd_) {
    fd_ = UniqueFd(fd);
    channel_ = std::make_unique<Channel>(loop_, fd);
    channel_->set_read_callback([this] { read_signals(); });
    channel_->enable_reading();
  }
}

void SignalWatcher::read_signals() {
  signalfd_siginfo info;
  for (;;) {
    const ssize_t n = ::read(fd_.get(), &info, sizeof info);
    if (n != static_cast<ssize_t>(sizeof info)) {
      if (n < 0 && errno == EINTR) continue;
      return;  // EAGAIN: drained
    }
    const int signo = static_cast<int>(info.ssi_signo);
    spdlog::debug("reactor: signal {} received", signo);
    auto it = handlers_.find(signo);
    if (it != handlers_.end() && it->second) it->second(signo);
  }
}

}  // namespace checkers::reactor
