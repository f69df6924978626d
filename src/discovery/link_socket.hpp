// Datagrams bound to an interface per packet (IP_PKTINFO / IPV6_PKTINFO on a reactor
// UdpSocket): sending out of a chosen interface, so that broadcasts and answers need no
// route - the kernel takes a destination with an outgoing interface as on-link - and
// receiving with the interface a datagram arrived on, so the answer leaves by it.
#pragma once

#include "reactor/udp_socket.hpp"

#include <netinet/in.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace checkers::discovery {

struct ArrivedDatagram {
  reactor::Datagram datagram;
  unsigned ifindex = 0;  // 0 when the kernel did not say
  // The local address to answer from: for IPv4 the kernel's choice for this datagram
  // (the bound address, or the arrival interface's own address for a broadcast); for
  // IPv6 the destination unless it was multicast. "" = let the kernel choose.
  std::string local_address;
};

// Asks the kernel to report the arrival interface (IP_PKTINFO, and IPV6_RECVPKTINFO on
// an AF_INET6 socket). False + debug log if it cannot.
bool report_arrival_interface(reactor::UdpSocket& socket);

// One datagram with its arrival interface, or nullopt when none is waiting.
std::optional<ArrivedDatagram> receive_with_interface(reactor::UdpSocket& socket);

// sendto `to`, leaving by interface `ifindex` (0 = as routed) from `source` (an address
// of the destination's family; "" = the socket's bound address or the kernel's choice).
// False on error (logged at debug, with the interface).
bool send_via(reactor::UdpSocket& socket, std::span<const uint8_t> bytes,
              const sockaddr_storage& to, unsigned ifindex, const std::string& source = {});

}  // namespace checkers::discovery
