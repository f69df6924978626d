#include "server/config.hpp"

#include <CLI/CLI.hpp>

#include <map>

namespace checkers::server {

void add_server_options(CLI::App& app, ServerConfig& c) {
  discovery::add_responder_options(app, c.discovery);
  // src/discovery declares --no-discovery with a counting callback, which CLI11 cannot
  // feed from a config file ("no-discovery = true" fails to convert); a bool flag works
  // on the command line and in the file alike.
  if (CLI::Option* counting = app.get_option_no_throw("--no-discovery")) {
    const std::string help = counting->get_description();
    app.remove_option(counting);
    app.add_flag("--no-discovery", c.no_discovery, help);
  }
  app.add_option("--listen-addr", c.listen_addr,
                 "Address to listen on (IPv4 or IPv6 literal or host name); default: all "
                 "interfaces, IPv4 and IPv6");
  // SERVICE: --port, default 8864.
  app.add_option("--port", c.port, "TCP port to listen on (0 = any free port)")
      ->capture_default_str();
  app.add_option("--port-file", c.port_file,
                 "Write the bound TCP port to this file once listening (for scripts and tests)");
  app.add_option("--data-dir", c.data_dir, "Directory of the account store")->capture_default_str();
  app.add_option("--poller", c.poller_name,
                 "I/O multiplexer: epoll or poll (default: $CHECKERS_POLLER, else epoll)")
      ->check(CLI::IsMember({"epoll", "poll"}));

  // Not excludes(): that would refuse `verbose = false` next to `quiet = true` in a config
  // file; finish_config() refuses the two only when both are on.
  app.add_flag("-v,--verbose", c.verbose,
               "Log at DEBUG level, including every message sent and received");
  app.add_flag("-q,--quiet", c.quiet, "Log warnings and errors only (not with --verbose)");
  app.add_option("--log-file", c.log_file,
                 "Also append the log to this file (reopened on SIGHUP, for log rotation)");

  const std::map<std::string, Registration> reg{{"open", Registration::Open},
                                                {"closed", Registration::Closed}};
  app.add_option("--registration", c.registration,
                 "open: a Connect with an unknown name creates the account; closed: it is "
                 "refused (accounts are made with `user add`)")
      ->transform(CLI::CheckedTransformer(reg, CLI::ignore_case))
      ->default_str("open");

  app.add_option("--max-clients", c.max_clients,
                 "Connections served at once; more are accepted and closed at once")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
  app.add_option("--max-clients-per-ip", c.max_clients_per_ip,
                 "Connections served at once from one source address")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1'000'000}));
  app.add_option("--turn-timeout", c.turn_timeout_s,
                 "Seconds a player may take for a move; who runs out loses")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 86400.0));
  app.add_option("--login-timeout", c.login_timeout_s,
                 "Seconds a connection may stay without a successful login before it is closed "
                 "(counted again after each failed login)")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 86400.0));
  app.add_option("--time-control", c.time_control_spec,
                 "BASE+INC: Fischer clocks of games between protocol v2 players, BASE minutes "
                 "(or seconds with an s suffix: 30s), INC seconds per move; a game with a v1 "
                 "player uses --turn-timeout per move instead")
      ->capture_default_str();
  const std::map<std::string, bool> on_off{{"on", true}, {"off", false}};
  app.add_option("--chat", c.chat, "on: players of a game may chat (protocol v2); off: refused")
      ->transform(CLI::CheckedTransformer(on_off, CLI::ignore_case))
      ->default_str("on");
  app.add_option("--invite-timeout", c.invitation_timeout_s,
                 "Seconds a challenge or rematch invitation (protocol v2) stays open")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 3600.0));
  app.add_option("--match-gap", c.match_base_gap,
                 "Matchmaking: largest rating gap paired at once (it widens while players wait)")
      ->capture_default_str();
  app.add_option("--match-gap-growth", c.match_gap_per_second,
                 "Matchmaking: rating points the allowed gap widens per second of waiting")
      ->capture_default_str();
  app.add_option("--house-bot", c.house_bot_spec,
                 "LEVEL[:SECONDS]: a player who waits alone in the queue longer than SECONDS "
                 "(default 10) plays the server's own engine (random, medium or strong) under "
                 "the rated account computer-LEVEL; off by default");
}

void add_config_file_option(CLI::App& app) {
  app.set_config(
      "--config", kDefaultConfigFile,
      std::string("Read options from this INI/TOML file (keys are the long option names, "
                  "e.g. port = 8864); options given on the command line override it. "
                  "Default: ") +
          kDefaultConfigFile + " if it exists, else none");
  // A misspelt key must not be ignored silently: it is a setting the admin thinks is on.
  app.allow_config_extras(CLI::config_extras_mode::error);
}

namespace {

std::optional<HouseBotSettings> parse_house_bot(const std::string& spec) {
  const std::string usage =
      "takes LEVEL[:SECONDS], LEVEL random, medium or strong, SECONDS 0-86400";
  HouseBotSettings s;
  const auto colon = spec.find(':');
  const std::string level = spec.substr(0, colon);
  if (level == "random") {
    s.level = game::Level::Random;
  } else if (level == "medium") {
    s.level = game::Level::Medium;
  } else if (level == "strong") {
    s.level = game::Level::Strong;
  } else {
    throw CLI::ValidationError("--house-bot", usage + ", not '" + spec + "'");
  }
  if (colon != std::string::npos) {
    const std::string seconds = spec.substr(colon + 1);
    std::size_t used = 0;
    try {
      s.wait_s = std::stod(seconds, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (seconds.empty() || used != seconds.size() || !(s.wait_s >= 0 && s.wait_s <= 86400))
      throw CLI::ValidationError("--house-bot", usage + ", not '" + spec + "'");
  }
  return s;
}

}  // namespace

void finish_config(ServerConfig& c) {
  if (const std::optional<TimeControl> tc = parse_time_control(c.time_control_spec))
    c.time_control = *tc;
  else
    throw CLI::ValidationError("--time-control",
                               "takes BASE+INC (e.g. 5+3 or 30s+2; base 1 s "
                               "to 180 min, increment 0 to 60 s), not '" +
                                   c.time_control_spec + "'");
  if (!c.house_bot_spec.empty()) c.house_bot = parse_house_bot(c.house_bot_spec);
  if (c.no_discovery) c.discovery.enabled = false;
  if (c.verbose && c.quiet)
    throw CLI::ValidationError("--quiet", "--verbose and --quiet exclude each other");
  discovery::check_responder_options(c.discovery);
  if (c.poller_name.empty()) {
    c.poller = reactor::default_poller();
  } else if (auto kind = reactor::parse_poller(c.poller_name)) {
    c.poller = *kind;
  } else {
    throw CLI::ValidationError("--poller", "must be epoll or poll");
  }
}

}  // namespace checkers::server
