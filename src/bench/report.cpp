#include "bench/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <vector>

namespace checkers::bench {
namespace {

double median_of(const RunSummary& r, const std::function<double(const IntervalStats&)>& f) {
  if (r.windows.empty()) return 0;
  std::vector<double> v;
  for (const IntervalStats& s : r.windows) v.push_back(f(s));
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

uint64_t sum_of(const RunSummary& r, uint64_t IntervalStats::*field) {
  uint64_t total = 0;
  for (const IntervalStats& s : r.windows) total += s.*field;
  return total;
}

size_t min_of(const RunSummary& r, size_t IntervalStats::*field) {
  size_t v = 0;
  for (size_t k = 0; k < r.windows.size(); ++k)
    v = k == 0 ? r.windows[k].*field : std::min(v, r.windows[k].*field);
  return v;
}

size_t max_of(const RunSummary& r, size_t IntervalStats::*field) {
  size_t v = 0;
  for (const IntervalStats& s : r.windows) v = std::max(v, s.*field);
  return v;
}

// The shortest gap between two ReQueues of one connection over all rounds (-1: none).
double min_gap(const RunSummary& r) {
  double v = -1;
  for (const IntervalStats& s : r.windows)
    if (s.min_requeue_gap_ms >= 0 && (v < 0 || s.min_requeue_gap_ms < v)) v = s.min_requeue_gap_ms;
  return v;
}

std::string cpu(double pct) { return pct < 0 ? std::string("-") : fmt::format("{:.0f}", pct); }

// Throughput of the mode's operation: moves (play), logins (login), QueuePositions (idle).
double rate(Mode m, const IntervalStats& s) {
  switch (m) {
    case Mode::Play:
      return s.per_second(s.moves);
    case Mode::Login:
      return s.per_second(s.logins);
    case Mode::Idle:
      return s.per_second(s.queue_positions);
  }
  return 0;
}

const char* rate_name(Mode m) {
  switch (m) {
    case Mode::Play:
      return "moves/s";
    case Mode::Login:
      return "logins/s";
    case Mode::Idle:
      return "qpos/s";
  }
  return "ops/s";
}

std::string round_json(const IntervalStats& s) {
  return fmt::format(
      "{{\"games_in_progress_median\":{:.1f},\"games_in_progress_min\":{},"
      "\"games_in_progress_max\":{},\"watching_median\":{:.1f},\"watch_starts\":{},"
      "\"watch_refused\":{},\"watched_moves_per_sec\":{:.1f},\"min_requeue_gap_ms\":{:.3f},"
      "\"seconds\":{:.3f},\"connections\":{},\"moves\":{},\"moves_per_sec\":{:.1f},\"games\":{},"
      "\"logins_per_sec\":{:.2f},\"p50_ms\":{:.3f},\"p99_ms\":{:.3f},\"p999_ms\":{:.3f},"
      "\"errors\":{},\"disconnects\":{},\"bench_cpu\":{:.1f},\"server_cpu\":{:.1f},"
      "\"queued\":{},\"in_game\":{},\"queue_positions\":{},\"ticks\":{},"
      "\"tick_ms_median\":{:.3f},\"tick_ms_max\":{:.3f},\"max_gap_ms\":{:.1f}}}",
      s.games_in_progress_median, s.games_in_progress_min, s.games_in_progress_max,
      s.watching_median, s.watch_starts, s.watch_refused, s.per_second(s.watched_moves),
      s.min_requeue_gap_ms, s.seconds, s.connections, s.moves, s.per_second(s.moves), s.games,
      s.per_second(s.logins), s.p50_ms, s.p99_ms, s.p999_ms, s.errors, s.disconnects, s.bench_cpu,
      s.server_cpu, s.queued, s.in_game, s.queue_positions, s.ticks, s.tick_spread_ms_median,
      s.tick_spread_ms_max, s.max_gap_ms);
}

}  // namespace

std::string format_second(const BenchOptions& opt, int window, double t, const IntervalStats& s) {
  std::string line = fmt::format("[round {} t={:5.1f}s] conns={} {}={:.0f}", window + 1, t,
                                 s.connections, rate_name(opt.mode), rate(opt.mode, s));
  if (opt.mode == Mode::Play)
    line += fmt::format(" games={} in_progress={:.0f}", s.games, s.games_in_progress_median);
  if (opt.watchers > 0)
    line += fmt::format(" watching={:.0f} watched_moves/s={:.0f}", s.watching_median,
                        s.per_second(s.watched_moves));
  if (opt.mode == Mode::Idle) line += fmt::format(" queued={} in_game={}", s.queued, s.in_game);
  if (opt.mode != Mode::Idle)
    line += fmt::format(" p50={:.3f}ms p99={:.3f}ms p99.9={:.3f}ms", s.p50_ms, s.p99_ms, s.p999_ms);
  line += fmt::format(" errors={} disconnects={} cpu bench={}% server={}%", s.errors, s.disconnects,
                      cpu(s.bench_cpu), cpu(s.server_cpu));
  return line;
}

std::string format_table(const BenchOptions& opt, const RunSummary& r) {
  std::string out = fmt::format(
      "checkers-bench {}: {} connections to {}:{}, {} ready, {} failed, set-up {:.2f} s\n",
      to_string(opt.mode), r.requested, opt.host, opt.port, r.ready, r.setup_errors,
      r.setup_seconds);
  out += fmt::format("{:>5} {:>7} {:>6} {:>10} {:>7} {:>9} {:>9} {:>9} {:>6} {:>6} {:>6} {:>7}\n",
                     "round", "secs", "conns", rate_name(opt.mode), "games", "p50 ms", "p99 ms",
                     "p99.9 ms", "errors", "disc", "bench%", "server%");
  int n = 0;
  for (const IntervalStats& s : r.windows)
    out += fmt::format(
        "{:>5} {:>7.2f} {:>6} {:>10.1f} {:>7} {:>9.3f} {:>9.3f} {:>9.3f} {:>6} {:>6} {:>6} {:>7}\n",
        ++n, s.seconds, s.connections, rate(opt.mode, s), s.games, s.p50_ms, s.p99_ms, s.p999_ms,
        s.errors, s.disconnects, cpu(s.bench_cpu), cpu(s.server_cpu));
  if (opt.mode == Mode::Play)
    for (const IntervalStats& s : r.windows)
      out += fmt::format(
          "games in progress (of {}; sampled every 10 ms: median {:.1f}, min {}; most at any "
          "moment {}){}\n",
          r.games_target, s.games_in_progress_median, s.games_in_progress_min,
          s.games_in_progress_max,
          opt.watchers > 0
              ? fmt::format("; watching median {:.0f}, {} Watches answered, {} refused",
                            s.watching_median, s.watch_starts, s.watch_refused)
              : std::string());
  if (opt.mode == Mode::Idle && !r.windows.empty()) {
    const IntervalStats& s = r.windows.front();
    out += fmt::format(
        "sessions held {} (queued {}, in a game {}); QueuePosition ticks {} "
        "(burst median {:.2f} ms, max {:.2f} ms); longest silence {:.0f} ms\n",
        s.connections, s.queued, s.in_game, s.ticks, s.tick_spread_ms_median, s.tick_spread_ms_max,
        s.max_gap_ms);
  }
  if (r.server_rss_before_kib >= 0 && r.server_rss_after_kib >= 0 && r.ready > 0)
    out += fmt::format("server RSS {} KiB empty -> {} KiB: {:.2f} KiB per session\n",
                       r.server_rss_before_kib, r.server_rss_after_kib,
                       static_cast<double>(r.server_rss_after_kib - r.server_rss_before_kib) /
                           static_cast<double>(r.ready));
  if (r.bench_rss_kib >= 0) out += fmt::format("bench RSS {} KiB\n", r.bench_rss_kib);
  return out;
}

std::string format_json(const BenchOptions& opt, const RunSummary& r) {
  const auto med = [&](auto f) { return median_of(r, f); };
  const IntervalStats first = r.windows.empty() ? IntervalStats{} : r.windows.front();
  const double per_session =
      (r.server_rss_before_kib >= 0 && r.server_rss_after_kib >= 0 && r.ready > 0)
          ? static_cast<double>(r.server_rss_after_kib - r.server_rss_before_kib) /
                static_cast<double>(r.ready)
          : -1.0;
  std::string rounds;
  for (const IntervalStats& s : r.windows) rounds += (rounds.empty() ? "" : ",") + round_json(s);
  return fmt::format(
      "{{\"mode\":\"{}\",\"protocol\":{},\"games_target\":{},\"watchers_per_game\":{},"
      "\"games_in_progress_median\":{:.1f},\"games_in_progress_min\":{},"
      "\"games_in_progress_max\":{},\"watching_median\":{:.1f},\"watch_starts\":{},"
      "\"watch_refused\":{},\"min_requeue_gap_ms\":{:.3f},\"connections\":{},\"requested\":{},"
      "\"ready\":{},\"setup_errors\":{},"
      "\"setup_s\":{:.3f},\"sessions\":{},\"games\":{},\"moves_per_sec\":{:.1f},"
      "\"logins_per_sec\":{:.2f},\"p50_ms\":{:.3f},\"p99_ms\":{:.3f},\"p999_ms\":{:.3f},"
      "\"errors\":{},\"disconnects\":{},\"opponent_disconnects\":{},\"invalid_moves\":{},"
      "\"bench_cpu\":{:.1f},\"server_cpu\":{:.1f},\"server_rss_before_kib\":{},"
      "\"server_rss_after_kib\":{},\"rss_per_session_kib\":{:.3f},\"bench_rss_kib\":{},"
      "\"queued\":{},\"in_game\":{},\"ticks\":{},\"tick_ms_median\":{:.3f},\"tick_ms_max\":{:.3f},"
      "\"max_gap_ms\":{:.1f},\"rounds\":[{}]}}",
      to_string(opt.mode), opt.mode == Mode::Play ? opt.protocol : 1, r.games_target, opt.watchers,
      med([](const IntervalStats& s) { return s.games_in_progress_median; }),
      min_of(r, &IntervalStats::games_in_progress_min),
      max_of(r, &IntervalStats::games_in_progress_max),
      med([](const IntervalStats& s) { return s.watching_median; }),
      sum_of(r, &IntervalStats::watch_starts), sum_of(r, &IntervalStats::watch_refused), min_gap(r),
      first.connections, r.requested, r.ready, r.setup_errors, r.setup_seconds, first.connections,
      sum_of(r, &IntervalStats::games),
      med([](const IntervalStats& s) { return s.per_second(s.moves); }),
      med([](const IntervalStats& s) { return s.per_second(s.logins); }),
      med([](const IntervalStats& s) { return s.p50_ms; }),
      med([](const IntervalStats& s) { return s.p99_ms; }),
      med([](const IntervalStats& s) { return s.p999_ms; }),
      sum_of(r, &IntervalStats::errors) + r.setup_errors, sum_of(r, &IntervalStats::disconnects),
      sum_of(r, &IntervalStats::opponent_disconnects), sum_of(r, &IntervalStats::invalid_moves),
      med([](const IntervalStats& s) { return s.bench_cpu; }),
      med([](const IntervalStats& s) { return s.server_cpu; }), r.server_rss_before_kib,
      r.server_rss_after_kib, per_session, r.bench_rss_kib, first.queued, first.in_game,
      first.ticks, first.tick_spread_ms_median, first.tick_spread_ms_max, first.max_gap_ms, rounds);
}

}  // namespace checkers::bench
