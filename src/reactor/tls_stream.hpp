// TlsTransport: one non-blocking OpenSSL connection over a TcpConnection's socket. Every
// call maps SSL_ERROR_WANT_READ / WANT_WRITE to EAGAIN plus the readiness it waits for,
// a close_notify (or a bare EOF) to 0, and anything else to EPROTO with error() saying
// what OpenSSL said. Reads hand out at most the connection's per-pass limit; what is left
// of a decrypted record is reported by has_buffered_input().
#pragma once

#include "reactor/transport.hpp"

struct ssl_st;

namespace checkers::reactor {

class TlsTransport final : public Transport {
 public:
  // Takes ownership of `ssl`, already bound to the socket and set to accept or connect.
  explicit TlsTransport(ssl_st* ssl) : ssl_(ssl) {}
  ~TlsTransport() override;
  TlsTransport(const TlsTransport&) = delete;
  TlsTransport& operator=(const TlsTransport&) = delete;

  int handshake(int* err) override;
  bool handshake_done() const override { return done_; }
  ssize_t read(Buffer& in, std::size_t limit, int* err) override;
  ssize_t write(std::span<const std::uint8_t> data, int* err) override;
  Wait waiting_for() const override { return wait_; }
  bool has_buffered_input() const override;
  void shutdown() override;
  std::string error() const override { return error_; }
  std::string describe() const override;
  std::string peer_fingerprint() const override;

 private:
  // The outcome of an SSL call that returned `ret` <= 0, as read()/write() report it.
  ssize_t fail(int ret, int* err);

  ssl_st* ssl_;
  bool done_ = false;
  bool failed_ = false;  // a fatal error: no close_notify (OpenSSL forbids SSL_shutdown)
  Wait wait_ = Wait::Readable;
  std::string error_;
};

}  // namespace checkers::reactor
