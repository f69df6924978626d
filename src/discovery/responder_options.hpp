// The server's discovery command-line options (--udp-port, --announce-interval,
// --no-discovery, --legacy-beacon, --server-name) and their translation into a
// ResponderConfig, so checkers-server wires discovery in a few lines.
#pragma once

#include "discovery/responder.hpp"

#include <cstdint>
#include <string>

namespace CLI {
class App;
}

namespace checkers::discovery {

struct ResponderOptions {
  bool enabled = true;  // --no-discovery clears it
  uint16_t udp_port = kDefaultUdpPort;
  double announce_interval_s = 5;  // 0 = no periodic announcements
  bool legacy_beacon = false;
  std::string server_name;  // "" = host name
};

void add_responder_options(CLI::App& app, ResponderOptions& options);
// After parsing: throws CLI::ValidationError for a name that cannot be announced.
void check_responder_options(const ResponderOptions& options);
ResponderConfig to_responder_config(const ResponderOptions& options, uint16_t tcp_port);

}  // namespace checkers::discovery
