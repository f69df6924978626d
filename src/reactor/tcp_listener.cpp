#include "reactor/tcp_listener.hpp"

#include "reactor/address.hpp"
#include "reactor/event_loop.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace checkers::reactor {

namespace {

UniqueFd open_spare_fd() { return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

// The address to bind: "" / "::" mean every address, dual-stack when IPv6 exists.
sockaddr_storage listen_address(const std::string& host, std::uint16_t port, bool& dual_stack) {
  sockaddr_storage addr{};
  dual_stack = host.empty() || host == "::" || host == "[::]";
  if (parse_ip(host.empty() ? "::" : host, port, addr)) return addr;
  auto all = resolve(host, port, SOCK_STREAM, true);
  if (all.empty()) throw std::runtime_error("no address for " + host);
  return all.front();
}

UniqueFd bind_socket(const sockaddr_storage& addr, bool dual_stack, const std::string& what) {
  UniqueFd fd(::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw std::system_error(errno, std::generic_category(), "socket for " + what);
  const int on = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (addr.ss_family == AF_INET6) {
    const int v6only = dual_stack ? 0 : 1;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), address_length(addr)) < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot bind " + what);
  }
  return fd;
}

}  // namespace

// SERVICE: binds the server's TCP port - 8864 unless --port says otherwise (ServerConfig::port).
UniqueFd TcpListener::open_socket(const std::string& host, std::uint16_t port) {
  bool dual_stack = false;
  const sockaddr_storage addr = listen_address(host, port, dual_stack);
  try {
    return bind_socket(addr, dual_stack, format_address(addr));
  } catch (const std::system_error& e) {
    if (!dual_stack || (e.code().value() != EAFNOSUPPORT && e.code().value() != EADDRNOTAVAIL))
      throw;
    // No IPv6 on this host: all IPv4 addresses instead.
    sockaddr_storage v4{};
    parse_ip("0.0.0.0", port, v4);
    return bind_socket(v4, false, format_address(v4));
  }
}

TcpListener::TcpListener(EventLoop& loop, const std::string& host, std::uint16_t port)
    : loop_(loop),
      fd_(open_socket(host, port)),
      spare_fd_(open_spare_fd()),
      channel_(loop, fd_.get()) {
  const sockaddr_storage bound = local_address_of(fd_.get());
  port_ = address_port(bound);
  address_ = format_address(bound);
  channel_.set_read_callback([this] { handle_accept(); });
}

TcpListener::~TcpListener() {
  if (resume_timer_ != 0) loop_.cancel(resume_timer_);
  channel_.remove();
}

void TcpListener::listen() {
  if (::listen(fd_.get(), SOMAXCONN) < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot listen on " + address_);
  }
  spdlog::debug("reactor: listening on {}", address_);
  channel_.enable_reading();
}

void TcpListener::handle_accept() {
  // Level-triggered: take everything that is queued now, until EAGAIN.
  for (;;) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    const int fd = ::accept4(fd_.get(), reinterpret_cast<sockaddr*>(&peer), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) return;
      if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;
      if (err == EMFILE || err == ENFILE) {
        if (!reject_one_for_fd_limit(err)) return;
        continue;
      }
      spdlog::error("reactor: accept on {} failed: {}", address_, std::strerror(err));
      return;
    }
    auto conn = TcpConnection::create(loop_, UniqueFd(fd), peer);
    conn->set_tcp_nodelay(true);
    if (new_connection_cb_) {
      new_connection_cb_(conn);
      conn->start();
    } else {
      conn->close();
    }
  }
}

bool TcpListener::reject_one_for_fd_limit(int err) {
  // Out of fds the pending connection would stay queued and the listener would poll
  // readable forever. Give up the spare fd, accept and drop the connection (the client
  // sees it closed), then take the spare back.
  spare_fd_.reset();
  const int fd = ::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
  const int accept_err = errno;
  if (fd >= 0) ::close(fd);
  spare_fd_ = open_spare_fd();
  if (fd >= 0) {
    ++rejected_;
    if (rejected_ == 1 || loop_.now() - last_warning_ >= std::chrono::seconds(1)) {
      last_warning_ = loop_.now();
      spdlog::warn("reactor: accept on {}: {} - rejecting connections (spare-fd trick), {} so far",
                   address_, std::strerror(err), rejected_);
    }
  }
  if (fd < 0 && accept_err != EAGAIN && accept_err != EWOULDBLOCK) {
    // The fd was taken before we could use it: back off instead of spinning.
    pause_accepting();
    return false;
  }
  return fd >= 0;
}

void TcpListener::pause_accepting() {
  if (resume_timer_ != 0) return;
  channel_.disable_reading();
  resume_timer_ = loop_.run_after(std::chrono::milliseconds(100), [this] {
    resume_timer_ = 0;
    if (!spare_fd_) spare_fd_ = open_spare_fd();
    channel_.enable_reading();
  });
}

}  // namespace checkers::reactor
