// TlsTestClient: a blocking (poll-driven) protocol v1 client over TLS for tests, the TLS
// twin of support/ProtocolClient: its own OpenSSL client code, independent of the
// reactor's, so a server-side TLS bug cannot hide behind the same bug on both ends.
// Failures (handshake, timeout, close) throw std::runtime_error.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "proto/format.hpp"
#include "proto/messages.hpp"
#include "proto/stream_decoder.hpp"

struct ssl_st;
struct ssl_ctx_st;

namespace checkers::test {

using namespace std::chrono_literals;

class TlsTestClient {
 public:
  // Connects to 127.0.0.1:port and completes the handshake (any certificate).
  explicit TlsTestClient(uint16_t port, std::chrono::milliseconds timeout = 15s);
  ~TlsTestClient();
  TlsTestClient(const TlsTestClient&) = delete;
  TlsTestClient& operator=(const TlsTestClient&) = delete;

  std::string peer_fingerprint() const;  // "AB:CD:..."
  std::string protocol_version() const;  // "TLSv1.3"

  void send(const proto::Message& m);
  // Writes through TLS; false when the connection is gone.
  bool send_raw(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout = 15s);
  proto::Message receive(std::chrono::milliseconds timeout = 15s);
  template <class T>
  T expect(std::chrono::milliseconds timeout = 15s) {
    proto::Message m = receive(timeout);
    if (auto* t = std::get_if<T>(&m)) return *t;
    throw std::runtime_error(
        fmt::format("tls client: expected {}, got {}", proto::name_of(T::kType), m));
  }
  template <class T>
  T expect_skipping_queue(std::chrono::milliseconds timeout = 15s) {
    for (;;) {
      proto::Message m = receive(timeout);
      if (auto* t = std::get_if<T>(&m)) return *t;
      if (!std::holds_alternative<proto::QueuePosition>(m))
        throw std::runtime_error(
            fmt::format("tls client: expected {}, got {}", proto::name_of(T::kType), m));
    }
  }
  proto::QueuePosition login(const std::string& user, const std::string& password);
  // True when the server closes within `timeout` (messages before the close are skipped).
  bool expect_closed(std::chrono::milliseconds timeout = 15s);
  int fd() const { return fd_; }

 private:
  void connect_and_handshake(uint16_t port, std::chrono::milliseconds timeout);
  void release();
  // Waits for the socket as OpenSSL asked; false on timeout.
  bool wait(int ssl_error, std::chrono::steady_clock::time_point deadline) const;

  int fd_ = -1;
  ssl_ctx_st* ctx_ = nullptr;
  ssl_st* ssl_ = nullptr;
  bool closed_ = false;
  proto::StreamDecoder decoder_;
  std::deque<proto::Message> inbox_;
};

// The bytes of a real ClientHello (made with a memory BIO), to send by hand.
std::vector<uint8_t> make_client_hello();
// SHA-256 fingerprint of a PEM certificate file, computed here with OpenSSL directly.
std::string pem_fingerprint(const std::string& file);

}  // namespace checkers::test
