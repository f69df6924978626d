#include "client/options.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "client/known_servers.hpp"
#include "proto/types.hpp"
#include "proto/version.hpp"

#ifndef CHECKERS_VERSION_STRING
#define CHECKERS_VERSION_STRING "unknown"
#endif

namespace checkers::client {

namespace {

std::optional<game::Level> parse_level(const std::string& s) {
  if (s == "random") return game::Level::Random;
  if (s == "medium") return game::Level::Medium;
  if (s == "strong") return game::Level::Strong;
  return std::nullopt;
}

int usage_error(const CLI::App& app, const std::string& what) {
  std::fprintf(stderr, "checkers-client: %s\n\n%s", what.c_str(), app.help().c_str());
  return 2;
}

}  // namespace

std::variant<ClientOptions, int> parse_options(int argc, char** argv) {
  ClientOptions o;
  CLI::App app{"checkers-client: play checkers on a Checkers Protocol v1 server",
               "checkers-client"};
  std::string host;
  std::string username;
  std::string password;
  std::string log_file;
  std::string bot_level;
  std::string poller;
  uint64_t seed = 0;
  // CLIENT: the user names the server's host on the command line.
  app.add_option("--host-addr", host,
                 "Server IPv4/IPv6 address or host name (default: find servers on the LAN)");
  app.add_option("--port", o.port, "Server TCP port")->capture_default_str();
  app.add_option("--username", username, "Account name (prompted when missing)");
  app.add_option("--password", password,
                 "Password (prompted when missing; or set CHECKERS_PASSWORD)");
  app.add_flag("--verbose", o.verbose,
               "Log at debug level, including every message sent and received");
  app.add_option(
      "--log-file", log_file,
      "Log file used when stderr is the terminal the board is drawn on "
      "(default $XDG_STATE_HOME/checkers/client.log or ~/.local/state/checkers/client.log)");
  auto* bot =
      app.add_option("--bot", bot_level, "Play by itself: random, medium (default) or strong")
          ->expected(0, 1);
  auto* games_opt =
      app.add_option("--games", o.games, "With --bot: number of games to play, then exit")
          ->capture_default_str()
          ->check(CLI::PositiveNumber);
  auto* rematch_opt = app.add_flag(
      "--bot-rematch", o.bot_rematch,
      "With --bot on a protocol v2 server: after a game ask the same opponent for a rematch, "
      "and accept one, instead of joining the queue");
  std::string games_dir;
  std::string vs_level;
  app.add_option("--games-dir", games_dir,
                 "Where finished games are saved as PDN (default $XDG_DATA_HOME/checkers/games or "
                 "~/.local/share/checkers/games)");
  app.add_flag("--no-save", o.no_save, "Do not save finished games");
  app.add_option("--protocol", o.protocol,
                 "Highest protocol version to offer: 2 (clocks, draws, chat, lobby, watching; "
                 "falls back to 1 when the server only speaks 1) or 1 (as the reference client)")
      ->capture_default_str()
      ->check(CLI::Range(1, 2));
  auto* vs = app.add_option("--vs-computer", vs_level,
                            "Play one local, unrated game against the computer: random, medium "
                            "(default) or strong")
                 ->expected(0, 1);
  auto* seed_opt =
      app.add_option("--seed", seed, "With --bot: search seed (default from time and pid)");
  app.add_flag("--no-color", o.no_color, "Plain ASCII output even on a terminal");
  app.add_option("--poller", poller,
                 "I/O backend: epoll or poll (default $CHECKERS_POLLER or epoll)");
  app.add_option("--discover-ms", o.discover_ms, "How long to look for servers on the LAN")
      ->capture_default_str()
      ->check(CLI::Range(50, 60000));
  app.add_flag("--list-servers", o.list_servers, "List the servers found on the LAN and exit");
  std::string tls_mode = "auto";
  std::string tls_fingerprint;
  std::string tls_ca;
  app.add_option("--tls", tls_mode,
                 "auto: TLS when the server offers it (never plain again once seen), plain with "
                 "a warning otherwise; on: TLS or nothing; off: plain text")
      ->capture_default_str();
  app.add_option("--tls-fingerprint", tls_fingerprint,
                 "Accept only the server certificate with this SHA-256 fingerprint (implies "
                 "--tls on)");
  app.add_option("--tls-ca", tls_ca,
                 "Verify the server's certificate chain against these PEM CAs and its host name "
                 "instead of trusting on first use (implies --tls on)");
#ifdef CHECKERS_HAVE_TLS
  const char* tls_build = "TLS";
#else
  const char* tls_build = "no TLS: built with CHECKERS_TLS=OFF";
#endif
  app.set_version_flag("--version",
                       fmt::format("checkers-client {} (protocol {}, {})", CHECKERS_VERSION_STRING,
                                   proto::kProtocolVersion, tls_build));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      app.exit(e);
      return 0;
    }
    return usage_error(app, e.what());
  }
  if (!host.empty()) o.host = host;
  if (!username.empty()) o.username = username;
  if (!password.empty()) {
    o.password = password;
  } else if (const char* env = std::getenv("CHECKERS_PASSWORD"); env != nullptr && *env != '\0') {
    o.password = std::string(env);
  }
  if (!log_file.empty()) o.log_file = log_file;
  if (bot->count() > 0) {
    o.bot = parse_level(bot_level.empty() ? "medium" : bot_level);
    if (!o.bot)
      return usage_error(app, "--bot takes random, medium or strong, not '" + bot_level + "'");
  }
  if (seed_opt->count() > 0) o.seed = seed;
  if (games_opt->count() > 0 && !o.bot)
    return usage_error(app, "--games only counts games played with --bot");
  if (rematch_opt->count() > 0 && !o.bot) return usage_error(app, "--bot-rematch needs --bot");
  if (!games_dir.empty()) o.games_dir = games_dir;
  if (vs->count() > 0) {
    o.vs_computer = parse_level(vs_level.empty() ? "medium" : vs_level);
    if (!o.vs_computer)
      return usage_error(app,
                         "--vs-computer takes random, medium or strong, not '" + vs_level + "'");
    if (o.bot) return usage_error(app, "--vs-computer is for a person; --bot plays on a server");
  }
  if (!poller.empty()) {
    o.poller = reactor::parse_poller(poller);
    if (!o.poller) return usage_error(app, "--poller takes epoll or poll, not '" + poller + "'");
  }
  // The protocol fields are 16 bytes; a longer value is refused, never cut.
  for (const auto& [name, value] :
       {std::pair{"--username", &o.username}, std::pair{"--password", &o.password}}) {
    if (*value && (*value)->size() > proto::Str16::kCapacity)
      return usage_error(app, fmt::format("{} is {} bytes long; the protocol allows at most {}",
                                          name, (*value)->size(), proto::Str16::kCapacity));
  }
  if (tls_mode == "auto") {
    o.tls = TlsChoice::Auto;
  } else if (tls_mode == "on") {
    o.tls = TlsChoice::On;
  } else if (tls_mode == "off") {
    o.tls = TlsChoice::Off;
  } else {
    return usage_error(app, "--tls takes auto, on or off, not '" + tls_mode + "'");
  }
  if (!tls_fingerprint.empty()) {
    o.tls_fingerprint = normalize_fingerprint(tls_fingerprint);
    if (o.tls_fingerprint->empty())
      return usage_error(app, "--tls-fingerprint takes 32 bytes of hex (AB:CD:...), not '" +
                                  tls_fingerprint + "'");
  }
  if (!tls_ca.empty()) o.tls_ca = tls_ca;
  if ((o.tls_fingerprint || o.tls_ca) && o.tls == TlsChoice::Off)
    return usage_error(app, "--tls-fingerprint and --tls-ca need TLS; not with --tls off");
#ifndef CHECKERS_HAVE_TLS
  if (o.tls == TlsChoice::On || o.tls_fingerprint || o.tls_ca)
    return usage_error(app, "this build has no TLS (built with CHECKERS_TLS=OFF)");
#endif
  if (o.bot && (!o.username || !o.password))
    return usage_error(
        app, "--bot needs --username and --password (or CHECKERS_PASSWORD): a bot never prompts");
  return o;
}

}  // namespace checkers::client
