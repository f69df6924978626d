// UdpSocket: a non-blocking datagram socket in an EventLoop (bind, SO_BROADCAST,
// IPv6 multicast join, sendto/recvfrom), plus broadcast_interfaces() (getifaddrs).
#pragma once

#include "reactor/channel.hpp"
#include "reactor/fd.hpp"

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace checkers::reactor {

class EventLoop;

struct Datagram {
  std::vector<std::uint8_t> data;
  sockaddr_storage from{};
  socklen_t len = 0;                 // length of `from`
  std::string from_address() const;  // "ip:port"
};

class UdpSocket {
 public:
  // host: "" or "::" = dual-stack any (falls back to 0.0.0.0), "0.0.0.0", an IP literal
  // or a name. Throws std::system_error naming address and port on failure.
  static UdpSocket bind(EventLoop& loop, const std::string& host, std::uint16_t port,
                        bool reuse_addr);

  UdpSocket(UdpSocket&&) noexcept;
  UdpSocket& operator=(UdpSocket&&) noexcept;
  ~UdpSocket();

  void enable_broadcast();
  // IPV6_JOIN_GROUP on interface ifindex (0 = kernel's choice). False + warning log.
  bool join_ipv6_multicast(const std::string& group, unsigned ifindex);
  // Outgoing multicast interface / loopback of own multicast packets / hop limit.
  bool set_ipv6_multicast_interface(unsigned ifindex);
  bool set_multicast_loop(bool on);
  bool set_multicast_hops(int hops);

  // Called (level-triggered) while datagrams are waiting; drain with receive().
  void set_read_callback(std::function<void()> cb);
  // One datagram, or nullopt when none is waiting (EAGAIN) or on error (logged).
  std::optional<Datagram> receive();
  // False on error (logged at debug; EAGAIN counts as an error: datagram dropped).
  bool send_to(std::span<const std::uint8_t> data, const sockaddr* to, socklen_t to_len);

  std::uint16_t local_port() const;
  int family() const { return family_; }
  int fd() const { return fd_.get(); }

 private:
  UdpSocket(EventLoop& loop, UniqueFd fd, int family);

  EventLoop* loop_;
  UniqueFd fd_;
  int family_;
  std::unique_ptr<Channel> channel_;
  std::vector<std::uint8_t> recv_buf_;
};

struct InterfaceAddress {
  std::string name;       // "eth0"
  std::string address;    // "192.168.1.10"
  std::string broadcast;  // "192.168.1.255"
  unsigned index = 0;     // if_nametoindex
};

// IPv4 interfaces that are up and have IFF_BROADCAST (loopback excluded).
std::vector<InterfaceAddress> broadcast_interfaces();

}  // namespace checkers::reactor
