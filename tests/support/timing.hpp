// Timing in tests. No test asserts how fast something is (that is `make bench`'s job);
// a test asserts a duration only where the duration *is* the behaviour (a timeout fires,
// a flood must not stall honest players). Such a bound is written as
//     nominal + slack,  slack = build_slowdown() * load_factor * floor + k * wake_late
// where load_factor and wake_late are measured in the same run, on the same build, by
// the same process: a loaded machine or a sanitizer build widens the bound instead of
// failing the test. Lower bounds ("not before the timeout") need none of this: timers
// never fire early.
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
  // Wall time over CPU time of a busy thread: 1 on an idle machine, about the number of
  // runnable threads per core on a loaded one (whatever the build's own speed).
  double load_factor = 1.0;
  // Worst overshoot of a few short sleeps (scheduler delay).
  Seconds wake_late{0};

  static MachineBaseline measure();
};

// Upper bound for an event due `nominal` after its cause: nominal + build_slowdown() *
// load_factor * floor + k * wake_late. The defaults allow 0.5 s on a quiet machine.
Seconds due_by(Seconds nominal, const MachineBaseline& baseline, Seconds floor = Seconds(0.5),
               double k = 50.0);

// A budget (latency, work done in a window) scaled the same way: value * build_slowdown()
// * load_factor.
double scaled(double value, const MachineBaseline& baseline);

}  // namespace checkers::test
