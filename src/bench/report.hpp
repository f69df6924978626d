// Formatting of checkers-bench results: the per-second line, the final human table and
// the one-line JSON object (the last line of stdout with --json) that bench/run reads.
#pragma once

#include <string>

#include "bench/load_generator.hpp"

namespace checkers::bench {

std::string format_second(const BenchOptions& opt, int window, double t, const IntervalStats& s);
std::string format_table(const BenchOptions& opt, const RunSummary& r);
// Headline values are medians over the windows; counts are sums.
std::string format_json(const BenchOptions& opt, const RunSummary& r);

}  // namespace checkers::bench
