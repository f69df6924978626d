// Test helpers for the reactor tests: drive a loop until a condition holds (with a
// deadline instead of sleeps) and small blocking-socket utilities for raw peers.
#pragma once

#include "reactor/event_loop.hpp"
#include "reactor/tcp_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

namespace checkers::reactor::test {

// Runs loop iterations until pred() is true; false if `timeout` passes first.
inline bool run_until(EventLoop& loop, const std::function<bool()>& pred,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    loop.run_once(std::chrono::milliseconds(10));
  }
  return true;
}

// Runs the loop for (about) `d`.
inline void run_for(EventLoop& loop, std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) loop.run_once(std::chrono::milliseconds(5));
}

// A message callback that answers any request with two replies back to back (like a
// CompulsoryMove followed by a YourTurn): both must wait for the one flush of the pass.
inline void reply_twice(const TcpConnectionPtr& conn, Buffer& in) {
  in.retrieve_all();
  conn->send(std::string_view("first;"));
  conn->send(std::string_view("second;"));
  // Nothing is written from inside the callback: both wait for the flush.
  CHECK(conn->output_bytes() == 13);
}

inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A connected blocking TCP socket to 127.0.0.1:port (-1 on failure).
inline int connect_blocking(std::uint16_t port, int rcvbuf = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  const sockaddr_in addr = loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Deterministic, non-periodic test bytes.
inline std::uint8_t pattern_byte(std::size_t i) {
  return static_cast<std::uint8_t>((static_cast<std::uint32_t>(i) * 2654435761u) >> 24);
}

}  // namespace checkers::reactor::test
