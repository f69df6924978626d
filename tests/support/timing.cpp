#include "support/timing.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

namespace checkers::test {

double build_slowdown() {
#if defined(__SANITIZE_ADDRESS__)
  double factor = 4.0;
#else
  double factor = 1.0;
#endif
  if (const char* env = std::getenv("CHECKERS_TEST_SLOWDOWN")) {
    try {
      factor *= std::max(1.0, std::stod(env));
    } catch (const std::exception&) {
      // A malformed value keeps the build's own factor.
    }
  }
  return factor;
}

namespace {

Seconds worst_sleep_overshoot() {
  using Clock = std::chrono::steady_clock;
  constexpr auto kNap = std::chrono::milliseconds(2);
  Seconds worst{0};
  for (int i = 0; i < 10; ++i) {
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(kNap);
    worst = std::max<Seconds>(worst, Clock::now() - t0 - kNap);
  }
  return worst;
}

// About 1 ms of integer work on an idle machine with a plain build; its result is
// returned so that the optimiser cannot drop it.
uint64_t cpu_work() {
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 400'000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

}  // namespace

MachineBaseline MachineBaseline::measure() {
  using Clock = std::chrono::steady_clock;
  MachineBaseline b;
  b.wake_late = worst_sleep_overshoot();
  const auto t0 = Clock::now();
  volatile uint64_t sink = cpu_work();
  (void)sink;
  b.cpu_unit = Clock::now() - t0;
  return b;
}

Seconds due_by(Seconds nominal, const MachineBaseline& baseline, Seconds floor, double k) {
  return nominal + build_slowdown() * (floor + k * baseline.unit());
}

}  // namespace checkers::test
