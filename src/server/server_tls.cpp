// Server: TLS on the game port (issue 17). One port serves both kinds of client: the
// first byte of a connection decides. 0x16 opens a TLS record (a ClientHello); protocol
// v1 has no message type 0x16, so a plain client - the reference implementation's - is
// never mistaken for one, and its bytes reach the session unchanged.
#include <spdlog/spdlog.h>

#include "server/limits.hpp"
#include "server/server.hpp"

#ifdef CHECKERS_HAVE_TLS
#include "reactor/tls_context.hpp"
#include "server/tls_certificate.hpp"
#endif

namespace checkers::server {

namespace {
constexpr uint8_t kTlsHandshakeRecord = 0x16;
}

void Server::start_tls() {
  if (config_.tls == TlsMode::Off) return;
#ifdef CHECKERS_HAVE_TLS
  const ServerTlsIdentity id = load_or_create_identity(config_);
  if (id.created)
    spdlog::info("created a self-signed TLS certificate {} (key {}, mode 0600)", id.cert_file,
                 id.key_file);
  auto tls = reactor::TlsContext::server(id.cert_file, id.key_file);
  tls_ = std::move(tls);
  tls_fingerprint_ = id.fingerprint;
  spdlog::info("TLS {} with certificate {}, SHA-256 fingerprint {}", to_string(config_.tls),
               id.cert_file, id.fingerprint);
#endif
}

void Server::offer_tls(reactor::TcpConnection& conn, uint64_t session_id) {
  if (config_.tls == TlsMode::Off) return;
  conn.set_transport_selector([this, session_id](
                                  reactor::TcpConnection& c,
                                  uint8_t first) -> std::unique_ptr<reactor::Transport> {
#ifdef CHECKERS_HAVE_TLS
    if (first == kTlsHandshakeRecord && tls_) {
      // The login timer bounds the whole login; this bounds a trickled handshake.
      loop_.run_after(limits::kTlsHandshakeTimeout, [this, session_id, weak = c.weak_from_this()] {
        const reactor::TcpConnectionPtr conn = weak.lock();
        if (!conn || conn->closed() || conn->transport() == nullptr ||
            conn->transport()->handshake_done())
          return;
        if (Session* s = find_session(session_id)) s->close("TLS handshake not finished in time");
      });
      c.set_handshake_callback([this, session_id](const reactor::TcpConnectionPtr& conn) {
        if (Session* s = find_session(session_id))
          spdlog::debug("{} TLS {}", s->tag(), conn->transport()->describe());
      });
      return tls_->accept(c.fd());
    }
#endif
    if (config_.tls == TlsMode::Required) {
      if (Session* s = find_session(session_id))
        s->close(fmt::format("plain-text connection refused (first byte {:#04x}; --tls required)",
                             first));
      return nullptr;
    }
    return std::make_unique<reactor::PlainTransport>(c.fd());
  });
}

}  // namespace checkers::server
