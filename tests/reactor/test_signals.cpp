#include "reactor/event_loop.hpp"
#include "reactor/signal_watcher.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <vector>

#include "helpers.hpp"

using namespace checkers::reactor;
using namespace std::chrono_literals;

TEST_CASE("signals: SIGTERM raised to self arrives as a loop event", "[signals]") {
  EventLoop loop;
  SignalWatcher signals(loop);
  std::vector<int> seen;
  signals.on(SIGTERM, [&](int signo) {
    seen.push_back(signo);
    loop.quit();
  });
  loop.run_after(1ms, [] { ::raise(SIGTERM); });
  loop.run();  // returns only through the handler's quit()
  CHECK(seen == std::vector<int>{SIGTERM});
}

TEST_CASE("signals: SIGINT and SIGHUP each reach their own handler", "[signals]") {
  EventLoop loop;
  SignalWatcher signals(loop);
  std::vector<int> seen;
  signals.on(SIGINT, [&](int signo) { seen.push_back(signo); });
  signals.on(SIGHUP, [&](int signo) { seen.push_back(signo); });
  ::raise(SIGHUP);
  REQUIRE(test::run_until(loop, [&] { return seen.size() == 1; }));
  ::raise(SIGINT);
  REQUIRE(test::run_until(loop, [&] { return seen.size() == 2; }));
  CHECK(seen == std::vector<int>{SIGHUP, SIGINT});
}

TEST_CASE("signals: the mask is restored when the watcher goes away", "[signals]") {
  EventLoop loop;
  {
    SignalWatcher signals(loop);
    signals.on(SIGHUP, [](int) {});
    sigset_t now;
    ::pthread_sigmask(SIG_BLOCK, nullptr, &now);
    CHECK(sigismember(&now, SIGHUP) == 1);
  }
  sigset_t after;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &after);
  CHECK(sigismember(&after, SIGHUP) == 0);
}

TEST_CASE("signals: writing to a closed peer does not kill the process (SIGPIPE)", "[signals]") {
  ignore_sigpipe();
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  ::close(sv[1]);
  // Plain write() (no MSG_NOSIGNAL) would raise SIGPIPE with the default action.
  const ssize_t n = ::write(sv[0], "x", 1);
  const int err = errno;
  CHECK(n == -1);
  CHECK(err == EPIPE);
  ::close(sv[0]);
}
