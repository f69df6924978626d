// TlsClient: the client's TLS policy, shared by every connection of one run.
//   --tls auto (default): TLS first. A server that answers the ClientHello with something
//       that is not TLS (the reference implementation) is used in plain text with a
//       warning - unless known_servers lists it: once seen with TLS, never plain again.
//   --tls on: TLS or nothing.   --tls off: plain text (with the same warning).
// Trust, like ssh: a certificate seen for the first time is shown and its fingerprint
// stored in known_servers; a different one later is refused, naming the file and line.
// --tls-fingerprint pins one fingerprint; --tls-ca verifies a CA chain and the host name
// instead (both imply --tls on). The certificate is checked inside the handshake, so a
// refused server never receives a byte of the Connect (the password).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "client/known_servers.hpp"
#include "reactor/transport.hpp"

namespace checkers::reactor {
class TlsContext;
}

namespace checkers::client {

enum class TlsChoice { Auto, On, Off };

struct TlsClientOptions {
  TlsChoice mode = TlsChoice::Auto;
  std::string pinned_fingerprint;  // "AB:CD:..." (normalized)
  std::string ca_file;
  std::filesystem::path known_servers = KnownServers::default_path();
  std::string keylog_file;  // SSLKEYLOGFILE
};

class TlsClient {
 public:
  // Throws reactor::TlsError (an unreadable --tls-ca file).
  explicit TlsClient(TlsClientOptions options);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  struct Plan {
    bool tls = false;
    bool may_fall_back = false;  // to plain text, if the server does not speak TLS
  };
  Plan plan(const std::string& host, uint16_t port) const;
  // LAN discovery announced TLS for this server: no plain-text fallback for it either.
  void offered(const std::string& host, uint16_t port) { offered_ = endpoint_key(host, port); }

  // A TLS transport for a dialled socket; null in a build without TLS.
  std::unique_ptr<reactor::Transport> transport(int fd, const std::string& host, uint16_t port);
  // The handshake is done: a first-seen certificate is stored; returns what to show the
  // player about it (empty when it was known or pinned).
  std::string trusted(const std::string& host, uint16_t port, const std::string& fingerprint);
  // After a failed handshake: did the server present a certificate at all? If not, it does
  // not speak TLS (and auto may fall back).
  bool certificate_seen() const { return attempt_.seen; }
  // After a failed handshake: the sentence for the player.
  std::string refusal(const std::string& host, uint16_t port, const std::string& tls_error) const;

  // The one-line warning before a password goes out in plain text; empty when this
  // endpoint was warned about already in this run (a reconnect after a failed login).
  std::string plain_warning(const std::string& host, uint16_t port);
  const TlsClientOptions& options() const { return options_; }

 private:
  struct Attempt {
    bool seen = false;
    std::string got;
    std::optional<KnownServers::Entry> expected;
  };
  bool check(const std::string& fingerprint);

  TlsClientOptions options_;
  KnownServers known_;
  Attempt attempt_;
  std::string offered_;
  std::string warned_;                            // the endpoint of the last plain-text warning
  std::shared_ptr<reactor::TlsContext> context_;  // shared_ptr: incomplete without TLS
};

}  // namespace checkers::client
