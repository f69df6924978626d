#include "bench/latency_histogram.hpp"

#include <cmath>

namespace checkers::bench {

uint64_t LatencyHistogram::upper_edge(size_t idx) {
  if (idx < kSub) return idx + 1;
  const size_t mag = idx / kSub;
  const uint64_t sub = idx % kSub;
  const int shift = static_cast<int>(mag) - 1;
  return ((kSub + sub + 1) << shift);
}

double LatencyHistogram::quantile_ms(double q) const {
  if (total_ == 0) return 0.0;
  const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_)));
  const uint64_t target = rank == 0 ? 1 : rank;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= target) return static_cast<double>(upper_edge(i) * kUnitNs) / 1e6;
  }
  return static_cast<double>(upper_edge(counts_.size() - 1) * kUnitNs) / 1e6;
}

}  // namespace checkers::bench
