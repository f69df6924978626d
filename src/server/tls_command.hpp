// `checkers-server tls fingerprint`: prints the SHA-256 fingerprint of the certificate the
// server presents (--tls-cert, or the self-signed one in --data-dir, created if missing so
// an admin can publish it before the first start), for players to compare or pin.
#pragma once

#include <iosfwd>
#include <string>

#include "server/config.hpp"

namespace CLI {
class App;
}

namespace checkers::server {

// "TLS: OpenSSL 3.0.19 ..." or "TLS: not built (CHECKERS_TLS=OFF)", for --version.
std::string tls_build_description();
// Registers `tls fingerprint`; returns the `tls` subcommand (test ->parsed()).
CLI::App* add_tls_subcommands(CLI::App& app);
// Exit code 0 with the fingerprint on `out`, 1 with a message on `err`.
int run_tls_fingerprint(const ServerConfig& config, std::ostream& out, std::ostream& err);

}  // namespace checkers::server
