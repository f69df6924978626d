#include "discovery/browser.hpp"

#include <fmt/format.h>

#include "discovery/interfaces.hpp"
#include "discovery/link_socket.hpp"
#include "reactor/address.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <system_error>

namespace checkers::discovery {
namespace {

constexpr int kMaxDatagramsPerWakeup = 256;

}  // namespace

DiscoveryBrowser::DiscoveryBrowser(reactor::EventLoop& loop, BrowserConfig config)
    : loop_(loop), config_(std::move(config)), nonces_(std::random_device{}()) {}

DiscoveryBrowser::~DiscoveryBrowser() {
  if (round_timer_ != 0) loop_.cancel(round_timer_);
  if (finish_timer_ != 0) loop_.cancel(finish_timer_);
}

uint16_t DiscoveryBrowser::legacy_port() const {
  return legacy_.empty() ? 0 : legacy_.front()->local_port();
}

void DiscoveryBrowser::start(Done done) {
  if (running()) throw std::logic_error("DiscoveryBrowser::start: a browse is already running");
  done_ = std::move(done);
  report_ = {};
  rounds_.clear();
  by_instance_.clear();
  legacy_found_.clear();
  plan_targets();
  open_sockets();
  send_round();
  // A second round, with a new nonce, in case a datagram of the first was lost.
  round_timer_ = loop_.run_after(config_.duration / 3, [this] {
    round_timer_ = 0;
    send_round();
  });
  finish_timer_ = loop_.run_after(config_.duration, [this] {
    finish_timer_ = 0;
    finish();
  });
}

void DiscoveryBrowser::plan_targets() {
  v4_targets_.clear();
  v6_targets_.clear();
  legacy_bind_.clear();
  if (!config_.targets.empty()) {
    for (const auto& ip : config_.targets) {
      (ip.find(':') == std::string::npos ? v4_targets_ : v6_targets_).push_back({ip, 0, {}});
      report_.interfaces.push_back(ip);
    }
    return;
  }
  auto interfaces = list_interfaces();
  for (auto& t : link_targets(interfaces, {.ipv6 = true, .global_sources = true})) {
    (t.ip.find(':') == std::string::npos ? v4_targets_ : v6_targets_).push_back(std::move(t));
  }
  legacy_bind_.push_back(kLimitedBroadcast);
  auto add_once = [](std::vector<std::string>& list, std::string item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(std::move(item));
  };
  for (const auto& itf : interfaces.ipv4) {
    spdlog::debug("discovery: asking on {} (address {}) at {} and {}", itf.name, itf.address,
                  itf.target, kLimitedBroadcast);
    add_once(report_.interfaces, fmt::format("{} ({})", itf.name, itf.target));
    if (itf.broadcast) add_once(legacy_bind_, itf.target);
  }
  for (const auto& itf : interfaces.ipv6) {
    spdlog::debug("discovery: asking on {} at {}{}", itf.name, kIpv6Group,
                  itf.global_address.empty() ? "" : ", also from " + itf.global_address);
    report_.interfaces.push_back(fmt::format("{} ({})", itf.name, kIpv6Group));
  }
  // Servers on this very host: the loopback broadcast reaches all of them, 127.0.0.1
  // one bound to it alone.
  v4_targets_.push_back({kLoopbackBroadcast, 0, {}});
  v4_targets_.push_back({"127.0.0.1", 0, {}});
}

void DiscoveryBrowser::open_sockets() {
  auto open = [&](const char* host, std::unique_ptr<reactor::UdpSocket>& slot) {
    try {
      slot = std::make_unique<reactor::UdpSocket>(reactor::UdpSocket::bind(loop_, host, 0, false));
      slot->enable_broadcast();
      reactor::UdpSocket* s = slot.get();
      slot->set_read_callback([this, s] { on_readable(*s); });
    } catch (const std::system_error& e) {
      report_.problems.push_back(fmt::format("cannot open a UDP socket on {}: {}", host, e.what()));
    }
  };
  if (!v4_targets_.empty()) open("0.0.0.0", v4_);
  if (!v6_targets_.empty()) {
    open("::", v6_);
    if (v6_ && v6_->family() != AF_INET6) v6_.reset();  // no IPv6 on this host
  }
  legacy_.clear();
  if (!config_.listen_legacy) return;
  if (!config_.legacy_bind.empty()) {
    open_legacy_listeners(config_.legacy_bind);
    return;
  }
  open_legacy_listeners(legacy_bind_);
}

void DiscoveryBrowser::open_legacy_listeners(const std::vector<std::string>& bind_to) {
  uint16_t port = config_.legacy_port;
  for (const auto& ip : bind_to) {
    try {
      auto s =
          std::make_unique<reactor::UdpSocket>(reactor::UdpSocket::bind(loop_, ip, port, true));
      port = s->local_port();  // an ephemeral port is shared by all listeners
      reactor::UdpSocket* raw = s.get();
      s->set_read_callback([this, raw] { on_readable(*raw); });
      legacy_.push_back(std::move(s));
    } catch (const std::system_error& e) {
      // Usually a reference client holding the port without SO_REUSEADDR.
      spdlog::debug("discovery: not listening for legacy beacons on {}: {}", ip, e.what());
    }
  }
  report_.legacy_listening = !legacy_.empty();
}

void DiscoveryBrowser::send_round() {
  uint32_t nonce = 0;
  while (nonce == 0 || rounds_.count(nonce) != 0) nonce = static_cast<uint32_t>(nonces_());
  rounds_[nonce] = std::chrono::steady_clock::now();
  auto bytes = encode(Query{nonce});
  // Each target leaves by its own interface, so no route is needed; a failure (an IPv6
  // address still in duplicate address detection, a link gone down) costs only that target.
  auto send_all = [&](reactor::UdpSocket* s, const std::vector<LinkTarget>& targets) {
    if (s == nullptr) return;
    for (const auto& t : targets) {
      auto to = socket_target(t.ip, config_.server_port, s->family(), t.ifindex);
      if (to) send_via(*s, bytes, *to, t.ifindex, t.source);
    }
  };
  send_all(v4_.get(), v4_targets_);
  send_all(v6_.get(), v6_targets_);
}

void DiscoveryBrowser::on_readable(reactor::UdpSocket& socket) {
  for (int i = 0; i < kMaxDatagramsPerWakeup; ++i) {
    auto d = socket.receive();
    if (!d) return;
    handle(*d);
  }
}

void DiscoveryBrowser::handle(const reactor::Datagram& d) {
  RejectReason why{};
  auto parsed = parse(d.data, &why);
  if (!parsed) {
    ++report_.rejected;
    spdlog::debug("discovery: ignored {}-byte datagram from {}: {}", d.data.size(),
                  host_text(d.from), to_string(why));
    return;
  }
  if (const auto* a = std::get_if<Announcement>(&*parsed)) {
    on_announcement(*a, d.from);
  } else if (std::holds_alternative<LegacyBeacon>(*parsed)) {
    std::string address = host_text(d.from);
    if (legacy_found_.count(address) == 0) {
      FoundServer s;
      s.address = address;
      s.tcp_port = config_.legacy_tcp_port;
      s.legacy = true;
      legacy_found_.emplace(address, std::move(s));
      spdlog::debug("discovery: legacy beacon from {}", address);
    }
  }
  // Queries are other clients' (heard on the legacy port): nothing to do.
}

void DiscoveryBrowser::on_announcement(const Announcement& a, const sockaddr_storage& from) {
  std::optional<double> latency;
  if (a.nonce != 0) {
    auto round = rounds_.find(a.nonce);
    if (round == rounds_.end()) {
      ++report_.rejected;
      spdlog::debug("discovery: announcement from {} answers a query we did not send",
                    host_text(from));
      return;
    }
    latency =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - round->second)
            .count();
  }
  auto [it, fresh] = by_instance_.try_emplace(a.instance_id);
  FoundServer& s = it->second;
  add_address(s, host_text(from));
  // The newest counts win; the best latency is kept.
  s.tcp_port = a.tcp_port;
  s.name = a.name;
  s.lowest_version = a.lowest_version;
  s.highest_version = a.highest_version;
  s.players_online = a.players_online;
  s.players_queued = a.players_queued;
  s.instance_id = a.instance_id;
  s.tls = a.tls.has_value();
  s.tls_required = a.tls && a.tls->required;
  s.tls_fingerprint.clear();
  if (a.tls)
    for (std::size_t i = 0; i < a.tls->fingerprint.size(); ++i)
      s.tls_fingerprint += fmt::format("{}{:02X}", i ? ":" : "", a.tls->fingerprint[i]);
  if (latency && (!s.latency_ms || *latency < *s.latency_ms)) s.latency_ms = latency;
}

std::vector<FoundServer> DiscoveryBrowser::results() const {
  std::vector<FoundServer> out;
  for (const auto& [id, s] : by_instance_) out.push_back(s);
  auto announced_from = [&](const std::string& address) {
    return std::any_of(out.begin(), out.end(), [&](const FoundServer& s) {
      return s.address == address || std::find(s.other_addresses.begin(), s.other_addresses.end(),
                                               address) != s.other_addresses.end();
    });
  };
  std::vector<FoundServer> legacy;
  for (const auto& [address, s] : legacy_found_) {
    if (!announced_from(address)) legacy.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const FoundServer& a, const FoundServer& b) {
    return std::tie(a.name, a.address, a.tcp_port) < std::tie(b.name, b.address, b.tcp_port);
  });
  out.insert(out.end(), legacy.begin(), legacy.end());
  return out;
}

void DiscoveryBrowser::finish() {
  if (round_timer_ != 0) loop_.cancel(round_timer_);
  round_timer_ = 0;
  auto found = results();
  v4_.reset();
  v6_.reset();
  legacy_.clear();
  for (const auto& s : found) {
    if (!s.other_addresses.empty()) {
      spdlog::debug("discovery: \"{}\" at {} also answered from {}", printable(s.name), s.address,
                    fmt::join(s.other_addresses, ", "));
    }
  }
  spdlog::debug("discovery: {} server(s) found, {} datagram(s) ignored", found.size(),
                report_.rejected);
  Done done = std::move(done_);
  done_ = nullptr;
  done(std::move(found), std::move(report_));  // may destroy *this: nothing after
}

}  // namespace checkers::discovery
