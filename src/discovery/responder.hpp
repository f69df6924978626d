// DiscoveryResponder: the server side of LAN discovery. One UDP socket (dual-stack,
// SO_REUSEADDR so several servers on one host share the port and each gets every
// broadcast and multicast query; joined to ff02::8864 on every multicast interface) in
// the server's event loop: answers each query at once with a unicast announcement out
// of the interface it came in on (rate-limited per source), broadcasts an unsolicited
// announcement periodically on every interface (see link_targets), and optionally
// sends the reference implementation's empty beacon every second.
#pragma once

#include "discovery/datagram.hpp"
#include "discovery/link_socket.hpp"
#include "discovery/rate_limiter.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/udp_socket.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace checkers::discovery {

struct ResponderConfig {
  std::string bind_address;                           // "" = every address, IPv4 and IPv6
  uint16_t udp_port = kDefaultUdpPort;                // 0 = ephemeral (tests)
  std::chrono::milliseconds announce_interval{5000};  // 0 = no periodic announcements
  bool legacy_beacon = false;
  std::chrono::milliseconds legacy_interval{1000};
  uint16_t announce_port = kDefaultUdpPort;  // destination of announcements and beacons
  // IP literals to announce to instead of every interface's broadcast address (tests).
  std::vector<std::string> announce_targets;
  uint16_t tcp_port = 8864;
  std::string server_name;      // "" = the host name
  std::optional<TlsOffer> tls;  // announced when the game port offers TLS
  RateLimit per_source{10, 20};
  RateLimit total{200, 400};
};

struct PlayerCounts {
  uint32_t online = 0;
  uint32_t queued = 0;
};

struct ResponderCounters {
  uint64_t queries = 0;
  uint64_t answered = 0;
  uint64_t rate_limited = 0;
  uint64_t announcements = 0;   // unsolicited, per destination
  uint64_t legacy_beacons = 0;  // per destination
  uint64_t send_failures = 0;
  uint64_t ignored = 0;  // well-formed but not for us: announcements, empty beacons
  std::array<uint64_t, kRejectReasonCount> rejected{};
};

// DISCOVERY: server side - answers LAN queries, announces periodically, sends the reference's empty
// beacon.
class DiscoveryResponder {
 public:
  // Throws std::invalid_argument for a server name that cannot be announced.
  DiscoveryResponder(reactor::EventLoop& loop, ResponderConfig config,
                     std::function<PlayerCounts()> player_counts);
  ~DiscoveryResponder();
  DiscoveryResponder(const DiscoveryResponder&) = delete;
  DiscoveryResponder& operator=(const DiscoveryResponder&) = delete;

  // Binds and starts answering/announcing. Throws std::runtime_error naming the port
  // and the options to change when the socket cannot be bound.
  void start();

  uint16_t udp_port() const;  // the bound port (after start)
  uint64_t instance_id() const { return instance_id_; }
  const std::string& server_name() const { return config_.server_name; }
  const ResponderCounters& counters() const { return counters_; }

 private:
  struct Destination {
    sockaddr_storage address;
    unsigned ifindex = 0;  // leave by this interface (0 = as routed)
  };

  void on_readable();
  void handle(const ArrivedDatagram& datagram);
  void answer(const Query& query, const ArrivedDatagram& from);
  Announcement announcement(uint32_t nonce) const;
  void announce();
  void send_legacy_beacons();
  void join_groups();
  bool send(std::span<const uint8_t> bytes, const Destination& to, const std::string& source = {});
  // Every interface's broadcast targets (and, for announcements, the IPv6 group) at announce_port.
  std::vector<Destination> destinations(bool ipv6) const;

  reactor::EventLoop& loop_;
  ResponderConfig config_;
  std::function<PlayerCounts()> player_counts_;
  uint64_t instance_id_;
  std::unique_ptr<reactor::UdpSocket> socket_;
  SourceRateLimiter limiter_;
  std::set<unsigned> joined_;  // interface indexes in the IPv6 group
  reactor::TimerId announce_timer_ = 0;
  reactor::TimerId legacy_timer_ = 0;
  ResponderCounters counters_;
};

}  // namespace checkers::discovery
