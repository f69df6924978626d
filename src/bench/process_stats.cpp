#include "bench/process_stats.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace checkers::bench {
namespace {

std::string proc_path(pid_t pid, const char* file) {
  return pid == 0 ? std::string("/proc/self/") + file : "/proc/" + std::to_string(pid) + "/" + file;
}

}  // namespace

std::optional<std::chrono::nanoseconds> cpu_time(pid_t pid) {
  std::ifstream in(proc_path(pid, "stat"));
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) may hold spaces: parse after its closing parenthesis.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;  // fields 3..13
  long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  const long hz = sysconf(_SC_CLK_TCK);
  const long long ticks = utime + stime;
  return std::chrono::nanoseconds(ticks * 1'000'000'000LL / (hz > 0 ? hz : 100));
}

std::optional<long> rss_kib(pid_t pid) {
  std::ifstream in(proc_path(pid, "status"));
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      if (in >> kib) return kib;
      return std::nullopt;
    }
    std::string rest;
    std::getline(in, rest);
  }
  return std::nullopt;
}

double CpuMeter::sample() {
  const auto cpu = cpu_time(pid_);
  const auto wall = std::chrono::steady_clock::now();
  if (!cpu) return -1.0;
  double pct = 0.0;
  if (primed_) {
    const double dw = std::chrono::duration<double>(wall - last_wall_).count();
    const double dc = std::chrono::duration<double>(*cpu - last_cpu_).count();
    pct = dw > 0 ? 100.0 * dc / dw : 0.0;
  }
  primed_ = true;
  last_cpu_ = *cpu;
  last_wall_ = wall;
  return pct;
}

void CpuMeter::reset() {
  primed_ = false;
  sample();
}

}  // namespace checkers::bench
