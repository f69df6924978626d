#include "reactor/event_loop.hpp"
#include "reactor/work_queue.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"

using namespace checkers::reactor;
using namespace std::chrono_literals;

namespace {
// Deliberately CPU-heavy, like a password hash.
std::uint64_t busy_hash(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (int i = 0; i < 20000; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}
}  // namespace

TEST_CASE("work queue: 1,000 jobs, results on the loop thread, timers keep running", "[work]") {
  EventLoop loop;
  WorkQueue work(loop);
  const auto loop_thread = std::this_thread::get_id();
  std::atomic<int> ran_on_loop_thread{0};
  std::vector<std::uint64_t> results(1000, 0);
  int delivered = 0;
  int wrong_thread = 0;
  int ticks = 0;
  int ticks_while_busy = 0;
  loop.run_every(1ms, [&] {
    ++ticks;
    if (work.pending() > 0) ++ticks_while_busy;
  });
  for (int i = 0; i < 1000; ++i) {
    work.submit(
        [i, loop_thread, &ran_on_loop_thread] {
          if (std::this_thread::get_id() == loop_thread) ++ran_on_loop_thread;
          std::this_thread::sleep_for(200us);  // blocking, like fsync
          return busy_hash(static_cast<std::uint64_t>(i));
        },
        [&, i, loop_thread](std::uint64_t r) {
          if (std::this_thread::get_id() != loop_thread) ++wrong_thread;
          results[static_cast<std::size_t>(i)] = r;
          ++delivered;
        });
  }
  CHECK(work.pending() == 1000);
  REQUIRE(test::run_until(
      loop, [&] { return delivered == 1000; }, 60s));
  CHECK(work.pending() == 0);
  CHECK(wrong_thread == 0);
  CHECK(ran_on_loop_thread == 0);
  for (int i = 0; i < 1000; ++i)
    REQUIRE(results[static_cast<std::size_t>(i)] == busy_hash(static_cast<std::uint64_t>(i)));
  CHECK(ticks_while_busy >= 5);
}

TEST_CASE("work queue: serial lane runs in FIFO order, one at a time", "[work]") {
  EventLoop loop;
  WorkQueue work(loop);
  std::atomic<int> running{0};
  std::atomic<int> overlap{0};
  std::vector<int> run_order;  // written by the single serial worker only
  std::vector<int> done_order;
  for (int i = 0; i < 200; ++i) {
    work.submit_serial(
        [&, i] {
          if (++running > 1) ++overlap;
          run_order.push_back(i);
          std::this_thread::sleep_for(50us);
          --running;
          return i;
        },
        [&](int v) { done_order.push_back(v); });
  }
  REQUIRE(test::run_until(loop, [&] { return done_order.size() == 200; }));
  CHECK(overlap == 0);
  for (int i = 0; i < 200; ++i) {
    REQUIRE(run_order[static_cast<std::size_t>(i)] == i);
    REQUIRE(done_order[static_cast<std::size_t>(i)] == i);
  }
}

TEST_CASE("work queue: std::function overloads, void jobs, configurable threads", "[work]") {
  EventLoop loop;
  WorkQueue work(loop);
  work.set_thread_count(4);
  CHECK(work.thread_count() == 4);
  std::string got;
  bool void_done = false;
  work.submit<std::string>(std::function<std::string()>([] { return std::string("hashed"); }),
                           std::function<void(std::string)>([&](std::string s) { got = s; }));
  work.submit(std::function<void()>([] {}), std::function<void()>([&] { void_done = true; }));
  REQUIRE(test::run_until(loop, [&] { return !got.empty() && void_done; }));
  CHECK(got == "hashed");
  CHECK_THROWS_AS(work.set_thread_count(2), std::logic_error);
}

TEST_CASE("work queue: a job's exception is rethrown on the loop thread", "[work]") {
  EventLoop loop;
  WorkQueue work(loop);
  bool later_done = false;
  work.submit_serial([]() -> int { throw std::runtime_error("disk full"); },
                     [](int) { FAIL("done must not run"); });
  work.submit_serial([] { return 1; }, [&](int) { later_done = true; });
  bool threw = false;
  const auto deadline = EventLoop::Clock::now() + 10s;
  while (!(threw && later_done) && EventLoop::Clock::now() < deadline) {
    try {
      loop.run_once(10ms);
    } catch (const std::runtime_error& e) {
      threw = std::string(e.what()) == "disk full";
    }
  }
  CHECK(threw);
  CHECK(later_done);
}

TEST_CASE("work queue: destroying the loop with jobs queued is clean", "[work]") {
  std::atomic<int> finished{0};
  {
    EventLoop loop;
    WorkQueue work(loop);
    for (int i = 0; i < 50; ++i) {
      work.submit(
          [&] {
            std::this_thread::sleep_for(1ms);
            ++finished;
          },
          [] {});
    }
    loop.run_once(0ms);
  }  // joins: queued jobs finish, completions are dropped
  CHECK(finished == 50);
}

TEST_CASE("work queue: a cancelled job's completion never runs; one not started never runs",
          "[work]") {
  EventLoop loop;
  WorkQueue work(loop, 1);
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  int completed = 0;
  const JobId running = work.submit(
      [&, released] {
        started.set_value();
        released.wait();
        ++ran;
      },
      [&] { ++completed; });
  const JobId queued = work.submit([&] { ++ran; }, [&] { ++completed; });
  work.submit([&] { ++ran; }, [&] { completed += 100; });
  started.get_future().wait();
  CHECK(work.cancel(queued));         // not started: dropped from the queue
  CHECK_FALSE(work.cancel(running));  // running: finishes, its result discarded
  CHECK_FALSE(work.cancel(running));  // already cancelled
  release.set_value();
  REQUIRE(test::run_until(loop, [&] { return completed >= 100; }));
  CHECK(completed == 100);
  CHECK(ran == 2);
  CHECK(work.pending() == 0);
}
