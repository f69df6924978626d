// The checkers-client command line (CLI11): what the user asked for, validated. Usage
// errors never reach the network: they end with usage text and exit code 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "client/tls_client.hpp"
#include "game/search.hpp"
#include "reactor/poller.hpp"

namespace checkers::client {

struct ClientOptions {
  // CLIENT: --host-addr (IPv4/IPv6 address or host name); none = LAN discovery.
  std::optional<std::string> host;  // --host-addr; none = LAN discovery
  // SERVICE: clients connect to the well-known port 8864 unless --port says otherwise.
  uint16_t port = 8864;
  std::optional<std::string> username;
  std::optional<std::string> password;  // --password or CHECKERS_PASSWORD
  bool verbose = false;
  std::optional<std::string> log_file;
  std::optional<game::Level> bot;
  int games = 1;
  bool bot_rematch = false;  // --bot-rematch
  std::optional<uint64_t> seed;
  bool no_color = false;
  std::optional<reactor::PollerKind> poller;
  std::optional<std::string> games_dir;  // --games-dir; default default_games_dir()
  bool no_save = false;
  std::optional<game::Level> vs_computer;  // --vs-computer: a local game, no server
  int discover_ms = 500;
  bool list_servers = false;
  int protocol = 2;  // --protocol: the highest protocol version offered
  TlsChoice tls = TlsChoice::Auto;
  std::optional<std::string> tls_fingerprint;  // normalized "AB:CD:..."
  std::optional<std::string> tls_ca;
};

// Either the options, or the exit code to leave with at once (0 after --help/--version,
// 2 after a usage error; the text has been printed).
std::variant<ClientOptions, int> parse_options(int argc, char** argv);

}  // namespace checkers::client
