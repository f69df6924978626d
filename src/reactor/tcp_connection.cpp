#include "reactor/tcp_connection.hpp"

#include "reactor/address.hpp"
#include "reactor/event_loop.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

namespace checkers::reactor {

namespace {
// Output buffers that grew past this during a burst are released once drained.
constexpr std::size_t kKeepOutputCapacity = 1024 * 1024;

std::string local_name(int fd) {
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) < 0) return std::string(1, '?');
  return format_address(local);
}

int socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
  return err;
}
}  // namespace

TcpConnectionPtr TcpConnection::create(EventLoop& loop, UniqueFd fd, const sockaddr_storage& peer) {
  return std::make_shared<TcpConnection>(Private{}, loop, std::move(fd), peer);
}

TcpConnection::TcpConnection(Private, EventLoop& loop, UniqueFd fd, const sockaddr_storage& peer)
    : loop_(loop),
      fd_(std::move(fd)),
      channel_(loop, fd_.get()),
      id_(loop.next_connection_id()),
      peer_(peer),
      peer_address_(format_address(peer)),
      local_address_(local_name(fd_.get())),
      transport_(std::make_unique<PlainTransport>(fd_.get())) {
  channel_.set_read_callback([this] { handle_read(); });
  channel_.set_write_callback([this] { handle_write(); });
  channel_.set_close_callback([this] { handle_close(); });
  channel_.set_error_callback([this] { handle_error(); });
}

TcpConnection::~TcpConnection() { channel_.remove(); }

void TcpConnection::set_transport(std::unique_ptr<Transport> transport) {
  transport_ = std::move(transport);
  selector_ = nullptr;
}

void TcpConnection::set_transport_selector(TransportSelector selector) {
  selector_ = std::move(selector);
  transport_.reset();
}

void TcpConnection::start() {
  if (state_ != State::Idle) return;
  state_ = State::Connected;
  if (reading_ || !transport_) channel_.enable_reading();
  // A TLS client speaks first.
  if (transport_ && !transport_->handshake_done()) advance_handshake();
}

// ---- transport ------------------------------------------------------------------------

bool TcpConnection::choose_transport() {
  if (!selector_) return false;
  std::uint8_t first = 0;
  ssize_t n;
  do {
    n = ::recv(fd_.get(), &first, 1, MSG_PEEK);
  } while (n < 0 && errno == EINTR);
  if (n == 0) {
    spdlog::debug("reactor: {} finished sending before its first byte", peer_address_);
    close_after_flush();
    return false;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      spdlog::debug("reactor: read from {} failed: {}", peer_address_, std::strerror(errno));
      close();
    }
    return false;
  }
  transport_ = selector_(*this, first);
  selector_ = nullptr;
  if (closed()) return false;
  if (!transport_) {
    close();
    return false;
  }
  if (!reading_ && transport_->handshake_done()) channel_.disable_reading();
  return true;
}

// True once the handshake is complete; the handshake callback has run and what was sent
// meanwhile is on its way.
bool TcpConnection::advance_handshake() {
  int err = 0;
  if (transport_->handshake(&err) < 0) {
    if (err == EAGAIN) {
      wait_for(transport_->waiting_for());
    } else {
      spdlog::info("tls: handshake with {} failed: {}", peer_address_, transport_->error());
      close();
    }
    return false;
  }
  if (channel_.is_writing()) channel_.disable_writing();
  if (!reading_ && channel_.is_reading()) channel_.disable_reading();
  spdlog::debug("tls: {} secured ({})", peer_address_, transport_->describe());
  if (handshake_cb_) handshake_cb_(shared_from_this());
  if (closed()) return false;
  if (!output_.empty()) write_output();
  return !closed();
}

void TcpConnection::wait_for(Transport::Wait what) {
  if (what == Transport::Wait::Writable) {
    if (!channel_.is_writing()) channel_.enable_writing();
  } else if (!channel_.is_reading()) {
    channel_.enable_reading();
  }
}

// TLS took a whole record off the socket but handed out only read_limit_ bytes of it:
// the socket will not be reported readable for the rest, so read it in the next pass
// (a pass with deferred work polls without waiting).
void TcpConnection::read_again_next_pass() {
  // The socket may be empty (the records wait inside the transport), so polling would
  // not report it again. Deferred twice: the read happens in the next pass, not in this
  // one, which keeps the per-pass budget. The deferred function owns the connection.
  if (reread_queued_) return;
  reread_queued_ = true;
  loop_.defer([self = shared_from_this()] {
    self->loop_.defer([self] {
      self->reread_queued_ = false;
      if (self->state_ == State::Connected && self->reading_) self->read_input();
    });
  });
}

// ---- reading --------------------------------------------------------------------------

void TcpConnection::handle_read() {
  if (!transport_ && !choose_transport()) return;
  if (!transport_->handshake_done() && !advance_handshake()) return;
  if (state_ == State::Connected && reading_) read_input();
  if (write_waits_for_read_ && !closed()) {
    write_waits_for_read_ = false;
    write_output();
  }
}

bool TcpConnection::read_input() {
  int err = 0;
  const ssize_t n = transport_->read(input_, read_limit_, &err);
  if (n > 0) {
    if (transport_->has_buffered_input()) read_again_next_pass();
    if (message_cb_) {
      message_cb_(shared_from_this(), input_);
    } else {
      input_.retrieve_all();
    }
    return true;
  }
  if (n == 0) {
    // Peer finished sending (everything it sent has been read and handled). Flush
    // what it asked for, then close.
    spdlog::debug("reactor: {} finished sending", peer_address_);
    close_after_flush();
  } else if (err == EAGAIN || err == EWOULDBLOCK) {
    if (transport_->waiting_for() == Transport::Wait::Writable) {
      read_waits_for_write_ = true;
      wait_for(Transport::Wait::Writable);
    }
  } else {
    spdlog::debug("reactor: read from {} failed: {}", peer_address_,
                  err == EPROTO ? transport_->error() : std::strerror(err));
    close();
  }
  return false;
}

void TcpConnection::stop_reading() {
  reading_ = false;
  if (channel_.is_reading()) channel_.disable_reading();
}

void TcpConnection::start_reading() {
  reading_ = true;
  if (state_ != State::Connected) return;
  if (!channel_.is_reading()) channel_.enable_reading();
  if (transport_ && transport_->has_buffered_input()) read_again_next_pass();
}

// ---- writing --------------------------------------------------------------------------

void TcpConnection::send(std::string_view data) {
  send(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()),
                                     data.size()));
}

void TcpConnection::send(std::span<const std::uint8_t> data) {
  if ((state_ != State::Connected && state_ != State::Idle) || data.empty()) return;
  const std::size_t before = output_.size();
  output_.append(data);
  if (!flush_pending_) {
    flush_pending_ = true;
    loop_.queue_flush(shared_from_this());
  }
  if (before < high_water_mark_ && output_.size() >= high_water_mark_ && high_water_cb_) {
    high_water_cb_(shared_from_this(), output_.size());
  }
}

void TcpConnection::flush() {
  flush_pending_ = false;
  if (closed() || output_.empty()) return;
  write_output();
}

void TcpConnection::handle_write() {
  if (!channel_.is_writing() || !transport_) return;
  if (!transport_->handshake_done()) {
    advance_handshake();
    return;
  }
  if (read_waits_for_write_) {
    read_waits_for_write_ = false;
    if (state_ == State::Connected && reading_) read_input();
    if (closed()) return;
  }
  if (!output_.empty()) {
    write_output();
  } else if (channel_.is_writing()) {
    channel_.disable_writing();
  }
}

void TcpConnection::write_output() {
  // Before the handshake the output waits; advance_handshake() writes it afterwards.
  if (!transport_ || !transport_->handshake_done()) return;
  const auto pending = output_.readable();
  int err = 0;
  const ssize_t n = transport_->write(pending, &err);
  ++write_calls_;
  if (n < 0) {
    if (err == EAGAIN || err == EWOULDBLOCK) {
      if (transport_->waiting_for() == Transport::Wait::Writable) {
        wait_for(Transport::Wait::Writable);
      } else {
        write_waits_for_read_ = true;
        wait_for(Transport::Wait::Readable);
      }
      return;
    }
    spdlog::debug("reactor: write to {} failed: {}", peer_address_,
                  err == EPROTO ? transport_->error() : std::strerror(err));
    close();
    return;
  }
  output_.retrieve(static_cast<std::size_t>(n));
  if (output_.empty()) {
    after_output_drained();
  } else if (!channel_.is_writing()) {
    // The kernel's send buffer is full: ask for writability only for what is left.
    channel_.enable_writing();
  }
}

void TcpConnection::after_output_drained() {
  if (channel_.is_writing()) channel_.disable_writing();
  if (output_.capacity() > kKeepOutputCapacity) output_.shrink(0);
  if (state_ == State::Draining) close();
}

// ---- closing --------------------------------------------------------------------------

void TcpConnection::close_after_flush() {
  if (state_ != State::Idle && state_ != State::Connected) return;
  state_ = State::Draining;
  if (channel_.is_reading()) channel_.disable_reading();
  if (output_.empty()) close();
}

void TcpConnection::close() {
  if (closed()) return;
  state_ = State::Closed;
  channel_.remove();
  // The transport stays (without I/O) so the owner can still ask why it failed.
  if (transport_) transport_->shutdown();
  fd_.reset();
  output_.retrieve_all();
  // The callback runs at the end of the pass; until then the loop holds this connection.
  loop_.defer([self = shared_from_this()] { self->finish_close(); });
}

void TcpConnection::finish_close() {
  if (state_ != State::Closed) return;
  state_ = State::Finished;
  if (close_cb_) close_cb_(shared_from_this());
}

void TcpConnection::handle_close() {
  spdlog::debug("reactor: connection {} hung up", peer_address_);
  close();
}

void TcpConnection::handle_error() {
  const int err = socket_error(fd_.get());
  spdlog::debug("reactor: connection {} error: {}", peer_address_, std::strerror(err));
  // What the peer sent just before it reset (a LogOut, then close() with unread input)
  // still counts: read and handle it before closing - a few reads past the per-pass limit,
  // not a whole receive buffer a hostile peer filled before resetting.
  constexpr int kReadsBeforeClose = 64;
  for (int i = 0; i < kReadsBeforeClose && state_ == State::Connected && reading_ && transport_ &&
                  transport_->handshake_done() && read_input();
       ++i) {
  }
  close();
}

void TcpConnection::set_tcp_nodelay(bool on) {
  const int flag = on ? 1 : 0;
  ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &flag, sizeof flag);
}

}  // namespace checkers::reactor
