// ProtocolClient: a blocking TCP client that speaks protocol v1 at the message
// level, for tests. It sends any proto::Message or raw bytes and receives
// messages decoded by the real StreamDecoder, with a timeout on every wait.
// Failures (timeout, wrong message type, connection closed) throw
// std::runtime_error with a description, which Catch2 reports.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <fmt/format.h>

#include "proto/format.hpp"
#include "proto/messages.hpp"
#include "proto/stream_decoder.hpp"

namespace checkers::test {

using namespace std::chrono_literals;

class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ProtocolClient {
 public:
  // How long a read waits before giving up: a safety net for a broken server, never a
  // bound on speed, so generous enough for a sanitizer build on a loaded machine.
  static constexpr std::chrono::milliseconds kDefaultTimeout = 15s;

  // Connects to host:port (numeric IPv4 or IPv6 address).
  ProtocolClient(const std::string& host, uint16_t port,
                 std::chrono::milliseconds timeout = kDefaultTimeout);
  explicit ProtocolClient(uint16_t port) : ProtocolClient("127.0.0.1", port) {}
  ~ProtocolClient();
  ProtocolClient(ProtocolClient&& other) noexcept;
  ProtocolClient& operator=(ProtocolClient&&) = delete;
  ProtocolClient(const ProtocolClient&) = delete;
  ProtocolClient& operator=(const ProtocolClient&) = delete;

  void send(const proto::Message& m);
  void send_raw(std::span<const uint8_t> bytes);
  void send_raw(std::string_view bytes) {
    send_raw(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }

  // The next message, or nullopt on timeout. Throws if the connection closed.
  std::optional<proto::Message> try_receive(std::chrono::milliseconds timeout = kDefaultTimeout);
  // The next message; throws on timeout or close.
  proto::Message receive(std::chrono::milliseconds timeout = kDefaultTimeout);
  // The next message, which must be a T.
  template <class T>
  T expect(std::chrono::milliseconds timeout = kDefaultTimeout) {
    proto::Message m = receive(timeout);
    if (auto* t = std::get_if<T>(&m)) return *t;
    throw ProtocolError(fmt::format("{}: expected {}, got {}", name_, proto::name_of(T::kType), m));
  }
  // Skips the messages of types Skip... until a T arrives.
  template <class T, class... Skip>
  T expect_skipping(std::chrono::milliseconds timeout = kDefaultTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      proto::Message m = receive(std::max(left, std::chrono::milliseconds(0)));
      if (auto* t = std::get_if<T>(&m)) return *t;
      if (!(std::holds_alternative<Skip>(m) || ...))
        throw ProtocolError(
            fmt::format("{}: expected {}, got {}", name_, proto::name_of(T::kType), m));
    }
  }
  // Skips QueuePosition messages (sent every second while queued) until a T arrives.
  template <class T>
  T expect_skipping_queue(std::chrono::milliseconds timeout = kDefaultTimeout) {
    return expect_skipping<T, proto::QueuePosition>(timeout);
  }
  // True when the server closes the connection within `timeout`. Messages that
  // arrive first are an error unless `skip_messages`.
  bool expect_closed(std::chrono::milliseconds timeout = kDefaultTimeout,
                     bool skip_messages = false);
  // True when nothing at all arrives (and no close) within `quiet`.
  bool expect_silence(std::chrono::milliseconds quiet);

  // Sends Connect and returns the server's direct reply (QueuePosition,
  // InvalidLogin or InvalidVersion).
  proto::Message connect(std::string_view user, std::string_view password,
                         uint8_t version = proto::kProtocolVersion,
                         std::chrono::milliseconds timeout = 10s);
  // connect() that must succeed; returns the first QueuePosition.
  proto::QueuePosition login(std::string_view user, std::string_view password,
                             std::chrono::milliseconds timeout = 10s);

  // connect() with version 2 that must succeed; returns the Welcome (the player is idle).
  proto::Welcome login_v2(std::string_view user, std::string_view password,
                          std::chrono::milliseconds timeout = 10s);
  // Skips the messages a v2 player gets at any time (QueuePosition, WatcherCount, ChatFrom)
  // until a T arrives.
  template <class T>
  T expect_v2(std::chrono::milliseconds timeout = kDefaultTimeout) {
    return expect_skipping<T, proto::QueuePosition, proto::WatcherCount, proto::ChatFrom>(timeout);
  }
  // The version the decoder reads (set by connect()).
  void set_version(uint8_t v) { decoder_.set_version(v); }

  // Puts a message back: the next receive returns it first.
  void unread(const proto::Message& m) { inbox_.push_front(m); }

  void close();           // close the socket
  void shutdown_write();  // half-close
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& name() const { return name_; }

 private:
  // Reads once (waiting up to timeout); false on timeout, throws on close/error
  // unless closed_ok, in which case it records the close.
  bool read_some(std::chrono::milliseconds timeout);

  int fd_ = -1;
  bool peer_closed_ = false;
  std::string name_ = "client";
  proto::StreamDecoder decoder_;
  std::deque<proto::Message> inbox_;
};

// Waits for the next message from either client; returns 0 or 1 (which one)
// and stores the message. Throws on timeout.
int receive_either(ProtocolClient& a, ProtocolClient& b, proto::Message& out,
                   std::chrono::milliseconds timeout = ProtocolClient::kDefaultTimeout);

}  // namespace checkers::test
