// TcpListener: a non-blocking listening socket that accepts connections in a loop until
// EAGAIN and hands each one out as a started TcpConnection (TCP_NODELAY on).
// Survives EMFILE/ENFILE without spinning: a spare fd is given up to accept and
// immediately close the pending connection, then reopened (with a warning log).
#pragma once

#include "reactor/channel.hpp"
#include "reactor/fd.hpp"
#include "reactor/tcp_connection.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace checkers::reactor {

class EventLoop;

// CONCURRENT: non-blocking accept loop; every accepted socket becomes its own TcpConnection on the
// loop.
class TcpListener {
 public:
  using NewConnectionCallback = std::function<void(TcpConnectionPtr)>;

  // host: "" or "::" = all addresses, dual-stack (falls back to 0.0.0.0 without IPv6);
  // "0.0.0.0", "127.0.0.1", "::1", or a name resolved with getaddrinfo.
  // port 0 = ephemeral. Binds immediately (SO_REUSEADDR); throws std::system_error
  // naming the address and port on failure.
  TcpListener(EventLoop& loop, const std::string& host, std::uint16_t port);
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  // The callback sets the connection's callbacks; start() is called after it returns.
  // Without a callback, accepted connections are closed.
  void set_new_connection_callback(NewConnectionCallback cb) { new_connection_cb_ = std::move(cb); }
  // listen(SOMAXCONN) and start accepting.
  void listen();

  std::uint16_t port() const { return port_; }             // the actual bound port
  const std::string& address() const { return address_; }  // printable "ip:port"
  int fd() const { return fd_.get(); }
  std::uint64_t rejected_for_fd_limit() const { return rejected_; }

 private:
  static UniqueFd open_socket(const std::string& host, std::uint16_t port);
  void handle_accept();
  bool reject_one_for_fd_limit(int err);
  void pause_accepting();

  EventLoop& loop_;
  UniqueFd fd_;
  UniqueFd spare_fd_;
  Channel channel_;
  std::uint16_t port_ = 0;
  std::string address_;
  std::uint64_t rejected_ = 0;
  std::chrono::steady_clock::time_point last_warning_{};
  std::uint64_t resume_timer_ = 0;
  NewConnectionCallback new_connection_cb_;
};

}  // namespace checkers::reactor
