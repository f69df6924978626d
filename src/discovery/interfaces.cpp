#include "discovery/interfaces.hpp"

#include "reactor/address.hpp"

#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>

namespace checkers::discovery {
namespace {

std::string ipv4_text(uint32_t host_order) {
  in_addr a{htonl(host_order)};
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

uint32_t host_order(const sockaddr* sa) {
  return ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr);
}

std::optional<Ipv4Interface> ipv4_interface(const ifaddrs& ifa) {
  unsigned flags = ifa.ifa_flags;
  if ((flags & IFF_UP) == 0 || (flags & IFF_LOOPBACK) != 0 || ifa.ifa_netmask == nullptr)
    return std::nullopt;
  bool p2p = (flags & IFF_POINTOPOINT) != 0;
  if (!p2p && (flags & IFF_BROADCAST) == 0) return std::nullopt;
  Ipv4Config config{host_order(ifa.ifa_addr), host_order(ifa.ifa_netmask), std::nullopt, p2p};
  // ifa_broadaddr and ifa_dstaddr share storage; which one it is follows the flags.
  if (ifa.ifa_broadaddr != nullptr && ifa.ifa_broadaddr->sa_family == AF_INET) {
    config.other = host_order(ifa.ifa_broadaddr);
  }
  auto target = ipv4_target(config);
  unsigned index = if_nametoindex(ifa.ifa_name);
  if (!target || index == 0) return std::nullopt;
  return Ipv4Interface{ifa.ifa_name, index, ipv4_text(config.address), ipv4_text(target->address),
                       target->broadcast};
}

bool is_global_ipv6(const in6_addr& a) {
  return !IN6_IS_ADDR_LINKLOCAL(&a) && !IN6_IS_ADDR_LOOPBACK(&a) && !IN6_IS_ADDR_V4MAPPED(&a) &&
         !IN6_IS_ADDR_MULTICAST(&a) && !IN6_IS_ADDR_UNSPECIFIED(&a) && !IN6_IS_ADDR_SITELOCAL(&a);
}

void add_ipv6(std::vector<Ipv6Interface>& out, const ifaddrs& ifa) {
  unsigned flags = ifa.ifa_flags;
  if ((flags & IFF_UP) == 0 || (flags & IFF_LOOPBACK) != 0 || (flags & IFF_MULTICAST) == 0) return;
  // One entry per interface, however many IPv6 addresses it has.
  auto it = std::find_if(out.begin(), out.end(),
                         [&](const Ipv6Interface& i) { return i.name == ifa.ifa_name; });
  if (it == out.end()) {
    unsigned index = if_nametoindex(ifa.ifa_name);
    if (index == 0) return;
    it = out.insert(out.end(), Ipv6Interface{ifa.ifa_name, index, {}});
  }
  const auto& a6 = reinterpret_cast<const sockaddr_in6*>(ifa.ifa_addr)->sin6_addr;
  if (it->global_address.empty() && is_global_ipv6(a6)) {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, &a6, buf, sizeof buf);
    it->global_address = buf;
  }
}

}  // namespace

std::optional<Ipv4Target> ipv4_target(const Ipv4Config& c) {
  int prefix = std::popcount(c.netmask);
  bool other_set = c.other && *c.other != c.address && *c.other != 0;
  if (c.point_to_point) {
    if (other_set) return Ipv4Target{*c.other, false};
    return std::nullopt;
  }
  if (prefix == 32) return std::nullopt;
  if (prefix == 31) return Ipv4Target{c.address ^ 1u, false};  // RFC 3021: the other end
  if (other_set) return Ipv4Target{*c.other, true};
  return Ipv4Target{c.address | ~c.netmask, true};
}

LocalInterfaces list_interfaces() {
  LocalInterfaces out;
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) {
    spdlog::warn("discovery: getifaddrs: {}", std::strerror(errno));
    return out;
  }
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> list(raw, &freeifaddrs);
  for (const ifaddrs* ifa = raw; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr) continue;
    if (ifa->ifa_addr->sa_family == AF_INET) {
      if (auto itf = ipv4_interface(*ifa)) out.ipv4.push_back(std::move(*itf));
    } else if (ifa->ifa_addr->sa_family == AF_INET6) {
      add_ipv6(out.ipv6, *ifa);
    }
  }
  return out;
}

std::vector<LinkTarget> link_targets(const LocalInterfaces& interfaces, TargetSelection what) {
  std::vector<LinkTarget> out;
  auto add = [&](LinkTarget t) {
    bool seen = std::any_of(out.begin(), out.end(), [&](const LinkTarget& o) {
      return o.ip == t.ip && o.ifindex == t.ifindex && o.source == t.source;
    });
    if (!seen) out.push_back(std::move(t));
  };
  for (const auto& itf : interfaces.ipv4) {
    add({itf.target, itf.index, {}});
    // Same wire, another subnet - an extra target, never the only one.
    add({kLimitedBroadcast, itf.index, {}});
  }
  if (!what.ipv6) return out;
  for (const auto& itf : interfaces.ipv6) {
    add({kIpv6Group, itf.index, {}});
    if (what.global_sources && !itf.global_address.empty())
      add({kIpv6Group, itf.index, itf.global_address});
  }
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
