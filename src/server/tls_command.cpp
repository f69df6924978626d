#include "server/tls_command.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <ostream>

#ifdef CHECKERS_HAVE_TLS
#include "server/tls_certificate.hpp"
#endif

namespace checkers::server {

std::string tls_build_description() {
#ifdef CHECKERS_HAVE_TLS
  return "TLS: " + reactor::tls_library_version();
#else
  return "TLS: not built (CHECKERS_TLS=OFF): plain text only";
#endif
}

CLI::App* add_tls_subcommands(CLI::App& app) {
  CLI::App* tls = app.add_subcommand("tls", "TLS certificate of this server (fingerprint)");
  tls->require_subcommand(1);
  tls->fallthrough();
  CLI::App* fp =
      tls->add_subcommand("fingerprint",
                          "Print the SHA-256 fingerprint of the TLS certificate (--tls-cert, or "
                          "the self-signed one in --data-dir, created if missing)");
  fp->fallthrough();
  return tls;
}

int run_tls_fingerprint(const ServerConfig& config, std::ostream& out, std::ostream& err) {
#ifdef CHECKERS_HAVE_TLS
  try {
    const ServerTlsIdentity id = load_or_create_identity(config);
    out << id.fingerprint << "\n";
    return 0;
  } catch (const std::exception& e) {
    err << "checkers-server: " << e.what() << "\n";
    return 1;
  }
#else
  (void)config;
  (void)out;
  err << "checkers-server: this build has no TLS (built with CHECKERS_TLS=OFF)\n";
  return 1;
#endif
}

}  // namespace checkers::server
