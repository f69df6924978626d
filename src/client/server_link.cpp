#include "client/server_link.hpp"

#include <spdlog/spdlog.h>

#include "proto/format.hpp"

namespace checkers::client {

ServerLink::ServerLink(reactor::EventLoop& loop, std::string host, uint16_t port,
                       Callbacks callbacks, std::chrono::milliseconds connect_timeout,
                       std::shared_ptr<TlsClient> tls)
    : loop_(loop),
      host_(std::move(host)),
      port_(port),
      cb_(std::move(callbacks)),
      connect_timeout_(connect_timeout),
      connector_(std::make_unique<reactor::TcpConnector>(loop, host_, port_, connect_timeout)),
      tls_(std::move(tls)) {}

ServerLink::~ServerLink() {
  cancel_partial_timer();
  if (connected_timer_ != 0) loop_.cancel(connected_timer_);
  if (handshake_timer_ != 0) loop_.cancel(handshake_timer_);
  if (conn_) {
    conn_->set_message_callback({});
    conn_->set_close_callback({});
    conn_->close();
  }
}

std::string format_endpoint(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return fmt::format("[{}] port {}", host, port);
  return fmt::format("{} port {}", host, port);
}

std::string ServerLink::endpoint() const { return format_endpoint(host_, port_); }

void ServerLink::connect() {
  spdlog::info("connecting to {}", endpoint());
  connector_->connect([this](reactor::TcpConnectionPtr conn) { on_connected(std::move(conn)); },
                      [this](const std::string& error) {
                        fail(Failure::ConnectFailed,
                             fmt::format("could not connect to {}: {}", endpoint(), error));
                      });
}

void ServerLink::on_connected(reactor::TcpConnectionPtr conn) {
  conn_ = std::move(conn);
  conn_->set_tcp_nodelay(true);
  spdlog::info("connected to {} (local {})", conn_->peer_address(), conn_->local_address());
  conn_->set_message_callback(
      [this](const reactor::TcpConnectionPtr&, reactor::Buffer& in) { on_bytes(in); });
  conn_->set_close_callback([this](const reactor::TcpConnectionPtr&) { on_closed(); });
  plan_ = tls_ && !plain_fallback_ ? tls_->plan(host_, port_) : TlsClient::Plan{};
  if (plan_.tls && start_tls()) return;
  if (tls_) {
    if (const std::string warning = tls_->plain_warning(host_, port_); !warning.empty())
      notice(warning);
  }
  // The connection starts reading after this callback returns; tell the owner later so
  // it can send right away.
  connected_timer_ = loop_.run_after(reactor::EventLoop::Clock::duration::zero(), [this] {
    connected_timer_ = 0;
    if (!done_ && cb_.connected) cb_.connected();
  });
}

// ---- TLS ----------------------------------------------------------------------------

bool ServerLink::start_tls() {
  std::unique_ptr<reactor::Transport> transport = tls_->transport(conn_->fd(), host_, port_);
  if (!transport) return false;
  conn_->set_transport(std::move(transport));
  conn_->set_handshake_callback([this](const reactor::TcpConnectionPtr& c) { on_secured(c); });
  handshake_timer_ = loop_.run_after(kTlsHandshakeTimeout, [this] {
    handshake_timer_ = 0;
    on_tls_failed("no TLS handshake within 5 s");
  });
  return true;
}

void ServerLink::on_secured(const reactor::TcpConnectionPtr& conn) {
  if (handshake_timer_ != 0) loop_.cancel(handshake_timer_);
  handshake_timer_ = 0;
  secured_ = true;
  const reactor::Transport& t = *conn->transport();
  spdlog::info("TLS with {}: {}, certificate {}", endpoint(), t.describe(), t.peer_fingerprint());
  const std::string first_use = tls_->trusted(host_, port_, t.peer_fingerprint());
  if (!first_use.empty()) notice(first_use);
  if (!done_ && cb_.connected) cb_.connected();
}

void ServerLink::on_tls_failed(const std::string& why) {
  if (done_) return;
  if (handshake_timer_ != 0) loop_.cancel(handshake_timer_);
  handshake_timer_ = 0;
  if (!plan_.may_fall_back || tls_->certificate_seen()) {
    fail(Failure::ConnectFailed, tls_->refusal(host_, port_, why));
    return;
  }
  spdlog::info("{} does not speak TLS ({}); connecting again in plain text", endpoint(), why);
  plain_fallback_ = true;
  if (conn_) {
    conn_->set_message_callback({});
    conn_->set_close_callback({});
    conn_->close();
    conn_.reset();
  }
  connector_ = std::make_unique<reactor::TcpConnector>(loop_, host_, port_, connect_timeout_);
  connect();
}

void ServerLink::notice(const std::string& text) {
  if (cb_.notice) {
    cb_.notice(text);
  } else {
    spdlog::warn("{}", text);
  }
}

bool ServerLink::send(const proto::Message& m) {
  if (done_ || !conn_) return false;
  const proto::MsgType type = proto::type_of(m);
  // STATEFUL: the client never sends a message its DFA state does not allow.
  if (dfa_.can_send(type).verdict != proto::Verdict::Accept) {
    spdlog::warn("not sending {} in state {}", proto::name_of(type), proto::name_of(dfa_.state()));
    return false;
  }
  std::string bytes;
  if (!proto::encode_append(m, bytes)) {
    spdlog::error("cannot encode {}", m);
    return false;
  }
  if (const auto* c = std::get_if<proto::Connect>(&m)) {
    // The connection speaks the version of its last Connect (PROTOCOL-v2.md §3); the
    // answers to a v2 Connect (Welcome) are v2 messages.
    dfa_.set_version(c->version);
    decoder_.set_version(c->version);
  }
  dfa_.on_send(type);
  spdlog::debug("send {} -> {}", m, proto::name_of(dfa_.state()));
  conn_->send(bytes);
  return true;
}

void ServerLink::close() {
  if (done_) return;
  done_ = true;
  cancel_partial_timer();
  if (conn_) {
    if (logged_in()) {
      std::string bytes;
      proto::encode_append(proto::Message{proto::LogOut{}}, bytes);
      dfa_.on_send(proto::MsgType::LogOut);
      spdlog::debug("send LogOut (closing)");
      conn_->send(bytes);
    }
    conn_->close_after_flush();
  }
  connector_.reset();
}

void ServerLink::on_bytes(reactor::Buffer& input) {
  if (done_) {
    input.retrieve_all();
    return;
  }
  const proto::FeedResult r =
      decoder_.feed(input.readable(), [this](const proto::Message& m) { return deliver(m); });
  input.retrieve(r.consumed);
  if (done_) return;
  switch (r.status) {
    case proto::DecodeStatus::UnknownType:
      fail(Failure::Malformed,
           fmt::format("the server sent a malformed message (unknown type byte 0x{:02x})",
                       r.bad_type));
      return;
    case proto::DecodeStatus::Malformed:
      fail(Failure::Malformed,
           fmt::format("the server sent a malformed message (type 0x{:02x}: bad length or text)",
                       r.bad_type));
      return;
    case proto::DecodeStatus::Incomplete:
      if (r.partial_is_new) arm_partial_timer();
      return;
    case proto::DecodeStatus::Paused:
    case proto::DecodeStatus::Ok:
      cancel_partial_timer();
      return;
  }
}

bool ServerLink::deliver(const proto::Message& m) {
  const proto::State before = dfa_.state();
  // STATEFUL: every server message is checked against the client side of the DFA; a violation ends
  // the link.
  const proto::Transition t = dfa_.on_receive(proto::type_of(m));
  spdlog::debug("recv {} ({} -> {})", m, proto::name_of(before), proto::name_of(dfa_.state()));
  if (t.verdict != proto::Verdict::Accept) {
    fail(Failure::ProtocolViolation,
         fmt::format("the server broke the protocol: {} is not allowed in state {}",
                     proto::name_of(proto::type_of(m)), proto::name_of(before)));
    return false;
  }
  if (cb_.message) cb_.message(m);
  return !done_;
}

void ServerLink::on_closed() {
  if (done_) return;
  if (plan_.tls && !secured_) {
    const reactor::Transport* t = conn_ ? conn_->transport() : nullptr;
    const std::string why = t != nullptr && !t->error().empty() ? t->error() : "connection closed";
    on_tls_failed(why);
    return;
  }
  fail(Failure::ServerClosed, fmt::format("the server at {} closed the connection", endpoint()));
}

void ServerLink::fail(Failure kind, const std::string& why) {
  if (done_) return;
  spdlog::info("{}", why);  // the player gets `why` from the owner
  // Like the reference client: say goodbye when the server can still hear it.
  const bool can_log_out = kind != Failure::ServerClosed && kind != Failure::ConnectFailed;
  done_ = true;
  cancel_partial_timer();
  if (handshake_timer_ != 0) loop_.cancel(handshake_timer_);
  handshake_timer_ = 0;
  if (conn_) {
    if (can_log_out && logged_in() && conn_->connected()) {
      std::string bytes;
      proto::encode_append(proto::Message{proto::LogOut{}}, bytes);
      dfa_.on_send(proto::MsgType::LogOut);
      conn_->send(bytes);
    }
    conn_->close_after_flush();
  }
  auto failed = cb_.failed;
  if (failed) failed(kind, why);
}

void ServerLink::arm_partial_timer() {
  cancel_partial_timer();
  partial_timer_ = loop_.run_after(kPartialMessageTimeout, [this] {
    partial_timer_ = 0;
    fail(Failure::Malformed,
         fmt::format("the server sent an incomplete message ({} of its bytes missing after 1 s)",
                     decoder_.missing_bytes()));
  });
}

void ServerLink::cancel_partial_timer() {
  if (partial_timer_ != 0) loop_.cancel(partial_timer_);
  partial_timer_ = 0;
}

const char* to_string(Link::Failure f) {
  switch (f) {
    case ServerLink::Failure::ConnectFailed:
      return "connect failed";
    case ServerLink::Failure::ProtocolViolation:
      return "protocol violation";
    case ServerLink::Failure::Malformed:
      return "malformed message";
    case ServerLink::Failure::ServerClosed:
      return "server closed";
  }
  return "?";
}

}  // namespace checkers::client
