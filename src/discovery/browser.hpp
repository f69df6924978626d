// DiscoveryBrowser: the client side of LAN discovery. Sends queries out of every
// interface (see link_targets: each IPv4 address's broadcast target and the limited
// broadcast, ff02::8864 per IPv6 interface) and to this host's loopback, collects
// announcements (and the reference implementation's empty beacons) for a fixed time
// on the event loop, then reports every server found, one entry per instance id with
// its best address first (see add_address).
#pragma once

#include "discovery/datagram.hpp"
#include "discovery/interfaces.hpp"
#include "discovery/server_list.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/udp_socket.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace checkers::discovery {

struct BrowserConfig {
  uint16_t server_port = kDefaultUdpPort;  // where queries go
  std::chrono::milliseconds duration{500};
  // IP literals to query instead of the interfaces' broadcast addresses (tests).
  std::vector<std::string> targets;
  bool listen_legacy = true;
  uint16_t legacy_port = kDefaultUdpPort;  // 0 = ephemeral (tests)
  // Addresses to bind the legacy listener to; empty = 255.255.255.255 and every
  // interface's directed broadcast address (never 0.0.0.0, which could take unicast
  // queries meant for a server on this host).
  std::vector<std::string> legacy_bind;
  // SERVICE: a legacy (reference) beacon carries no port; such a server is on the well-known TCP
  // 8864.
  uint16_t legacy_tcp_port = 8864;  // the reference client's assumption
};

// DISCOVERY: client side - queries every broadcast/multicast interface and collects the servers
// that answer.
class DiscoveryBrowser {
 public:
  using Done = std::function<void(std::vector<FoundServer>, BrowseReport)>;

  DiscoveryBrowser(reactor::EventLoop& loop, BrowserConfig config);
  ~DiscoveryBrowser();
  DiscoveryBrowser(const DiscoveryBrowser&) = delete;
  DiscoveryBrowser& operator=(const DiscoveryBrowser&) = delete;

  // Runs one browse; `done` is called once, from the loop, after config.duration.
  // The browser may be destroyed from inside `done`, or started again.
  // Throws std::logic_error while a browse is running.
  void start(Done done);
  bool running() const { return static_cast<bool>(done_); }
  // The bound legacy listener port (0 when not listening); for tests with port 0.
  uint16_t legacy_port() const;

 private:
  void open_sockets();
  void open_legacy_listeners(const std::vector<std::string>& bind_to);
  void plan_targets();
  void send_round();
  void on_readable(reactor::UdpSocket& socket);
  void handle(const reactor::Datagram& d);
  void on_announcement(const Announcement& a, const sockaddr_storage& from);
  void finish();
  std::vector<FoundServer> results() const;

  reactor::EventLoop& loop_;
  BrowserConfig config_;
  Done done_;
  std::unique_ptr<reactor::UdpSocket> v4_;
  std::unique_ptr<reactor::UdpSocket> v6_;
  std::vector<std::unique_ptr<reactor::UdpSocket>> legacy_;
  std::vector<LinkTarget> v4_targets_;
  std::vector<LinkTarget> v6_targets_;
  std::vector<std::string> legacy_bind_;  // default legacy listener addresses (plan_targets)
  std::map<uint32_t, std::chrono::steady_clock::time_point> rounds_;  // nonce -> sent at
  std::map<uint64_t, FoundServer> by_instance_;
  std::map<std::string, FoundServer> legacy_found_;  // by address
  BrowseReport report_;
  std::mt19937 nonces_;  // random query nonces, so answers to queries we never sent are dropped
  reactor::TimerId round_timer_ = 0;
  reactor::TimerId finish_timer_ = 0;
};

}  // namespace checkers::discovery
