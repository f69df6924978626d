#include "discovery/interfaces.hpp"

#include "reactor/address.hpp"
#include "reactor/udp_socket.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace checkers::discovery {
namespace {

std::vector<Ipv6Interface> multicast_interfaces() {
  std::vector<Ipv6Interface> out;
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) return out;
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> list(raw, &freeifaddrs);
  for (const ifaddrs* ifa = raw; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr || ifa->ifa_addr->sa_family != AF_INET6) continue;
    unsigned flags = ifa->ifa_flags;
    if ((flags & IFF_UP) == 0 || (flags & IFF_LOOPBACK) != 0 || (flags & IFF_MULTICAST) == 0) continue;
    // One entry per interface, however many IPv6 addresses it has.
    bool seen = std::any_of(out.begin(), out.end(), [&](const Ipv6Interface& i) { return i.name == ifa->ifa_name; });
    unsigned index = if_nametoindex(ifa->ifa_name);
    if (!seen && index != 0) out.push_back({ifa->ifa_name, index});
  }
  return out;
}

}  // namespace

LocalInterfaces list_interfaces() {
  LocalInterfaces out;
  for (const auto& i : reactor::broadcast_interfaces()) out.ipv4.push_back({i.name, i.broadcast});
  out.ipv6 = multicast_interfaces();
  return out;
}

std::optional<sockaddr_storage> socket_target(const std::string& ip, uint16_t port, int family,
                                              unsigned scope_id) {
  sockaddr_storage addr{};
  if (!reactor::parse_ip(ip, port, addr)) return std::nullopt;
  if (addr.ss_family == AF_INET6) {
    if (family != AF_INET6) return std::nullopt;
    if (scope_id != 0) reinterpret_cast<sockaddr_in6*>(&addr)->sin6_scope_id = scope_id;
    return addr;
  }
  if (family == AF_INET) return addr;
  // An IPv4 destination through a dual-stack IPv6 socket: ::ffff:a.b.c.d.
  auto v4 = *reinterpret_cast<const sockaddr_in*>(&addr);
  sockaddr_storage mapped{};
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&mapped);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = v4.sin_port;
  sin6->sin6_addr.s6_addr[10] = 0xFF;
  sin6->sin6_addr.s6_addr[11] = 0xFF;
  std::memcpy(&sin6->sin6_addr.s6_addr[12], &v4.sin_addr, 4);
  return mapped;
}

std::string host_text(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
      char buf[INET_ADDRSTRLEN] = {};
      inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], buf, sizeof buf);
      return buf;
    }
  }
  // NI_NUMERICHOST writes link-local IPv6 addresses with their "%ifname" scope.
  char host[NI_MAXHOST] = {};
  socklen_t len = addr.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST) != 0) {
    return "?";
  }
  return host;
}

bool is_loopback(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return (ntohl(reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr.s_addr) >> 24) == 127;
  }
  if (addr.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
  }
  return false;
}

}  // namespace checkers::discovery
