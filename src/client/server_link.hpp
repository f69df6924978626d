// ServerLink: the client's one connection to a server. It connects (every resolved
// address in turn), frames the byte stream with proto::StreamDecoder, checks every
// message against the client side of the shared DFA, enforces the 1 s partial-message
// timeout, and logs every message at debug level (--verbose). Anything wrong on the wire
// (unknown type byte, DFA violation, a message left incomplete) ends the link: LogOut if
// logged in, close, and one `failed` callback with a sentence for the player.
// With a TlsClient the connection is TLS as its plan says; `connected` comes after the
// handshake (the certificate already checked), and a server that does not speak TLS is
// dialled again in plain text when the plan allows it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "client/link.hpp"
#include "client/tls_client.hpp"
#include "proto/dfa.hpp"
#include "proto/messages.hpp"
#include "proto/stream_decoder.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/tcp_connection.hpp"
#include "reactor/tcp_connector.hpp"

namespace checkers::client {

// CLIENT: the connection to the chosen server's host and port (8864 unless --port).
class ServerLink : public Link {
 public:
  static constexpr std::chrono::milliseconds kPartialMessageTimeout{1000};
  // A server that neither completes nor refuses a handshake within this does not speak TLS.
  static constexpr std::chrono::milliseconds kTlsHandshakeTimeout{5000};

  // `tls` null: plain text, as the reference client.
  ServerLink(reactor::EventLoop& loop, std::string host, uint16_t port, Callbacks callbacks,
             std::chrono::milliseconds connect_timeout = std::chrono::seconds(5),
             std::shared_ptr<TlsClient> tls = nullptr);
  ~ServerLink();
  ServerLink(const ServerLink&) = delete;
  ServerLink& operator=(const ServerLink&) = delete;

  void connect() override;
  bool send(const proto::Message& m) override;
  // Sends LogOut when logged in, then closes once the output is flushed.
  void close() override;
  bool connected() const override { return conn_ && conn_->connected(); }
  proto::State state() const override { return dfa_.state(); }
  // "host port N" as the user gave it.
  std::string endpoint() const;

 private:
  void on_connected(reactor::TcpConnectionPtr conn);
  bool start_tls();
  void on_secured(const reactor::TcpConnectionPtr& conn);
  void on_tls_failed(const std::string& why);
  void notice(const std::string& text);
  void on_bytes(reactor::Buffer& input);
  void on_closed();
  bool deliver(const proto::Message& m);
  void fail(Failure kind, const std::string& why);
  void arm_partial_timer();
  void cancel_partial_timer();

  reactor::EventLoop& loop_;
  std::string host_;
  uint16_t port_;
  Callbacks cb_;
  std::chrono::milliseconds connect_timeout_;
  std::unique_ptr<reactor::TcpConnector> connector_;
  std::shared_ptr<TlsClient> tls_;
  TlsClient::Plan plan_;
  bool secured_ = false;
  bool plain_fallback_ = false;  // the server did not speak TLS: dialled again in plain
  reactor::TimerId handshake_timer_ = 0;
  reactor::TcpConnectionPtr conn_;
  proto::StreamDecoder decoder_;
  proto::DfaTracker dfa_{proto::Role::Client};
  reactor::TimerId partial_timer_ = 0;
  bool done_ = false;  // closed by us or failed: no more callbacks
  reactor::TimerId connected_timer_ = 0;
};

const char* to_string(Link::Failure f);
// "192.0.2.1 port 8864", "[::1] port 8864".
std::string format_endpoint(const std::string& host, uint16_t port);

}  // namespace checkers::client
