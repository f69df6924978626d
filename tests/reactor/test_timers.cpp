#include "reactor/event_loop.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "helpers.hpp"

using namespace checkers::reactor;
using namespace std::chrono_literals;

TEST_CASE("timers: fire in deadline order, then insertion order", "[timers]") {
  EventLoop loop;
  std::string order;
  const auto base = EventLoop::Clock::now();
  loop.run_at(base + 30ms, [&] { order += 'c'; });
  loop.run_at(base + 10ms, [&] { order += 'a'; });
  loop.run_at(base + 20ms, [&] { order += 'b'; });
  loop.run_at(base + 15ms, [&] { order += '1'; });
  loop.run_at(base + 15ms, [&] { order += '2'; });
  loop.run_at(base + 15ms, [&] { order += '3'; });
  loop.run_at(base - 1s, [&] { order += '0'; });  // already due
  REQUIRE(test::run_until(loop, [&] { return order.size() == 7; }));
  CHECK(order == "0a123bc");
}

TEST_CASE("timers: do not fire early", "[timers]") {
  EventLoop loop;
  const auto start = EventLoop::Clock::now();
  EventLoop::Clock::time_point fired{};
  loop.run_after(25ms, [&] { fired = EventLoop::Clock::now(); });
  REQUIRE(test::run_until(loop, [&] { return fired != EventLoop::Clock::time_point{}; }));
  CHECK(fired - start >= 25ms);
}

TEST_CASE("timers: cancel, including from inside callbacks", "[timers]") {
  EventLoop loop;
  std::vector<std::string> fired;
  TimerId b = 0;
  TimerId self = 0;
  bool cancel_self_result = true;
  loop.run_after(10ms, [&] {
    fired.push_back("a");
    CHECK(loop.cancel(b));        // due in the same pass, never runs
    CHECK_FALSE(loop.cancel(b));  // second cancel: false, harmless
  });
  b = loop.run_after(10ms, [&] { fired.push_back("b"); });
  self = loop.run_after(5ms, [&] {
    fired.push_back("self");
    cancel_self_result = loop.cancel(self);  // already fired: false
  });
  const TimerId never = loop.run_after(1ms, [&] { fired.push_back("never"); });
  CHECK(loop.cancel(never));
  CHECK_FALSE(loop.cancel(987654321));
  CHECK_FALSE(loop.cancel(0));
  bool done = false;
  loop.run_after(30ms, [&] { done = true; });
  REQUIRE(test::run_until(loop, [&] { return done; }));
  CHECK(fired == std::vector<std::string>{"self", "a"});
  CHECK_FALSE(cancel_self_result);
}

TEST_CASE("timers: repeating, cancelled by itself and by another callback", "[timers]") {
  EventLoop loop;
  int runs = 0;
  TimerId every = 0;
  const auto start = EventLoop::Clock::now();
  int other_runs = 0;
  TimerId other = 0;
  int other_runs_at_cancel = -1;
  every = loop.run_every(5ms, [&] {
    ++runs;
    if (runs == 5) {
      CHECK(loop.cancel(other));  // another timer's callback cancels it
      other_runs_at_cancel = other_runs;
    }
    if (runs == 10) CHECK(loop.cancel(every));
  });
  other = loop.run_every(2ms, [&] { ++other_runs; });
  REQUIRE(test::run_until(loop, [&] { return runs == 10; }));
  CHECK(EventLoop::Clock::now() - start >= 50ms);
  test::run_for(loop, 30ms);
  CHECK(runs == 10);
  CHECK(other_runs == other_runs_at_cancel);
  CHECK(other_runs >= 1);  // due at 2 ms, before the first 5 ms run
  CHECK(loop.timer_count() == 0);
}

TEST_CASE("timers: 10,000 timers fire exactly once, in order; cancelled ones never", "[timers]") {
  EventLoop loop;
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> delay_us(0, 50000);
  struct Fired {
    EventLoop::Clock::time_point deadline;
    int index;
  };
  std::vector<Fired> fired;
  std::vector<TimerId> ids;
  std::vector<EventLoop::Clock::time_point> deadlines;
  const auto base = EventLoop::Clock::now();
  for (int i = 0; i < 10000; ++i) {
    const auto deadline = base + std::chrono::microseconds(delay_us(rng));
    deadlines.push_back(deadline);
    ids.push_back(loop.run_at(deadline, [&fired, deadline, i] { fired.push_back({deadline, i}); }));
  }
  CHECK(loop.timer_count() == 10000);
  int cancelled = 0;
  for (int i = 0; i < 10000; i += 3) {
    CHECK(loop.cancel(ids[static_cast<std::size_t>(i)]));
    ++cancelled;
  }
  const std::size_t expected = 10000 - static_cast<std::size_t>(cancelled);
  REQUIRE(test::run_until(loop, [&] { return fired.size() >= expected; }));
  test::run_for(loop, 10ms);
  REQUIRE(fired.size() == expected);
  for (std::size_t i = 1; i < fired.size(); ++i) {
    const bool ordered =
        fired[i - 1].deadline < fired[i].deadline ||
        (fired[i - 1].deadline == fired[i].deadline && fired[i - 1].index < fired[i].index);
    REQUIRE(ordered);
  }
  for (const auto& f : fired) REQUIRE(f.index % 3 != 0);
  CHECK(loop.timer_count() == 0);
}

TEST_CASE("timers: move_timer moves a timer earlier or later; it fires once, at the new time",
          "[timers]") {
  EventLoop loop;
  std::string order;
  const auto base = EventLoop::Clock::now();
  const TimerId a = loop.run_at(base + 10ms, [&] { order += 'a'; });
  const TimerId b = loop.run_at(base + 20ms, [&] { order += 'b'; });
  const TimerId c = loop.run_at(base + 30ms, [&] { order += 'c'; });
  CHECK(loop.move_timer(c, base + 5ms));   // earlier: before a
  CHECK(loop.move_timer(a, base + 40ms));  // later: after b
  CHECK(loop.move_timer(a, base + 35ms));  // moved twice: only the last one counts
  CHECK_FALSE(loop.move_timer(987654321, base));
  REQUIRE(test::run_until(loop, [&] { return order.size() == 3; }));
  test::run_for(loop, 50ms);  // past every deadline any of them ever had
  CHECK(order == "cba");
  CHECK_FALSE(loop.move_timer(b, base + 1h));  // fired: gone
  CHECK(loop.timer_count() == 0);
}

TEST_CASE("timers: a repeating timer moved, also by its own callback", "[timers]") {
  EventLoop loop;
  int runs = 0;
  TimerId every = 0;
  std::vector<EventLoop::Clock::time_point> at;
  every = loop.run_every(1h, [&] {
    at.push_back(EventLoop::Clock::now());
    if (++runs == 1) CHECK(loop.move_timer(every, EventLoop::Clock::now() + 5ms));
    if (runs == 3) CHECK(loop.cancel(every));
  });
  CHECK(loop.move_timer(every, EventLoop::Clock::now()));  // due now instead of in an hour
  REQUIRE(test::run_until(loop, [&] { return runs == 2; }));
  CHECK(at[1] - at[0] >= 5ms);  // the move inside the callback replaced the interval's turn
  CHECK(loop.timer_count() == 1);
  CHECK(loop.move_timer(every, EventLoop::Clock::now()));
  REQUIRE(test::run_until(loop, [&] { return runs == 3; }));
  CHECK(loop.timer_count() == 0);
}

TEST_CASE("timers: cancel-heavy churn keeps the heap bounded", "[timers]") {
  EventLoop loop;
  for (int i = 0; i < 100000; ++i) {
    const TimerId id = loop.run_after(1h, [] {});
    REQUIRE(loop.cancel(id));
  }
  CHECK(loop.timer_count() == 0);
  bool fired = false;
  loop.run_after(1ms, [&] { fired = true; });
  REQUIRE(test::run_until(loop, [&] { return fired; }));
}

TEST_CASE("loop: now() is cached per iteration; defer runs after callbacks", "[timers][defer]") {
  EventLoop loop;
  std::string order;
  bool checked = false;
  const auto t = EventLoop::Clock::now() + 1ms;
  loop.run_at(t, [&] {
    const auto cached = loop.now();
    const auto until = EventLoop::Clock::now() + 2ms;
    while (EventLoop::Clock::now() < until) {
    }
    CHECK(loop.now() == cached);
    const std::size_t iter = loop.iteration();
    loop.defer([&, iter] {
      order += 'D';
      CHECK(loop.iteration() == iter);
      loop.defer([&, iter] {
        order += 'N';  // deferred from a deferred function: next iteration
        CHECK(loop.iteration() == iter + 1);
        checked = true;
      });
    });
    order += 'T';
  });
  loop.run_at(t, [&] { order += 'U'; });
  REQUIRE(test::run_until(loop, [&] { return checked; }));
  CHECK(order == "TUDN");
}

TEST_CASE("loop: run() returns after quit(); post() works from other threads", "[timers][defer]") {
  EventLoop loop;
  int n = 0;
  loop.run_every(1ms, [&] {
    if (++n == 5) loop.quit();
  });
  loop.run();
  CHECK(n == 5);

  std::thread t([&loop] { loop.post([&loop] { loop.quit(); }); });
  loop.run();
  t.join();
}
