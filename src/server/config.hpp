// ServerConfig: every deployment setting of checkers-server, and the CLI11
// options that fill it (each with its documented default). main.cpp owns the
// CLI::App; tests and other binaries can reuse add_server_options().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "discovery/responder_options.hpp"
#include "game/search.hpp"
#include "reactor/poller.hpp"
#include "server/game_clock.hpp"

namespace CLI {
class App;
}

namespace checkers::server {

enum class Registration { Open, Closed };

// --house-bot LEVEL[:SECONDS]: the server's own engine plays whoever waited alone that long.
struct HouseBotSettings {
  game::Level level = game::Level::Medium;
  double wait_s = 10;
};

struct ServerConfig {
  // Network. Empty listen_addr = every interface, IPv4 and IPv6.
  std::string listen_addr;
  // SERVICE: the well-known TCP port of Checkers Protocol v1; --port or the config file override
  // it.
  uint16_t port = 8864;
  std::string port_file;  // written with the bound port once listening
  std::string data_dir = "./var";
  std::string poller_name;  // "epoll" | "poll"; empty = CHECKERS_POLLER or epoll
  reactor::PollerKind poller = reactor::PollerKind::Epoll;

  // Logging.
  bool verbose = false;
  bool quiet = false;
  std::string log_file;

  // Accounts.
  Registration registration = Registration::Open;

  // Limits.
  size_t max_clients = 10000;
  size_t max_clients_per_ip = 64;
  double turn_timeout_s = 120;
  double login_timeout_s = 60;
  // Protocol v2 (docs/PROTOCOL-v2.md §7, §11): the Fischer time control of games
  // between v2 players, and whether players may chat.
  std::string time_control_spec = "5+3";
  TimeControl time_control;
  bool chat = true;
  double invitation_timeout_s = 30;  // --invite-timeout: challenges and rematches
  // Matchmaking: allowed rating gap = base + per_second * wait.
  uint32_t match_base_gap = 100;
  uint32_t match_gap_per_second = 50;
  std::string house_bot_spec;  // --house-bot as given; finish_config() fills house_bot
  std::optional<HouseBotSettings> house_bot;

  // LAN discovery: --udp-port, --announce-interval, --no-discovery, --legacy-beacon,
  // --server-name (src/discovery); the responder reads Server::players_online/queued().
  discovery::ResponderOptions discovery;
  bool no_discovery = false;  // --no-discovery; finish_config() clears discovery.enabled
};

// Where the packaged server looks for its config file when --config is not given.
inline constexpr const char* kDefaultConfigFile = "/etc/checkers/server.conf";

// Adds every server option to `app`, bound to `config`. Call finish_config()
// after parsing.
void add_server_options(CLI::App& app, ServerConfig& config);
// Adds --config FILE: every server option may also be set in that file (CLI11's
// INI/TOML format, keys are the long option names); the command line wins. An
// explicit file that is missing, or an unknown key in it, is a parse error.
// Without --config, kDefaultConfigFile is read if it exists.
void add_config_file_option(CLI::App& app);
// Cross-option checks and derived values after parsing; throws CLI::ValidationError.
void finish_config(ServerConfig& config);

}  // namespace checkers::server
