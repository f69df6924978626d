#include "reactor/tcp_connector.hpp"

#include "reactor/address.hpp"

#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace checkers::reactor {

TcpConnector::TcpConnector(EventLoop& loop, std::string host, std::uint16_t port,
                           std::chrono::milliseconds timeout_per_address)
    : loop_(loop), host_(std::move(host)), port_(port), timeout_(timeout_per_address) {}

TcpConnector::~TcpConnector() { reset_attempt(); }

void TcpConnector::connect(ConnectedCallback on_connected, FailedCallback on_failed) {
  reset_attempt();
  on_connected_ = std::move(on_connected);
  on_failed_ = std::move(on_failed);
  in_progress_ = true;
  addresses_.clear();
  next_ = 0;
  errors_.clear();
  try {
    addresses_ = resolve(host_, port_, SOCK_STREAM, false);
  } catch (const std::exception& e) {
    errors_ = e.what();
  }
  // Callbacks never run inside connect(): start from the loop, on a timer that
  // reset_attempt() (and so the destructor) cancels by id.
  timer_ = loop_.run_after(EventLoop::Clock::duration::zero(), [this] {
    timer_ = 0;
    try_next();
  });
}

void TcpConnector::reset_attempt() {
  if (timer_ != 0) loop_.cancel(timer_);
  timer_ = 0;
  channel_.reset();  // deregisters before the fd closes
  fd_.reset();
}

void TcpConnector::try_next() {
  reset_attempt();
  while (next_ < addresses_.size()) {
    const sockaddr_storage& addr = addresses_[next_++];
    UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      attempt_failed(format_address(addr) + ": socket: " + std::strerror(errno));
      continue;
    }
    if (!local_ip_.empty()) {
      sockaddr_storage local{};
      if (!parse_ip(local_ip_, 0, local) || local.ss_family != addr.ss_family) {
        attempt_failed(format_address(addr) + ": local address " + local_ip_ + " unusable");
        continue;
      }
      if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), address_length(local)) < 0) {
        attempt_failed(format_address(addr) + ": bind " + local_ip_ + ": " + std::strerror(errno));
        continue;
      }
    }
    int rc;
    do {
      rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), address_length(addr));
    } while (rc < 0 && errno == EINTR);
    if (rc < 0 && errno != EINPROGRESS) {
      attempt_failed(format_address(addr) + ": " + std::strerror(errno));
      continue;
    }
    fd_ = std::move(fd);
    channel_ = std::make_unique<Channel>(loop_, fd_.get());
    channel_->set_write_callback([this] { handle_writable(); });
    channel_->set_error_callback([this] { handle_writable(); });
    channel_->set_close_callback([this] { handle_writable(); });
    channel_->enable_writing();
    timer_ = loop_.run_after(timeout_, [this] {
      timer_ = 0;
      handle_timeout();
    });
    return;
  }
  finish_failure();
}

void TcpConnector::attempt_failed(const std::string& why) {
  if (!errors_.empty()) errors_ += "; ";
  errors_ += why;
}

void TcpConnector::handle_timeout() {
  attempt_failed(format_address(addresses_[next_ - 1]) + ": timed out after " +
                 std::to_string(timeout_.count()) + " ms");
  try_next();
}

void TcpConnector::handle_writable() {
  const sockaddr_storage& addr = addresses_[next_ - 1];
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
  if (err == 0) {
    // A connect to a local port nobody listens on can connect to itself.
    const sockaddr_storage local = local_address_of(fd_.get());
    if (format_address(local) == format_address(addr)) err = ECONNREFUSED;
  }
  if (err != 0) {
    attempt_failed(format_address(addr) + ": " + std::strerror(err));
    try_next();
    return;
  }
  UniqueFd fd = std::move(fd_);
  reset_attempt();
  in_progress_ = false;
  auto on_connected = std::move(on_connected_);
  on_failed_ = nullptr;
  auto conn = TcpConnection::create(loop_, std::move(fd), addr);
  conn->set_tcp_nodelay(true);
  // The callback may destroy this connector; touch no member after it.
  if (on_connected) on_connected(conn);
  conn->start();
}

void TcpConnector::finish_failure() {
  in_progress_ = false;
  std::string message = "cannot connect to " + host_ + ":" + std::to_string(port_);
  if (!errors_.empty()) message += ": " + errors_;
  auto on_failed = std::move(on_failed_);
  on_connected_ = nullptr;
  spdlog::debug("reactor: {}", message);
  if (on_failed) on_failed(message);
}

}  // namespace checkers::reactor
