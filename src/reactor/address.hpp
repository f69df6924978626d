// Socket address helpers shared by the TCP and UDP classes: printable "ip:port" forms
// and host/port resolution to sockaddr_storage.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

namespace checkers::reactor {

// "1.2.3.4:80", "[::1]:80"; IPv4-mapped IPv6 addresses print as IPv4.
std::string format_address(const sockaddr* addr, socklen_t len);
std::string format_address(const sockaddr_storage& addr);
// The ip part only ("1.2.3.4", "::1").
std::string format_ip(const sockaddr* addr, socklen_t len);
// Port of an AF_INET/AF_INET6 address (0 otherwise).
std::uint16_t address_port(const sockaddr_storage& addr);
socklen_t address_length(const sockaddr_storage& addr);

// Numeric IPv4/IPv6 literal (brackets allowed) to an address; false if not numeric.
bool parse_ip(const std::string& ip, std::uint16_t port, sockaddr_storage& out);
// getaddrinfo(host, AF_UNSPEC, socktype) in the resolver's order; throws
// std::runtime_error naming host:port and gai_strerror on failure.
std::vector<sockaddr_storage> resolve(const std::string& host, std::uint16_t port, int socktype,
                                      bool passive);

// Local address of a bound socket.
sockaddr_storage local_address_of(int fd);

}  // namespace checkers::reactor
