// The server's TLS identity: --tls-cert/--tls-key when given, otherwise a self-signed
// ECDSA P-256 certificate that the server creates in its data dir on first start
// (tls-key.pem and tls-cert.pem, mode 0600) and keeps across restarts, so clients that
// trusted it on first use (or pinned its fingerprint) keep trusting it. Built only with
// CHECKERS_TLS.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "reactor/tls_context.hpp"
#include "server/config.hpp"

namespace checkers::server {

struct ServerTlsIdentity {
  std::string cert_file;
  std::string key_file;
  bool self_signed = false;  // made by us in the data dir
  bool created = false;      // made just now
  std::string fingerprint;   // SHA-256 of the certificate, "AB:CD:..."
};

// The configured pair, or the data dir's self-signed one (created when missing).
// Throws reactor::TlsError or std::system_error.
ServerTlsIdentity load_or_create_identity(const ServerConfig& config);

// A new self-signed ECDSA P-256 certificate for `common_name`, valid for 20 years,
// written (atomically, mode 0600) to key_file and cert_file.
void create_self_signed(const std::filesystem::path& key_file,
                        const std::filesystem::path& cert_file, const std::string& common_name);

}  // namespace checkers::server
