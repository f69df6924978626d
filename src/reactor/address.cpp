#include "reactor/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace checkers::reactor {

std::string format_ip(const sockaddr* addr, socklen_t len) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (addr->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
  } else if (addr->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      ::inet_ntop(AF_INET, in6->sin6_addr.s6_addr + 12, text, sizeof text);
    } else {
      ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    }
  }
  return text;
}

std::string format_address(const sockaddr* addr, socklen_t len) {
  // An in-process socketpair (the server's house bot) has no address: say what it is.
  if (addr->sa_family == AF_UNIX) return "local";
  const std::string ip = format_ip(addr, len);
  std::uint16_t port = 0;
  bool bracket = false;
  if (addr->sa_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in*>(addr)->sin_port);
  } else if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    port = ntohs(in6->sin6_port);
    bracket = !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
  }
  return bracket ? "[" + ip + "]:" + std::to_string(port) : ip + ":" + std::to_string(port);
}

std::string format_address(const sockaddr_storage& addr) {
  return format_address(reinterpret_cast<const sockaddr*>(&addr), address_length(addr));
}

std::uint16_t address_port(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  return 0;
}

socklen_t address_length(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return sizeof(sockaddr_in);
  if (addr.ss_family == AF_INET6) return sizeof(sockaddr_in6);
  return sizeof(sockaddr_storage);
}

bool parse_ip(const std::string& ip_text, std::uint16_t port, sockaddr_storage& out) {
  std::string ip = ip_text;
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  out = sockaddr_storage{};
  auto& in = reinterpret_cast<sockaddr_in&>(out);
  if (::inet_pton(AF_INET, ip.c_str(), &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    return true;
  }
  auto& in6 = reinterpret_cast<sockaddr_in6&>(out);
  if (::inet_pton(AF_INET6, ip.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(port);
    return true;
  }
  out = sockaddr_storage{};
  return false;
}

std::vector<sockaddr_storage> resolve(const std::string& host, std::uint16_t port, int socktype,
                                      bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* result = nullptr;
  const std::string service = std::to_string(port);
  const int rc =
      ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &result);
  if (rc != 0) {
    throw std::runtime_error("cannot resolve " + host + ":" + service + ": " +
                             (rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc)));
  }
  std::vector<sockaddr_storage> out;
  for (const addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    sockaddr_storage ss{};
    std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    out.push_back(ss);
  }
  ::freeaddrinfo(result);
  return out;
}

sockaddr_storage local_address_of(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return ss;
}

}  // namespace checkers::reactor
