// Where discovery sends on each interface (ipv4_target, link_targets) and how the
// addresses one server answered from are ordered and shown (address_preference,
// add_address, format_server_list).
#include "discovery/interfaces.hpp"
#include "discovery/server_list.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fmt/format.h>

using namespace checkers::discovery;

namespace {
uint32_t ip(const char* text) {
  in_addr a{};
  REQUIRE(inet_pton(AF_INET, text, &a) == 1);
  return ntohl(a.s_addr);
}
uint32_t mask(int prefix) { return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix); }
}  // namespace

TEST_CASE("IPv4 target: configured broadcast, else address | ~netmask") {
  // `ip addr add 10.213.7.2/24 dev eth0` (no "broadcast +"): getifaddrs reports the
  // address itself as the broadcast address.
  auto t = ipv4_target({ip("10.213.7.2"), mask(24), ip("10.213.7.2"), false});
  REQUIRE(t);
  CHECK(t->address == ip("10.213.7.255"));
  CHECK(t->broadcast);
  // No broadcast address at all.
  CHECK(ipv4_target({ip("192.168.1.9"), mask(20), std::nullopt, false})->address ==
        ip("192.168.15.255"));
  CHECK(ipv4_target({ip("192.168.1.9"), mask(24), ip("0.0.0.0"), false})->address ==
        ip("192.168.1.255"));
  // A configured one is used as it is.
  CHECK(ipv4_target({ip("10.0.0.5"), mask(8), ip("10.255.255.255"), false})->address ==
        ip("10.255.255.255"));
  CHECK(ipv4_target({ip("10.0.0.5"), mask(24), ip("10.0.0.127"), false})->address ==
        ip("10.0.0.127"));
}

TEST_CASE("IPv4 target: /31 and point-to-point send to the peer, /32 to nobody") {
  auto t31 = ipv4_target({ip("10.9.9.4"), mask(31), ip("10.9.9.4"), false});
  REQUIRE(t31);
  CHECK(t31->address == ip("10.9.9.5"));
  CHECK_FALSE(t31->broadcast);
  CHECK(ipv4_target({ip("10.9.9.5"), mask(31), std::nullopt, false})->address == ip("10.9.9.4"));
  CHECK_FALSE(ipv4_target({ip("10.9.9.4"), mask(32), ip("10.9.9.4"), false}));
  CHECK_FALSE(ipv4_target({ip("10.9.9.4"), mask(32), std::nullopt, false}));
  auto tun = ipv4_target({ip("10.8.0.6"), mask(32), ip("10.8.0.5"), true});
  REQUIRE(tun);
  CHECK(tun->address == ip("10.8.0.5"));
  CHECK_FALSE(tun->broadcast);
  CHECK_FALSE(ipv4_target({ip("10.8.0.6"), mask(32), ip("10.8.0.6"), true}));
}

TEST_CASE("link targets: per interface its target and the limited broadcast, then the IPv6 group") {
  LocalInterfaces l;
  l.ipv4 = {{"eth0", 2, "10.213.7.2", "10.213.7.255", true},
            {"eth0", 2, "10.213.7.3", "10.213.7.255", true},  // second address, same subnet
            {"eth1", 3, "10.213.9.3", "10.213.9.255", true}};
  l.ipv6 = {{"eth0", 2, ""}, {"eth1", 3, "fd13:9::3"}};
  auto t = link_targets(l, {.ipv6 = true, .global_sources = true});
  std::vector<std::string> text;
  for (const auto& x : t)
    text.push_back(
        fmt::format("{}%{}{}", x.ip, x.ifindex, x.source.empty() ? "" : " from " + x.source));
  CHECK(text == std::vector<std::string>{"10.213.7.255%2", "255.255.255.255%2", "10.213.9.255%3",
                                         "255.255.255.255%3", "ff02::8864%2", "ff02::8864%3",
                                         "ff02::8864%3 from fd13:9::3"});
  CHECK(link_targets(l, {.ipv6 = false, .global_sources = false}).size() == 4);
  CHECK(link_targets(LocalInterfaces{}, {.ipv6 = true, .global_sources = true}).empty());
}

TEST_CASE("address preference: IPv4, global IPv6, IPv4 link-local, loopback, IPv6 link-local") {
  CHECK(address_preference("10.213.7.1") == 0);
  CHECK(address_preference("2001:db8::1") == 1);
  CHECK(address_preference("fd13:7::1") == 1);
  CHECK(address_preference("169.254.3.4") == 2);
  CHECK(address_preference("127.0.0.1") == 3);
  CHECK(address_preference("::1") == 3);
  CHECK(address_preference("fe80::1%eth0") == 4);
}

TEST_CASE("one server seen at several addresses: best first, whatever the arrival order") {
  FoundServer s;
  add_address(s, "fe80::94fb:feff:fe92:8e6%eth0");  // link-local answers first (the case)
  add_address(s, "127.0.0.1");
  add_address(s, "fd13:7::1");
  add_address(s, "10.213.7.1");
  add_address(s, "10.213.7.1");  // again: no duplicate
  add_address(s, "10.213.9.1");  // as good as the first IPv4: the earlier one stays in front
  CHECK(s.address == "10.213.7.1");
  CHECK(s.other_addresses == std::vector<std::string>{"10.213.9.1", "fd13:7::1", "127.0.0.1",
                                                      "fe80::94fb:feff:fe92:8e6%eth0"});
  s.tcp_port = 8864;
  s.name = "field";
  // One line, at the best address, within 80 columns.
  CHECK(format_server_list({s}) ==
        " 1) 10.213.7.1:8864  \"field\"  v1  0 online, 0 queued  latency -\n");
  s.latency_ms = 0.4;
  s.name = "Club room (blitz)";
  CHECK(format_server_list({s}).size() <= 80 + 1);

  FoundServer only_link_local;
  add_address(only_link_local, "fe80::1%eth0");
  add_address(only_link_local, "fe80::1%eth1");
  only_link_local.tcp_port = 8865;
  only_link_local.name = "six";
  CHECK(format_server_list({only_link_local}) ==
        " 1) [fe80::1%eth0]:8865  \"six\"  v1  0 online, 0 queued  latency -\n");
}
