// TcpConnector: client-side connect. Resolves host with getaddrinfo (AF_UNSPEC, may block
// briefly on DNS), then tries every returned address (IPv6 and IPv4) in turn with a
// non-blocking connect and a per-address timeout. Exactly one of the two callbacks runs.
// Destroying the connector cancels an attempt in progress (no callback runs).
#pragma once

#include "reactor/channel.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/fd.hpp"
#include "reactor/tcp_connection.hpp"

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace checkers::reactor {

// CLIENT: resolves the --host-addr name or address (getaddrinfo) and tries every address in turn.
class TcpConnector {
 public:
  using ConnectedCallback = std::function<void(TcpConnectionPtr)>;
  using FailedCallback = std::function<void(const std::string& error)>;

  TcpConnector(EventLoop& loop, std::string host, std::uint16_t port,
               std::chrono::milliseconds timeout_per_address);
  ~TcpConnector();
  TcpConnector(const TcpConnector&) = delete;
  TcpConnector& operator=(const TcpConnector&) = delete;

  // Binds each attempt to this local source address (e.g. "127.0.0.2"), port 0.
  void set_local_address(std::string ip) { local_ip_ = std::move(ip); }

  // on_connected receives a connection; set its callbacks there (start() is called
  // after the callback returns). on_failed names every address tried with its error.
  // Both callbacks run from the loop (never inside connect()).
  void connect(ConnectedCallback on_connected, FailedCallback on_failed);
  bool in_progress() const { return in_progress_; }

 private:
  void try_next();
  void handle_writable();
  void handle_timeout();
  void attempt_failed(const std::string& why);
  void finish_failure();
  void reset_attempt();

  EventLoop& loop_;
  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::string local_ip_;

  ConnectedCallback on_connected_;
  FailedCallback on_failed_;
  bool in_progress_ = false;
  std::vector<sockaddr_storage> addresses_;
  std::size_t next_ = 0;
  std::string errors_;
  UniqueFd fd_;
  std::unique_ptr<Channel> channel_;
  TimerId timer_ = 0;  // the per-address timeout, or the start of connect()
};

}  // namespace checkers::reactor
