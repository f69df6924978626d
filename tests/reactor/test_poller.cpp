#include "reactor/channel.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/poller.hpp"

#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdlib>

#include "helpers.hpp"

using namespace checkers::reactor;

TEST_CASE("poller: names parse and print", "[poller]") {
  CHECK(parse_poller("epoll") == PollerKind::Epoll);
  CHECK(parse_poller("poll") == PollerKind::Poll);
  CHECK_FALSE(parse_poller("select").has_value());
  CHECK_FALSE(parse_poller("").has_value());
  CHECK(std::string(to_string(PollerKind::Epoll)) == "epoll");
  CHECK(std::string(to_string(PollerKind::Poll)) == "poll");
}

TEST_CASE("poller: the loop uses the backend CTest selected", "[poller]") {
  EventLoop loop;
  const char* env = std::getenv("CHECKERS_POLLER");
  const PollerKind expected =
      env && std::string(env) == "poll" ? PollerKind::Poll : PollerKind::Epoll;
  CHECK(loop.poller_kind() == expected);
  CHECK(default_poller() == expected);
}

TEST_CASE("poller: both backends report readiness and interest changes", "[poller]") {
  for (PollerKind kind : {PollerKind::Epoll, PollerKind::Poll}) {
    EventLoop loop(kind);
    REQUIRE(loop.poller_kind() == kind);
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0);
    int reads = 0;
    int writes = 0;
    Channel ch(loop, sv[0]);
    ch.set_read_callback([&] {
      char c;
      while (::read(sv[0], &c, 1) == 1) ++reads;
    });
    ch.set_write_callback([&] {
      ++writes;
      ch.disable_writing();  // interest only while wanted
    });
    ch.enable_reading();
    ch.enable_writing();
    REQUIRE(test::run_until(loop, [&] { return writes == 1; }));
    REQUIRE(::write(sv[1], "abc", 3) == 3);
    REQUIRE(test::run_until(loop, [&] { return reads == 3; }));
    loop.run_once(std::chrono::milliseconds(20));
    CHECK(writes == 1);
    // A disabled channel reports nothing even when data waits.
    ch.disable_all();
    REQUIRE(::write(sv[1], "d", 1) == 1);
    loop.run_once(std::chrono::milliseconds(20));
    CHECK(reads == 3);
    ch.enable_reading();
    REQUIRE(test::run_until(loop, [&] { return reads == 4; }));
    ch.remove();
    ::close(sv[0]);
    ::close(sv[1]);
  }
}

TEST_CASE("poller: a channel destroyed by another's callback gets no stale event", "[poller]") {
  EventLoop loop;
  int a[2];
  int b[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, a) == 0);
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, b) == 0);
  auto ch_a = std::make_unique<Channel>(loop, a[0]);
  auto ch_b = std::make_unique<Channel>(loop, b[0]);
  int fired = 0;
  // Whichever runs first destroys the other; exactly one callback may run.
  char c;
  ch_a->set_read_callback([&] {
    ++fired;
    (void)::read(a[0], &c, 1);
    ch_b.reset();
  });
  ch_b->set_read_callback([&] {
    ++fired;
    (void)::read(b[0], &c, 1);
    ch_a.reset();
  });
  ch_a->enable_reading();
  ch_b->enable_reading();
  REQUIRE(::write(a[1], "x", 1) == 1);
  REQUIRE(::write(b[1], "y", 1) == 1);
  REQUIRE(test::run_until(loop, [&] { return fired > 0; }));
  loop.run_once(std::chrono::milliseconds(10));
  CHECK(fired == 1);
  ch_a.reset();
  ch_b.reset();
  for (int fd : {a[0], a[1], b[0], b[1]}) ::close(fd);
}
