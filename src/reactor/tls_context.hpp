// TlsContext: one OpenSSL SSL_CTX with this project's policy - TLS 1.2 at least (1.3
// preferred), no renegotiation, no compression, no session tickets or cache (clients
// connect once per game night; idle sessions stay small), partial writes and buffers
// released while idle - and the factory of TlsTransports for accepted or dialled sockets.
// Built only with CHECKERS_TLS (the default); everything else sees reactor::Transport.
//
// Certificates are identified the way `openssl x509 -noout -fingerprint -sha256` prints
// them: 32 bytes of SHA-256 over the DER, upper-case hex joined by colons.
#pragma once

#include "reactor/transport.hpp"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

struct ssl_ctx_st;
struct x509_st;

namespace checkers::reactor {

struct TlsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class TlsContext {
 public:
  // Accepts a certificate when this returns true (trust on first use, a pinned one).
  using FingerprintCheck = std::function<bool(const std::string& fingerprint)>;

  struct ClientPolicy {
    // Non-empty: verify the chain against these PEM CAs and the host name (or IP).
    std::string ca_file;
    // Otherwise: the leaf certificate is accepted when this says so, during the
    // handshake - before any application byte (a password) is written.
    FingerprintCheck check_fingerprint;
    // Non-empty: append the session secrets here (SSLKEYLOGFILE, for Wireshark).
    std::string keylog_file;
  };

  // Server side: PEM certificate chain and private key. Throws TlsError.
  static std::unique_ptr<TlsContext> server(const std::string& cert_file,
                                            const std::string& key_file);
  static std::unique_ptr<TlsContext> client(ClientPolicy policy);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A transport for an accepted socket; the handshake starts with the peer's ClientHello.
  std::unique_ptr<Transport> accept(int fd) const;
  // A transport for a dialled socket; `host` goes into SNI and the CA-mode name check.
  std::unique_ptr<Transport> connect(int fd, const std::string& host) const;

  const ClientPolicy& policy() const { return policy_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}

  ssl_ctx_st* ctx_;
  ClientPolicy policy_;
};

std::string certificate_fingerprint(x509_st* cert);
// The SHA-256 fingerprint of the first certificate in a PEM file. Throws TlsError.
std::string certificate_file_fingerprint(const std::string& pem_file);
// The linked OpenSSL's version text ("OpenSSL 3.0.19 27 Jan 2026").
std::string tls_library_version();

}  // namespace checkers::reactor
