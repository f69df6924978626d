// Timing in tests. No test asserts how fast something is (that is `make bench`'s job);
// a test asserts a duration only where the duration *is* the behaviour (a timeout fires,
// a flood must not stall honest players). Such a bound is written as
//     nominal + slack,  slack = build_slowdown() * (floor + k * baseline)
// where the baseline is measured in the same run, on the same build, by the same process:
// a loaded machine or a sanitizer build widens the bound instead of failing the test.
// Lower bounds ("not before the timeout") need none of this: timers never fire early.
#pragma once

#include <chrono>

namespace checkers::test {

using Seconds = std::chrono::duration<double>;

// How much slower this build runs than a plain RelWithDebInfo one: 4 under ASan+UBSan,
// times CHECKERS_TEST_SLOWDOWN when set (the valgrind scripts set it). The one place
// that knows.
double build_slowdown();

// The machine as it is right now, seen from this process.
struct MachineBaseline {
  Seconds wake_late{0};  // worst overshoot of a few short sleeps (scheduler delay)
  Seconds cpu_unit{0};   // time a fixed piece of CPU work took (this build, this load)

  static MachineBaseline measure();
  // The larger of the two: one "unit of machine delay" for the bounds below.
  Seconds unit() const { return wake_late > cpu_unit ? wake_late : cpu_unit; }
};

// Upper bound for an event due `nominal` after its cause: nominal + build_slowdown() *
// (floor + k * baseline.unit()). The defaults allow 0.5 s plus 50 units of delay.
Seconds due_by(Seconds nominal, const MachineBaseline& baseline, Seconds floor = Seconds(0.5),
               double k = 50.0);

}  // namespace checkers::test
