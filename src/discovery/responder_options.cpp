#include "discovery/responder_options.hpp"

#include <CLI/CLI.hpp>

#include <cmath>

namespace checkers::discovery {

void add_responder_options(CLI::App& app, ResponderOptions& o) {
  app.add_option("--udp-port", o.udp_port,
                 "UDP port for LAN discovery queries (reference clients listen on 8864)")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  app.add_option(
         "--announce-interval", o.announce_interval_s,
         "Seconds between broadcast announcements on every interface (0 = only answer queries)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  app.add_flag(
      "--no-discovery", [&o](std::int64_t) { o.enabled = false; },
      "No LAN discovery at all (no UDP socket)");
  app.add_flag(
      "--legacy-beacon", o.legacy_beacon,
      "Also send the reference implementation's empty beacon every second, so its clients find us");
  app.add_option("--server-name", o.server_name,
                 "Name shown to clients that discover this server (UTF-8, at most 64 bytes; "
                 "default: host name)");
}

void check_responder_options(const ResponderOptions& o) {
  if (auto err = validate_server_name(o.server_name); !err.empty()) {
    throw CLI::ValidationError("--server-name", err);
  }
}

ResponderConfig to_responder_config(const ResponderOptions& o, uint16_t tcp_port) {
  ResponderConfig c;
  c.udp_port = o.udp_port;
  c.announce_interval = std::chrono::milliseconds(std::llround(o.announce_interval_s * 1000));
  c.legacy_beacon = o.legacy_beacon;
  c.tcp_port = tcp_port;
  c.server_name = o.server_name;
  return c;
}

}  // namespace checkers::discovery
