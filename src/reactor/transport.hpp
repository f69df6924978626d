// Transport: how a TcpConnection moves bytes over its socket - in the clear (PlainTransport)
// or through TLS (TlsTransport, src/reactor/tls_stream.hpp, built with CHECKERS_TLS). The
// connection keeps its buffers, coalescing and limits; the transport only reads into and
// writes from them, and says which readiness it waits for when it cannot go on (a TLS
// record may need the other direction: a handshake reads to write and writes to read).
#pragma once

#include "reactor/buffer.hpp"

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace checkers::reactor {

class Transport {
 public:
  // What an operation that returned EAGAIN waits for.
  enum class Wait { Readable, Writable };

  virtual ~Transport() = default;

  // Advances the handshake: 1 when it is complete (at once for plain), -1 with *err set
  // otherwise (EAGAIN: wait for waiting_for(); anything else: failed, see error()).
  virtual int handshake(int* err) = 0;
  virtual bool handshake_done() const = 0;
  // Appends at most `limit` bytes to `in`. >0 bytes read; 0 the peer finished; -1 with
  // *err (EAGAIN: wait for waiting_for()).
  virtual ssize_t read(Buffer& in, std::size_t limit, int* err) = 0;
  // >0 bytes of `data` taken; -1 with *err (EAGAIN: wait for waiting_for()).
  virtual ssize_t write(std::span<const std::uint8_t> data, int* err) = 0;
  virtual Wait waiting_for() const { return Wait::Readable; }
  // Input already taken off the socket but not handed out (a TLS record read in part):
  // the socket will not report it readable again.
  virtual bool has_buffered_input() const { return false; }
  // Best effort, non-blocking goodbye before the socket closes (TLS close_notify).
  virtual void shutdown() {}
  // Why the last operation failed, for the log.
  virtual std::string error() const { return {}; }
  // "TLSv1.3 TLS_AES_128_GCM_SHA256"; empty for plain.
  virtual std::string describe() const { return {}; }
  // SHA-256 of the peer's certificate ("AB:CD:..."), once the handshake is done; empty
  // for plain or without one.
  virtual std::string peer_fingerprint() const { return {}; }
};

// The socket itself: readv(2) into the buffer, send(2) without SIGPIPE.
class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(int fd) : fd_(fd) {}
  int handshake(int*) override { return 1; }
  bool handshake_done() const override { return true; }
  ssize_t read(Buffer& in, std::size_t limit, int* err) override;
  ssize_t write(std::span<const std::uint8_t> data, int* err) override;
  Wait waiting_for() const override { return wait_; }

 private:
  int fd_;
  Wait wait_ = Wait::Readable;
};

}  // namespace checkers::reactor
