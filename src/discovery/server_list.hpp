// What a discovery browse found, and how the client presents and chooses among it:
// the --list-servers table, the "nothing found" message, and bot-mode choice.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace checkers::discovery {

struct FoundServer {
  std::string address;  // the best address (where to connect); link-local carries "%ifname"
  std::vector<std::string> other_addresses;  // the same server seen at other addresses, best first
  uint16_t tcp_port = 0;
  std::string name;  // empty for a legacy server
  uint8_t lowest_version = 1;
  uint8_t highest_version = 1;
  uint32_t players_online = 0;
  uint32_t players_queued = 0;
  std::optional<double> latency_ms;  // query to answer; none for unsolicited/legacy
  bool legacy = false;               // heard only the reference implementation's empty beacon
  uint64_t instance_id = 0;          // 0 for a legacy server
  bool tls = false;                  // announced TLS on the game port
  bool tls_required = false;
  std::string tls_fingerprint;  // as announced ("AB:CD:..."), not verified

  bool speaks(uint8_t version) const {
    return version >= lowest_version && version <= highest_version;
  }
};

struct BrowseReport {
  std::vector<std::string> interfaces;  // e.g. "eth0 (192.168.1.255)", "eth0 (ff02::8864)", "lo"
  bool legacy_listening = false;        // could bind the legacy beacon port
  std::vector<std::string> problems;    // sockets that could not be opened, sends that failed
  uint64_t rejected = 0;                // datagrams that were not discovery traffic
};

// How good an address is to show and connect to, lower is better: 0 IPv4, 1 global or
// unique-local IPv6, 2 IPv4 link-local (169.254/16), 3 loopback, 4 IPv6 link-local
// ("fe80::1%eth0": usable only on that interface of this host).
int address_preference(const std::string& address);
// Records that `server` answered from `address`: it becomes server.address when better
// than the address so far (an earlier one wins a tie), else joins other_addresses.
void add_address(FoundServer& server, const std::string& address);

// Bot mode: a server speaking `version` first, then most players queued, then
// lowest latency (unknown latency last). Requires a non-empty list.
// DISCOVERY: which found server a bot or a non-interactive client uses.
const FoundServer& pick_best(const std::vector<FoundServer>& servers, uint8_t version);

// Numbered table, one line per server instance at its best address (the one the client
// connects to), for --list-servers and the interactive choice.
// Names are printed with control characters replaced, so a hostile name cannot
// drive the terminal.
std::string format_server_list(const std::vector<FoundServer>& servers);
// "No checkers server answered ..." naming the interfaces tried, suggesting --host-addr.
std::string format_none_found(const BrowseReport& report, int waited_ms);

// For printing untrusted text: C0/C1 controls and DEL become '?'.
std::string printable(const std::string& utf8);

}  // namespace checkers::discovery
