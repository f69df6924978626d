#include "bench/cli.hpp"

#include <sys/resource.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "bench/bot_timing.hpp"
#include "bench/load_generator.hpp"
#include "bench/options.hpp"
#include "bench/report.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/signal_watcher.hpp"

namespace checkers::bench {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr rlim_t kSpareFds = 64;

void add_options(CLI::App& app, BenchOptions& o, std::string& mode, std::string& poller,
                 int& protocol) {
  app.add_option("mode", mode,
                 "play: random games as fast as the server answers; idle: hold logged-in "
                 "sessions; login: Connect/LogOut cycles; bot: time the bot's move at each "
                 "level (no server)")
      ->required()
      ->check(CLI::IsMember({"play", "idle", "login", "bot"}));
  app.add_option("--host", o.host, "Server address")->capture_default_str();
  app.add_option("--port", o.port, "Server port")->capture_default_str();
  app.add_option("-c,--connections", o.connections, "Client connections")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
  app.add_option("--games", o.games,
                 "play: games kept in progress (0 = connections / 2); more connections than "
                 "2 x games rest between games")
      ->capture_default_str();
  app.add_option("--protocol", protocol,
                 "play: protocol version of the players (2: whole-path moves, clocks)")
      ->capture_default_str()
      ->check(CLI::Range(1, 2));
  app.add_option("--watchers", o.watchers,
                 "play, --protocol 2: extra connections per game that watch it")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{100}));
  app.add_option("-d,--duration", o.duration_s, "Seconds per measurement round")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--seed", o.seed, "Random seed of the move choice")->capture_default_str();
  app.add_flag("--json", o.json, "Print one JSON object as the last line of stdout");
  app.add_flag("!--no-progress", o.per_second, "No per-second lines");
  app.add_option("--name-prefix", o.name_prefix, "Account names are <prefix><n>")
      ->capture_default_str();
  app.add_option("--first-id", o.first_id, "Number of the first account")->capture_default_str();
  app.add_option("--password", o.password, "Password of every bench account")
      ->capture_default_str();
  app.add_option("--sources", o.sources,
                 "Source addresses 127.0.0.1..127.0.0.N (0 = as the ephemeral port range needs)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{0}, size_t{254}));
  app.add_option("--login-window", o.login_window, "Connects + logins in flight during set-up")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100'000}));
  app.add_option("--logins-per-connection", o.logins_per_connection,
                 "login: Connects per TCP connection before a fresh one is dialled")
      ->capture_default_str()
      ->check(CLI::Range(uint32_t{1}, uint32_t{1'000'000}));
  app.add_option("--setup-timeout", o.setup_timeout_s,
                 "Seconds allowed for connecting and logging in")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--rounds", o.rounds, "Measurement rounds on the same connections")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option(
      "--between", o.between_cmd,
      "Shell command run between rounds while the players pause (e.g. a peer benchmark)");
  app.add_option("--server-pid", o.server_pid, "Also report this process's CPU% and RSS");
  app.add_flag("--tls", o.tls,
               "Every connection over TLS (the certificate is not checked: a load test)");
  app.add_option("--poller", poller, "The bench's own poller: epoll or poll")
      ->check(CLI::IsMember({"epoll", "poll"}))
      ->capture_default_str();
}

// The `bot` mode: no server, only the engine's move time per level.
int run_bot_timing(const BenchOptions& opt, size_t positions) {
  const std::vector<LevelTiming> levels = time_bot_levels(positions, opt.seed);
  fmt::print("{:>8} {:>10} {:>10} {:>10} {:>10}\n", "level", "positions", "median ms", "min ms",
             "max ms");
  for (const LevelTiming& l : levels)
    fmt::print("{:>8} {:>10} {:>10.3f} {:>10.3f} {:>10.3f}\n", l.level, l.positions, l.median_ms,
               l.min_ms, l.max_ms);
  if (opt.json) {
    std::string json = "{\"mode\":\"bot\"";
    for (const LevelTiming& l : levels)
      json +=
          fmt::format(",\"{0}_median_ms\":{1:.3f},\"{0}_min_ms\":{2:.3f},\"{0}_max_ms\":{3:.3f}",
                      l.level, l.median_ms, l.min_ms, l.max_ms);
    fmt::print("{},\"positions\":{}}}\n", json, positions);
  }
  return 0;
}

// The combinations of --games, --protocol and --watchers that make sense ("" if fine).
std::string check_play_options(const BenchOptions& o) {
  if (o.mode != Mode::Play && (o.games > 0 || o.protocol != 1 || o.watchers > 0))
    return "--games, --protocol and --watchers are for play";
  if (o.games * 2 > o.connections)
    return fmt::format("--games {} needs at least {} connections", o.games, o.games * 2);
  if (o.watchers > 0 && o.protocol < 2) return "--watchers needs --protocol 2";
  return "";
}

// Every connection needs a descriptor: raise the soft limit up to the hard one.
bool raise_fd_limit(size_t connections) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  const rlim_t need = static_cast<rlim_t>(connections) + kSpareFds;
  if (lim.rlim_cur < need) {
    lim.rlim_cur = std::min(need, lim.rlim_max);
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur >= need) return true;
  fmt::print(stderr,
             "checkers-bench: {} connections need {} file descriptors; RLIMIT_NOFILE allows {} "
             "(hard limit {})\n",
             connections, need, lim.rlim_cur, lim.rlim_max);
  return false;
}

}  // namespace

int run_cli(int argc, char** argv, const std::string& version) {
  CLI::App app{"checkers-bench: load generator for checkers-server (play, idle, login)"};
  app.set_version_flag("--version", version);
  BenchOptions opt;
  std::string mode;
  std::string poller = "epoll";
  int protocol = 1;
  size_t positions = 20;
  add_options(app, opt, mode, poller, protocol);
  app.add_option("--positions", positions, "bot: positions timed per level")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10'000}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  if (mode == "bot") return run_bot_timing(opt, positions);
  opt.mode = mode == "idle" ? Mode::Idle : mode == "login" ? Mode::Login : Mode::Play;
  opt.poller = reactor::parse_poller(poller).value_or(reactor::PollerKind::Epoll);
  opt.protocol = static_cast<uint8_t>(protocol);
  if (const std::string why = check_play_options(opt); !why.empty()) {
    fmt::print(stderr, "checkers-bench: {}\n{}", why, app.help());
    return kExitUsage;
  }
  const size_t games = opt.games > 0 ? opt.games : opt.connections / 2;
  if (!raise_fd_limit(opt.connections + opt.watchers * games)) return kExitFailure;
#ifndef CHECKERS_HAVE_TLS
  if (opt.tls) {
    fmt::print(stderr, "checkers-bench: this build has no TLS (built with CHECKERS_TLS=OFF)\n");
    return kExitUsage;
  }
#endif

  reactor::ignore_sigpipe();
  reactor::EventLoop loop(opt.poller);
  LoadGenerator gen(loop, opt);
  gen.on_note([](const std::string& text) { fmt::print(stderr, "checkers-bench: {}\n", text); });
  if (opt.per_second)
    gen.on_tick([&opt](int window, double t, const IntervalStats& s) {
      fmt::print("{}\n", format_second(opt, window, t, s));
      std::fflush(stdout);
    });
  const RunSummary summary = gen.run();
  fmt::print("{}", format_table(opt, summary));
  if (opt.json) fmt::print("{}\n", format_json(opt, summary));
  std::fflush(stdout);
  return summary.ready == 0 ? kExitFailure : 0;
}

}  // namespace checkers::bench
