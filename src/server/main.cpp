// checkers-server: the game server binary, and `checkers-server user ...` for
// account administration on the same data dir.
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "discovery/responder.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/signal_watcher.hpp"
#include "server/config.hpp"
#include "server/game_admin.hpp"
#include "server/logging.hpp"
#include "server/server.hpp"
#include "server/store.hpp"
#include "server/tls_command.hpp"
#include "server/user_admin.hpp"

namespace {

using namespace checkers;

// Announced with the fingerprint's 32 bytes when the game port offers TLS.
std::optional<discovery::TlsOffer> tls_offer(const server::ServerConfig& config,
                                             const server::Server& srv) {
  const std::string& fp = srv.tls_fingerprint();
  if (config.tls == server::TlsMode::Off || fp.size() != 95) return std::nullopt;
  discovery::TlsOffer offer;
  offer.required = config.tls == server::TlsMode::Required;
  for (std::size_t i = 0; i < offer.fingerprint.size(); ++i)
    offer.fingerprint[i] = static_cast<uint8_t>(std::stoul(fp.substr(i * 3, 2), nullptr, 16));
  return offer;
}

// Discovery is a convenience beside the game service: when its UDP port cannot be
// bound (another server on this host has it) the games still run, with a warning.
// DISCOVERY: the LAN responder runs in the server's event loop beside the game service
// (--no-discovery turns it off).
std::unique_ptr<discovery::DiscoveryResponder> start_discovery(reactor::EventLoop& loop,
                                                               const server::ServerConfig& config,
                                                               const server::Server& srv) {
  if (!config.discovery.enabled) return nullptr;
  discovery::ResponderConfig rc = discovery::to_responder_config(config.discovery, srv.port());
  rc.tls = tls_offer(config, srv);
  auto responder = std::make_unique<discovery::DiscoveryResponder>(loop, std::move(rc), [&srv] {
    return discovery::PlayerCounts{static_cast<uint32_t>(srv.players_online()),
                                   static_cast<uint32_t>(srv.players_queued())};
  });
  try {
    responder->start();
  } catch (const std::exception& e) {
    spdlog::warn("LAN discovery disabled: {}", e.what());
    return nullptr;
  }
  return responder;
}

int run_server(const server::ServerConfig& config) {
  const auto level = config.verbose ? spdlog::level::debug
                     : config.quiet ? spdlog::level::warn
                                    : spdlog::level::info;
  std::unique_ptr<server::ServerLogging> logging;
  try {
    logging = std::make_unique<server::ServerLogging>(level, config.log_file);
  } catch (const std::exception& e) {
    std::cerr << "checkers-server: " << e.what() << "\n";
    return 1;
  }
  std::unique_ptr<server::AccountStore> store;
  try {
    store = server::AccountStore::open(config.data_dir);
  } catch (const std::exception& e) {
    spdlog::critical("cannot open the account store in {}: {}", config.data_dir, e.what());
    return 1;
  }
  // CONCURRENT: one reactor serves the listener, every session, timers, signals and discovery.
  reactor::ignore_sigpipe();  // a log write to a closed stderr pipe must not kill us
  reactor::EventLoop loop(config.poller);
  // Signals before any thread: the server's worker threads must inherit the blocked mask.
  reactor::SignalWatcher signals(loop);
  std::unique_ptr<server::Server> srv;
  signals.on(SIGINT, [&](int) { srv->shutdown(); });
  signals.on(SIGTERM, [&](int) { srv->shutdown(); });
  signals.on(SIGHUP, [&](int) { logging->reopen(); });
  srv = std::make_unique<server::Server>(loop, config, *store);
  try {
    srv->start();
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  std::unique_ptr<discovery::DiscoveryResponder> responder = start_discovery(loop, config, *srv);
  try {
    loop.run();
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    responder.reset();
    srv.reset();
    store->sync();
    return 1;
  }
  responder.reset();
  srv.reset();
  try {
    store->sync();
  } catch (const std::exception& e) {
    spdlog::critical("could not flush the account store: {}", e.what());
    return 1;
  }
  spdlog::info("stopped");
  return 0;
}

std::string config_file(const CLI::App& app) {
  const CLI::Option* opt = app.get_config_ptr();
  return opt == nullptr ? std::string() : opt->as<std::string>();
}

// CLI11 says "INI was not able to parse KEY" for a key no option has.
std::string describe(const CLI::ConfigError& e) {
  const std::string what = e.what();
  const std::string extras = "INI was not able to parse ";
  if (what.rfind(extras, 0) == 0) return "unknown key '" + what.substr(extras.size()) + "'";
  return what;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"checkers-server: rated checkers games over the Checkers Protocol v1"};
  app.set_version_flag("--version", std::string("checkers-server ") + CHECKERS_VERSION_STRING +
                                        "\n" + server::tls_build_description());
  app.option_defaults()->always_capture_default();
  server::ServerConfig config;
  server::add_server_options(app, config);
  server::add_config_file_option(app);
  server::UserCommandArgs user_args;
  CLI::App* user = server::add_user_subcommands(app, user_args);
  CLI::App* tls = server::add_tls_subcommands(app);
  server::GameCommandArgs game_args;
  CLI::App* game = server::add_game_subcommands(app, game_args);
  try {
    app.parse(argc, argv);
    server::finish_config(config);
  } catch (const CLI::ConfigError& e) {
    std::cerr << "checkers-server: config file " << config_file(app) << ": " << describe(e) << "\n";
    return 2;
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (user->parsed()) return server::run_user_command(user_args, config.data_dir);
  if (tls->parsed()) return server::run_tls_fingerprint(config, std::cout, std::cerr);
  if (game->parsed())
    return server::run_game_command(game_args, config.data_dir, std::cout, std::cerr);
  return run_server(config);
}
