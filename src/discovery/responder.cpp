#include "discovery/responder.hpp"

#include "discovery/interfaces.hpp"
#include "discovery/link_socket.hpp"
#include "proto/version.hpp"
#include "reactor/address.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <random>
#include <stdexcept>
#include <system_error>

namespace checkers::discovery {
namespace {

uint64_t random_instance_id() {
  std::random_device rd;
  uint64_t id = 0;
  while (id == 0) id = (uint64_t{rd()} << 32) ^ rd();
  return id;
}

// The host name, cut at a UTF-8 character boundary to fit an announcement.
std::string default_server_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return "checkers";
  std::string name(host);
  while (!validate_server_name(name).empty() && !name.empty()) name.pop_back();
  return name.empty() ? "checkers" : name;
}

// Reads at most this many datagrams per wake-up so a flood cannot starve the loop.
constexpr int kMaxDatagramsPerWakeup = 64;

}  // namespace

DiscoveryResponder::DiscoveryResponder(reactor::EventLoop& loop, ResponderConfig config,
                                       std::function<PlayerCounts()> player_counts)
    : loop_(loop),
      config_(std::move(config)),
      player_counts_(std::move(player_counts)),
      instance_id_(random_instance_id()),
      limiter_(config_.per_source, config_.total) {
  if (config_.server_name.empty()) config_.server_name = default_server_name();
  if (auto err = validate_server_name(config_.server_name); !err.empty())
    throw std::invalid_argument(err);
  if (config_.tcp_port == 0)
    throw std::invalid_argument("discovery: TCP port 0 cannot be announced");
}

DiscoveryResponder::~DiscoveryResponder() {
  if (announce_timer_ != 0) loop_.cancel(announce_timer_);
  if (legacy_timer_ != 0) loop_.cancel(legacy_timer_);
}

uint16_t DiscoveryResponder::udp_port() const { return socket_ ? socket_->local_port() : 0; }

void DiscoveryResponder::start() {
  try {
    socket_ = std::make_unique<reactor::UdpSocket>(reactor::UdpSocket::bind(
        loop_, config_.bind_address, config_.udp_port, /*reuse_addr=*/true));
  } catch (const std::system_error& e) {
    throw std::runtime_error(
        std::string("discovery: ") + e.what() +
        " (choose another port with --udp-port, or turn discovery off with --no-discovery)");
  }
  socket_->enable_broadcast();
  report_arrival_interface(*socket_);
  socket_->set_read_callback([this] { on_readable(); });
  join_groups();
  spdlog::info("discovery: answering queries on UDP port {} as \"{}\" (instance {:016x}){}{}",
               udp_port(), config_.server_name, instance_id_,
               config_.announce_interval.count() > 0
                   ? fmt::format(", announcing every {} ms", config_.announce_interval.count())
                   : std::string(),
               config_.legacy_beacon ? ", legacy beacon on" : "");
  if (config_.announce_interval.count() > 0) {
    announce();
    announce_timer_ = loop_.run_every(config_.announce_interval, [this] { announce(); });
  }
  if (config_.legacy_beacon) {
    legacy_timer_ = loop_.run_every(config_.legacy_interval, [this] { send_legacy_beacons(); });
  }
}

void DiscoveryResponder::join_groups() {
  if (socket_->family() != AF_INET6 || !config_.bind_address.empty()) return;
  for (const auto& itf : list_interfaces().ipv6) {
    if (joined_.count(itf.index) != 0) continue;
    if (socket_->join_ipv6_multicast(kIpv6Group, itf.index)) {
      joined_.insert(itf.index);
      spdlog::debug("discovery: joined {} on {}", kIpv6Group, itf.name);
    }
  }
}

void DiscoveryResponder::on_readable() {
  for (int i = 0; i < kMaxDatagramsPerWakeup; ++i) {
    auto arrived = receive_with_interface(*socket_);
    if (!arrived) return;
    handle(*arrived);
  }
}

void DiscoveryResponder::handle(const ArrivedDatagram& arrived) {
  const reactor::Datagram& d = arrived.datagram;
  RejectReason why{};
  auto parsed = parse(d.data, &why);
  if (!parsed) {
    auto& n = counters_.rejected[static_cast<std::size_t>(why)];
    ++n;
    spdlog::debug("discovery: ignored {}-byte datagram from {}: {} ({} so far)", d.data.size(),
                  host_text(d.from), to_string(why), n);
    return;
  }
  if (const auto* query = std::get_if<Query>(&*parsed)) {
    answer(*query, arrived);
  } else {
    ++counters_.ignored;  // other servers' announcements and beacons, our own echoes
  }
}

void DiscoveryResponder::answer(const Query& query, const ArrivedDatagram& from) {
  ++counters_.queries;
  std::string source = host_text(from.datagram.from);
  if (!limiter_.allow(source)) {
    ++counters_.rate_limited;
    spdlog::debug("discovery: rate limit: not answering {} ({} dropped so far)", source,
                  counters_.rate_limited);
    return;
  }
  // Out of the interface the query came in on: the asker is on that link, whether or
  // not a route to it exists.
  if (send(encode(announcement(query.nonce)), {from.datagram.from, from.ifindex},
           from.local_address)) {
    ++counters_.answered;
  }
}

Announcement DiscoveryResponder::announcement(uint32_t nonce) const {
  PlayerCounts players = player_counts_ ? player_counts_() : PlayerCounts{};
  return Announcement{nonce,
                      instance_id_,
                      config_.tcp_port,
                      proto::kLowestSupportedVersion,
                      proto::kHighestSupportedVersion,
                      players.online,
                      players.queued,
                      config_.server_name,
                      config_.tls};
}

void DiscoveryResponder::announce() {
  join_groups();  // interfaces may have come up since the last round
  auto bytes = encode(announcement(0));
  for (const auto& to : destinations(/*ipv6=*/true)) {
    if (send(bytes, to)) ++counters_.announcements;
  }
}

void DiscoveryResponder::send_legacy_beacons() {
  for (const auto& to : destinations(/*ipv6=*/false)) {
    if (send({}, to)) ++counters_.legacy_beacons;
  }
}

std::vector<DiscoveryResponder::Destination> DiscoveryResponder::destinations(bool ipv6) const {
  std::vector<Destination> out;
  int family = socket_->family();
  auto add = [&](const std::string& ip, unsigned ifindex) {
    if (auto a = socket_target(ip, config_.announce_port, family, ifindex))
      out.push_back({*a, ifindex});
  };
  if (!config_.announce_targets.empty()) {
    for (const auto& ip : config_.announce_targets) add(ip, 0);
    return out;
  }
  for (const auto& t : link_targets(list_interfaces(), {.ipv6 = ipv6, .global_sources = false}))
    add(t.ip, t.ifindex);
  return out;
}

bool DiscoveryResponder::send(std::span<const uint8_t> bytes, const Destination& to,
                              const std::string& source) {
  if (send_via(*socket_, bytes, to.address, to.ifindex, source)) return true;
  ++counters_.send_failures;
  return false;
}

}  // namespace checkers::discovery
