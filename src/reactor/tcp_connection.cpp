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

// Send without SIGPIPE, retrying EINTR. Returns bytes written, or -1 with errno.
ssize_t send_some(int fd, const std::uint8_t* data, std::size_t len) {
  ssize_t n;
  do {
    n = ::send(fd, data, len, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

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
      local_address_(local_name(fd_.get())) {
  channel_.set_read_callback([this] { handle_read(); });
  channel_.set_write_callback([this] { handle_write(); });
  channel_.set_close_callback([this] { handle_close(); });
  channel_.set_error_callback([this] { handle_error(); });
}

TcpConnection::~TcpConnection() { channel_.remove(); }

void TcpConnection::start() {
  if (state_ != State::Idle) return;
  state_ = State::Connected;
  if (reading_) channel_.enable_reading();
}

// ---- reading --------------------------------------------------------------------------

void TcpConnection::handle_read() {
  int err = 0;
  const ssize_t n = input_.read_fd(fd_.get(), &err, read_limit_);
  if (n > 0) {
    if (message_cb_) {
      message_cb_(shared_from_this(), input_);
    } else {
      input_.retrieve_all();
    }
  } else if (n == 0) {
    // Peer finished sending (everything it sent has been read and handled). Flush
    // what it asked for, then close.
    spdlog::debug("reactor: {} finished sending", peer_address_);
    close_after_flush();
  } else if (err != EAGAIN && err != EWOULDBLOCK) {
    spdlog::debug("reactor: read from {} failed: {}", peer_address_, std::strerror(err));
    close();
  }
}

void TcpConnection::stop_reading() {
  reading_ = false;
  if (channel_.is_reading()) channel_.disable_reading();
}

void TcpConnection::start_reading() {
  reading_ = true;
  if (state_ == State::Connected && !channel_.is_reading()) channel_.enable_reading();
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
  if (!channel_.is_writing() || output_.empty()) return;
  write_output();
}

void TcpConnection::write_output() {
  const auto pending = output_.readable();
  const ssize_t n = send_some(fd_.get(), pending.data(), pending.size());
  ++write_calls_;
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!channel_.is_writing()) channel_.enable_writing();
      return;
    }
    spdlog::debug("reactor: write to {} failed: {}", peer_address_, std::strerror(errno));
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
  close();
}

void TcpConnection::set_tcp_nodelay(bool on) {
  const int flag = on ? 1 : 0;
  ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &flag, sizeof flag);
}

}  // namespace checkers::reactor
