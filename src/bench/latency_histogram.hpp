// LatencyHistogram: a fixed-size log-linear histogram of durations (HdrHistogram-like,
// ~1.6 % resolution from 1 us to ~70 s) so the bench can record every move's latency
// without allocating or keeping samples, and still report p50 / p99 / p99.9.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace checkers::bench {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 6;  // 64 linear sub-buckets per power of two
  static constexpr int kMagnitudes = 27;

  void record(std::chrono::nanoseconds d) {
    const int64_t ns = d.count();
    const uint64_t v = ns <= 0 ? 0 : static_cast<uint64_t>(ns) / kUnitNs;
    ++counts_[index_of(v)];
    ++total_;
  }
  void merge(const LatencyHistogram& other) {
    for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
  }
  void clear() {
    counts_.fill(0);
    total_ = 0;
  }
  uint64_t count() const { return total_; }
  // The q-quantile (0 < q <= 1) in milliseconds (upper edge of its bucket); 0 if empty.
  double quantile_ms(double q) const;

 private:
  static constexpr uint64_t kUnitNs = 100;  // 0.1 us units
  static constexpr size_t kSub = size_t{1} << kSubBits;

  static size_t index_of(uint64_t v) {
    if (v < kSub) return static_cast<size_t>(v);
    const int msb = 63 - __builtin_clzll(v);
    const int shift = msb - kSubBits;
    const size_t mag = static_cast<size_t>(shift + 1);
    const size_t idx = mag * kSub + static_cast<size_t>((v >> shift) & (kSub - 1));
    return idx < kBuckets ? idx : kBuckets - 1;
  }
  static uint64_t upper_edge(size_t idx);

  static constexpr size_t kBuckets = kSub * (kMagnitudes + 1);
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
};

}  // namespace checkers::bench
