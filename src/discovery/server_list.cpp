#include "discovery/server_list.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace checkers::discovery {
namespace {

// Strict weak order: is `a` a better choice than `b`?
bool better(const FoundServer& a, const FoundServer& b, uint8_t version) {
  if (a.speaks(version) != b.speaks(version)) return a.speaks(version);
  if (a.players_queued != b.players_queued) return a.players_queued > b.players_queued;
  if (a.latency_ms.has_value() != b.latency_ms.has_value()) return a.latency_ms.has_value();
  if (a.latency_ms && *a.latency_ms != *b.latency_ms) return *a.latency_ms < *b.latency_ms;
  return false;
}

std::string endpoint(const std::string& address, uint16_t port) {
  bool v6 = address.find(':') != std::string::npos;
  return v6 ? fmt::format("[{}]:{}", address, port) : fmt::format("{}:{}", address, port);
}

// address_preference() ranks, best first.
enum Preference : int {
  kIpv4,
  kGlobalIpv6,
  kIpv4LinkLocal,
  kLoopback,
  kIpv6LinkLocal,
  kNotAnAddress
};

// One line that fits 80 columns for an IPv4 server with a name of up to ~20 characters;
// the other addresses (a global IPv6 one is 40 characters) would break it.
std::string describe(const FoundServer& s) {
  if (s.legacy)
    return fmt::format("{}  (reference server, empty beacon; protocol v1)",
                       endpoint(s.address, s.tcp_port));
  std::string versions = s.lowest_version == s.highest_version
                             ? fmt::format("v{}", s.lowest_version)
                             : fmt::format("v{}-v{}", s.lowest_version, s.highest_version);
  std::string latency = s.latency_ms ? fmt::format("{:.1f} ms", *s.latency_ms) : std::string("-");
  const char* tls = !s.tls ? "" : s.tls_required ? "  TLS required" : "  TLS";
  return fmt::format("{}  \"{}\"  {}{}  {} online, {} queued  latency {}",
                     endpoint(s.address, s.tcp_port), printable(s.name), versions, tls,
                     s.players_online, s.players_queued, latency);
}

}  // namespace

int address_preference(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    uint32_t a = ntohl(v4.s_addr);
    if ((a >> 24) == 127) return kLoopback;
    return (a >> 16) == 0xA9FE ? kIpv4LinkLocal : kIpv4;  // 169.254/16
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.substr(0, address.find('%')).c_str(), &v6) != 1)
    return kNotAnAddress;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return kLoopback;
  return IN6_IS_ADDR_LINKLOCAL(&v6) ? kIpv6LinkLocal : kGlobalIpv6;
}

void add_address(FoundServer& s, const std::string& address) {
  if (s.address == address || std::find(s.other_addresses.begin(), s.other_addresses.end(),
                                        address) != s.other_addresses.end()) {
    return;
  }
  if (s.address.empty()) {
    s.address = address;
    return;
  }
  std::string other = address;
  if (address_preference(address) < address_preference(s.address)) std::swap(other, s.address);
  auto at = std::find_if(
      s.other_addresses.begin(), s.other_addresses.end(),
      [&](const std::string& a) { return address_preference(other) < address_preference(a); });
  s.other_addresses.insert(at, std::move(other));
}

const FoundServer& pick_best(const std::vector<FoundServer>& servers, uint8_t version) {
  if (servers.empty()) throw std::invalid_argument("pick_best: no servers");
  return *std::min_element(
      servers.begin(), servers.end(),
      [&](const FoundServer& a, const FoundServer& b) { return better(a, b, version); });
}

std::string format_server_list(const std::vector<FoundServer>& servers) {
  std::string out;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    out += fmt::format("{:>2}) {}\n", i + 1, describe(servers[i]));
  }
  return out;
}

std::string format_none_found(const BrowseReport& report, int waited_ms) {
  std::string tried;
  for (const auto& i : report.interfaces) tried += (tried.empty() ? "" : ", ") + i;
  if (tried.empty()) tried = "none (no up interface can broadcast or multicast)";
  std::string out = fmt::format(
      "No checkers server answered within {} ms.\n"
      "Asked on: {}.\n"
      "Discovery only reaches servers in the same broadcast domain (same subnet, no router,\n"
      "VPN, Wi-Fi client isolation or container network in between; UDP port 8864 open).\n"
      "If you know where the server is, connect directly: checkers-client --host-addr <address>\n",
      waited_ms, tried);
  for (const auto& p : report.problems) out += "Note: " + p + "\n";
  return out;
}

std::string printable(const std::string& utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    auto c = static_cast<unsigned char>(utf8[i]);
    // C1 controls are U+0080..U+009F, encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) <= 0x9F &&
        static_cast<unsigned char>(utf8[i + 1]) >= 0x80) {
      out += '?';
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      out += '?';
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace checkers::discovery
