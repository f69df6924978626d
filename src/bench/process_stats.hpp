// Readings of a process from /proc: CPU time used (for the CPU% columns the bench
// prints for itself and for the server) and resident memory (VmRSS).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>

namespace checkers::bench {

// User + system CPU time of `pid` (0 = this process); nullopt if it cannot be read.
std::optional<std::chrono::nanoseconds> cpu_time(pid_t pid);
// VmRSS of `pid` in KiB (0 = this process); nullopt if it cannot be read.
std::optional<long> rss_kib(pid_t pid);

// CPU% of one process between successive sample() calls (100 = one core busy).
class CpuMeter {
 public:
  explicit CpuMeter(pid_t pid) : pid_(pid) {}
  // CPU% since the previous call (or since construction); negative if unreadable.
  double sample();
  void reset();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
  bool primed_ = false;
  std::chrono::nanoseconds last_cpu_{};
  std::chrono::steady_clock::time_point last_wall_{};
};

}  // namespace checkers::bench
