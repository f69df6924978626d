#include "discovery/link_socket.hpp"

#include "reactor/address.hpp"

#include <arpa/inet.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace checkers::discovery {
namespace {

// Largest datagram read here; discovery datagrams are at most 512 bytes, anything
// longer only has to be recognisably too long.
constexpr std::size_t kReceiveBuffer = 2048;

bool is_ipv4_destination(const sockaddr_storage& to) {
  if (to.ss_family == AF_INET) return true;
  const auto& a6 = reinterpret_cast<const sockaddr_in6*>(&to)->sin6_addr;
  return to.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&a6);
}

// The one control message of `msg` (whose msg_control has room for it).
template <typename T>
void put_control(msghdr& msg, int level, int type, const T& value) {
  cmsghdr* c = reinterpret_cast<cmsghdr*>(msg.msg_control);
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(sizeof value);
  std::memcpy(CMSG_DATA(c), &value, sizeof value);
  msg.msg_controllen = CMSG_SPACE(sizeof value);
}

std::string ip_text(int family, const void* address) {
  char buf[INET6_ADDRSTRLEN] = {};
  return inet_ntop(family, address, buf, sizeof buf) != nullptr ? buf : "";
}

}  // namespace

bool report_arrival_interface(reactor::UdpSocket& socket) {
  const int on = 1;
  bool ok = ::setsockopt(socket.fd(), IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == 0;
  if (socket.family() == AF_INET6) {
    ok = ::setsockopt(socket.fd(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) == 0 && ok;
  }
  if (!ok) spdlog::debug("discovery: cannot ask for arrival interfaces: {}", std::strerror(errno));
  return ok;
}

std::optional<ArrivedDatagram> receive_with_interface(reactor::UdpSocket& socket) {
  ArrivedDatagram out;
  uint8_t buf[kReceiveBuffer];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo)) + CMSG_SPACE(sizeof(in6_pktinfo))];
  for (;;) {
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_name = &out.datagram.from;
    msg.msg_namelen = sizeof out.datagram.from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(socket.fd(), &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        spdlog::debug("discovery: recvmsg: {}", std::strerror(errno));
      return std::nullopt;
    }
    out.datagram.len = msg.msg_namelen;
    // A truncated datagram keeps one byte too many, so it is still rejected as too long.
    std::size_t kept = (msg.msg_flags & MSG_TRUNC) != 0 ? sizeof buf : static_cast<std::size_t>(n);
    out.datagram.data.assign(buf, buf + kept);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        out.ifindex = static_cast<unsigned>(info.ipi_ifindex);
        out.local_address = ip_text(AF_INET, &info.ipi_spec_dst);
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        out.ifindex = info.ipi6_ifindex;
        if (!IN6_IS_ADDR_MULTICAST(&info.ipi6_addr))
          out.local_address = ip_text(AF_INET6, &info.ipi6_addr);
      }
    }
    return out;
  }
}

bool send_via(reactor::UdpSocket& socket, std::span<const uint8_t> bytes,
              const sockaddr_storage& to, unsigned ifindex, const std::string& source) {
  iovec iov{const_cast<uint8_t*>(bytes.data()), bytes.size()};
  msghdr msg{};
  msg.msg_name = const_cast<sockaddr_storage*>(&to);
  msg.msg_namelen = reactor::address_length(to);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  if (ifindex != 0 || !source.empty()) {
    msg.msg_control = control;
    // An IPv4(-mapped) destination takes IP_PKTINFO, also on a dual-stack socket.
    if (is_ipv4_destination(to)) {
      in_pktinfo info{};
      info.ipi_ifindex = static_cast<int>(ifindex);
      if (!source.empty() && inet_pton(AF_INET, source.c_str(), &info.ipi_spec_dst) != 1)
        return false;
      put_control(msg, IPPROTO_IP, IP_PKTINFO, info);
    } else {
      in6_pktinfo info{};
      info.ipi6_ifindex = ifindex;
      if (!source.empty() && inet_pton(AF_INET6, source.c_str(), &info.ipi6_addr) != 1)
        return false;
      put_control(msg, IPPROTO_IPV6, IPV6_PKTINFO, info);
    }
  }
  for (;;) {
    if (::sendmsg(socket.fd(), &msg, MSG_NOSIGNAL) >= 0) return true;
    if (errno == EINTR) continue;
    spdlog::debug("discovery: sendto {} (interface {}{}{}): {}", reactor::format_address(to),
                  ifindex, source.empty() ? "" : ", from ", source, std::strerror(errno));
    return false;
  }
}

}  // namespace checkers::discovery
