// Local network interfaces discovery sends on: up IPv4 interfaces that can
// broadcast (reactor::broadcast_interfaces) and up IPv6 interfaces that can
// multicast (getifaddrs), plus printable forms of sender addresses.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace checkers::discovery {

// The link-local group servers join and clients send IPv6 queries to.
inline constexpr const char* kIpv6Group = "ff02::8864";
inline constexpr const char* kLimitedBroadcast = "255.255.255.255";

struct Ipv4Interface {
  std::string name;       // e.g. "eth0"
  std::string broadcast;  // its directed broadcast address, e.g. "192.168.1.255"
};

struct Ipv6Interface {
  std::string name;
  unsigned index = 0;  // sin6_scope_id for link-local multicast
};

struct LocalInterfaces {
  std::vector<Ipv4Interface> ipv4;
  std::vector<Ipv6Interface> ipv6;
};

// Loopback is never listed: it cannot broadcast, and multicast on it stays on the host.
// DISCOVERY: where to send queries - each IPv4 broadcast address and each IPv6 multicast interface.
LocalInterfaces list_interfaces();

// Address of `ip` (numeric literal) and `port`, usable with a socket of `family`:
// IPv4 becomes IPv4-mapped for an AF_INET6 socket; IPv6 is impossible on AF_INET.
// scope_id goes into sin6_scope_id (link-local multicast needs the interface).
std::optional<sockaddr_storage> socket_target(const std::string& ip, uint16_t port, int family,
                                              unsigned scope_id = 0);

// "192.168.1.9" (also for IPv4-mapped IPv6), "fe80::1%eth0", "2001:db8::1".
std::string host_text(const sockaddr_storage& addr);
bool is_loopback(const sockaddr_storage& addr);

}  // namespace checkers::discovery
