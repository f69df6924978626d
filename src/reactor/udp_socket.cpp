#include "reactor/udp_socket.hpp"

#include "reactor/address.hpp"
#include "reactor/event_loop.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace checkers::reactor {

namespace {
constexpr std::size_t kMaxDatagram = 65536;

UniqueFd bind_udp(const sockaddr_storage& addr, bool dual_stack, bool reuse_addr) {
  const std::string what = format_address(addr);
  UniqueFd fd(::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) throw std::system_error(errno, std::generic_category(), "udp socket for " + what);
  const int on = 1;
  if (reuse_addr) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (addr.ss_family == AF_INET6) {
    const int v6only = dual_stack ? 0 : 1;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), address_length(addr)) < 0) {
    throw std::system_error(errno, std::generic_category(), "cannot bind udp " + what);
  }
  return fd;
}
}  // namespace

std::string Datagram::from_address() const {
  return format_address(reinterpret_cast<const sockaddr*>(&from), len);
}

UdpSocket UdpSocket::bind(EventLoop& loop, const std::string& host, std::uint16_t port,
                          bool reuse_addr) {
  const bool dual_stack = host.empty() || host == "::" || host == "[::]";
  sockaddr_storage addr{};
  if (!parse_ip(host.empty() ? "::" : host, port, addr)) {
    auto all = resolve(host, port, SOCK_DGRAM, true);
    if (all.empty()) throw std::runtime_error("no address for " + host);
    addr = all.front();
  }
  try {
    UniqueFd fd = bind_udp(addr, dual_stack, reuse_addr);
    return UdpSocket(loop, std::move(fd), addr.ss_family);
  } catch (const std::system_error& e) {
    if (!dual_stack || (e.code().value() != EAFNOSUPPORT && e.code().value() != EADDRNOTAVAIL))
      throw;
    parse_ip("0.0.0.0", port, addr);
    return UdpSocket(loop, bind_udp(addr, false, reuse_addr), AF_INET);
  }
}

UdpSocket::UdpSocket(EventLoop& loop, UniqueFd fd, int family)
    : loop_(&loop),
      fd_(std::move(fd)),
      family_(family),
      channel_(std::make_unique<Channel>(loop, fd_.get())),
      recv_buf_(kMaxDatagram) {}

UdpSocket::UdpSocket(UdpSocket&&) noexcept = default;

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
  if (this != &other) {
    channel_.reset();  // deregister before our fd closes
    loop_ = other.loop_;
    fd_ = std::move(other.fd_);
    family_ = other.family_;
    channel_ = std::move(other.channel_);
    recv_buf_ = std::move(other.recv_buf_);
  }
  return *this;
}

UdpSocket::~UdpSocket() { channel_.reset(); }

void UdpSocket::enable_broadcast() {
  const int on = 1;
  if (::setsockopt(fd_.get(), SOL_SOCKET, SO_BROADCAST, &on, sizeof on) < 0) {
    spdlog::warn("reactor: SO_BROADCAST: {}", std::strerror(errno));
  }
}

bool UdpSocket::join_ipv6_multicast(const std::string& group, unsigned ifindex) {
  ipv6_mreq mreq{};
  if (::inet_pton(AF_INET6, group.c_str(), &mreq.ipv6mr_multiaddr) != 1) {
    spdlog::warn("reactor: '{}' is not an IPv6 multicast group", group);
    return false;
  }
  mreq.ipv6mr_interface = ifindex;
  if (::setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof mreq) < 0) {
    spdlog::warn("reactor: joining {} on interface {}: {}", group, ifindex, std::strerror(errno));
    return false;
  }
  return true;
}

bool UdpSocket::set_ipv6_multicast_interface(unsigned ifindex) {
  return ::setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) == 0;
}

bool UdpSocket::set_multicast_loop(bool on) {
  const int flag = on ? 1 : 0;
  if (family_ == AF_INET6) {
    return ::setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &flag, sizeof flag) == 0;
  }
  const unsigned char c = on ? 1 : 0;
  return ::setsockopt(fd_.get(), IPPROTO_IP, IP_MULTICAST_LOOP, &c, sizeof c) == 0;
}

bool UdpSocket::set_multicast_hops(int hops) {
  if (family_ == AF_INET6) {
    return ::setsockopt(fd_.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) == 0;
  }
  const unsigned char ttl = static_cast<unsigned char>(hops);
  return ::setsockopt(fd_.get(), IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) == 0;
}

void UdpSocket::set_read_callback(std::function<void()> cb) {
  channel_->set_read_callback(std::move(cb));
  channel_->enable_reading();
}

std::optional<Datagram> UdpSocket::receive() {
  Datagram d;
  for (;;) {
    d.len = sizeof d.from;
    const ssize_t n = ::recvfrom(fd_.get(), recv_buf_.data(), recv_buf_.size(), 0,
                                 reinterpret_cast<sockaddr*>(&d.from), &d.len);
    if (n >= 0) {
      d.data.assign(recv_buf_.begin(), recv_buf_.begin() + n);
      return d;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      spdlog::debug("reactor: recvfrom: {}", std::strerror(errno));
    }
    return std::nullopt;
  }
}

bool UdpSocket::send_to(std::span<const std::uint8_t> data, const sockaddr* to, socklen_t to_len) {
  for (;;) {
    const ssize_t n = ::sendto(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL, to, to_len);
    if (n >= 0) return true;
    if (errno == EINTR) continue;
    spdlog::debug("reactor: sendto {}: {}", format_address(to, to_len), std::strerror(errno));
    return false;
  }
}

std::uint16_t UdpSocket::local_port() const { return address_port(local_address_of(fd_.get())); }

std::vector<InterfaceAddress> broadcast_interfaces() {
  std::vector<InterfaceAddress> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) < 0) {
    spdlog::warn("reactor: getifaddrs: {}", std::strerror(errno));
    return out;
  }
  for (const ifaddrs* ifa = list; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr || ifa->ifa_addr->sa_family != AF_INET) continue;
    if (!(ifa->ifa_flags & IFF_UP) || !(ifa->ifa_flags & IFF_BROADCAST) ||
        (ifa->ifa_flags & IFF_LOOPBACK) || ifa->ifa_broadaddr == nullptr) {
      continue;
    }
    InterfaceAddress item;
    item.name = ifa->ifa_name;
    item.address = format_ip(ifa->ifa_addr, sizeof(sockaddr_in));
    item.broadcast = format_ip(ifa->ifa_broadaddr, sizeof(sockaddr_in));
    item.index = ::if_nametoindex(ifa->ifa_name);
    out.push_back(std::move(item));
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace checkers::reactor
