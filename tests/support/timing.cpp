#include "support/timing.hpp"

#include <time.h>

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

using Clock = std::chrono::steady_clock;

Seconds worst_sleep_overshoot() {
  constexpr auto kNap = std::chrono::milliseconds(2);
  Seconds worst{0};
  for (int i = 0; i < 10; ++i) {
    const auto t0 = Clock::now();
    std::this_thread::sleep_for(kNap);
    worst = std::max<Seconds>(worst, Clock::now() - t0 - kNap);
  }
  return worst;
}

Seconds thread_cpu_time() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return Seconds(static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9);
}

// Spins until this thread has had `cpu` of CPU time; returns the wall time that took.
// Long enough (several scheduler time slices) to see the machine's share, not a burst.
Seconds wall_time_for_cpu(Seconds cpu) {
  const auto wall0 = Clock::now();
  const Seconds cpu0 = thread_cpu_time();
  volatile uint64_t x = 88172645463325252ull;
  while (thread_cpu_time() - cpu0 < cpu) {
    for (int i = 0; i < 10'000; ++i) x = x ^ (x << 13) ^ (x >> 7);
  }
  return Clock::now() - wall0;
}

}  // namespace

MachineBaseline MachineBaseline::measure() {
  constexpr Seconds kCpu{0.03};
  MachineBaseline b;
  b.wake_late = worst_sleep_overshoot();
  // The worst of three samples: load comes and goes.
  for (int i = 0; i < 3; ++i)
    b.load_factor = std::max(b.load_factor, wall_time_for_cpu(kCpu) / kCpu);
  return b;
}

Seconds due_by(Seconds nominal, const MachineBaseline& baseline, Seconds floor, double k) {
  return nominal + build_slowdown() * baseline.load_factor * floor + k * baseline.wake_late;
}

double scaled(double value, const MachineBaseline& baseline) {
  return value * build_slowdown() * baseline.load_factor;
}

}  // namespace checkers::test
