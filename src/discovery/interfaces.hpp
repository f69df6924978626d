// Local network interfaces discovery sends on, and where on each link a query or an
// announcement goes: per IPv4 address its directed broadcast (or its point-to-point
// peer) plus the limited broadcast, per IPv6 interface the group ff02::8864 - each
// sent out of that very interface, so no route (default or otherwise) is needed.
// Also printable forms of sender addresses.
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
// Reaches every server on this host bound to the discovery port, where a unicast
// 127.0.0.1 reaches only one of several sharing the port.
inline constexpr const char* kLoopbackBroadcast = "127.255.255.255";

// One IPv4 address of an interface, as configured (host byte order).
struct Ipv4Config {
  uint32_t address = 0;
  uint32_t netmask = 0;
  // The kernel's "broadcast" (IFF_BROADCAST) or "peer" (IFF_POINTOPOINT) address.
  // getifaddrs reports the interface's own address when no broadcast was configured.
  std::optional<uint32_t> other;
  bool point_to_point = false;
};

struct Ipv4Target {
  uint32_t address = 0;    // host byte order
  bool broadcast = false;  // false: a /31 or point-to-point peer, sent to by unicast
};

// Where IPv4 discovery traffic for this address goes: the configured broadcast when it
// is set and is not the address itself, else address | ~netmask; on a /31 or a
// point-to-point link the peer; nothing on a /32 without a peer.
std::optional<Ipv4Target> ipv4_target(const Ipv4Config& config);

struct Ipv4Interface {
  std::string name;  // e.g. "eth0"
  unsigned index = 0;
  std::string address;  // e.g. "10.213.7.2"
  std::string target;   // e.g. "10.213.7.255" (see ipv4_target)
  bool broadcast = true;
};

struct Ipv6Interface {
  std::string name;
  unsigned index = 0;  // sin6_scope_id / IPV6_PKTINFO for link-local multicast
  // A global (or unique-local) address on it, "" if none: a query sent from it is
  // answered from the server's global address, which is listed before link-local.
  std::string global_address;
};

struct LocalInterfaces {
  std::vector<Ipv4Interface> ipv4;  // one entry per up, non-loopback IPv4 address with a target
  std::vector<Ipv6Interface> ipv6;  // one entry per up, multicast-capable interface with IPv6
};

// Loopback is never listed: traffic to it stays on the host (see kLoopbackBroadcast).
// DISCOVERY: where to send - each IPv4 address's broadcast target and each IPv6 multicast
// interface.
LocalInterfaces list_interfaces();

// A datagram destination, and the interface it must leave by (0 = the routing table decides).
struct LinkTarget {
  std::string ip;
  unsigned ifindex = 0;
  std::string source;  // IPv6: the address to send from ("" = the kernel's choice)
};

struct TargetSelection {
  bool ipv6 = true;             // ff02::8864 on every IPv6 interface
  bool global_sources = false;  // ... once more from each interface's global address
};

// Every IPv4 interface target and the limited broadcast, each bound to its interface,
// then the IPv6 group per interface. Duplicates (several addresses in one subnet) appear once.
std::vector<LinkTarget> link_targets(const LocalInterfaces& interfaces, TargetSelection what);

// Address of `ip` (numeric literal) and `port`, usable with a socket of `family`:
// IPv4 becomes IPv4-mapped for an AF_INET6 socket; IPv6 is impossible on AF_INET.
// scope_id goes into sin6_scope_id (link-local multicast needs the interface).
std::optional<sockaddr_storage> socket_target(const std::string& ip, uint16_t port, int family,
                                              unsigned scope_id = 0);

// "192.168.1.9" (also for IPv4-mapped IPv6), "fe80::1%eth0", "2001:db8::1".
std::string host_text(const sockaddr_storage& addr);
bool is_loopback(const sockaddr_storage& addr);

}  // namespace checkers::discovery
