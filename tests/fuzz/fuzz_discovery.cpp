// libFuzzer target: the discovery datagram parser on arbitrary UDP payloads, i.e.
// whatever anyone on the LAN sends to port 8864. The format is canonical, so every
// accepted datagram must re-encode to exactly the input bytes; a rejected one must
// carry a known reason. An announcement's name must be valid UTF-8, and the
// --list-servers line for it must contain no control characters (a hostile name
// must not be able to drive the terminal).
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>
#include <vector>

#include "discovery/datagram.hpp"
#include "discovery/server_list.hpp"

namespace {

using namespace checkers::discovery;

void require(bool ok, const char* what) {
  if (!ok) {
    fmt::print(stderr, "fuzz_discovery: invariant failed: {}\n", what);
    std::abort();
  }
}

void check_listing(const Announcement& a) {
  FoundServer s;
  s.address = "192.0.2.1";
  s.tcp_port = a.tcp_port;
  s.name = a.name;
  s.lowest_version = a.lowest_version;
  s.highest_version = a.highest_version;
  s.players_online = a.players_online;
  s.players_queued = a.players_queued;
  s.instance_id = a.instance_id;
  std::string line = format_server_list({s});
  for (std::size_t i = 0; i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    require(c >= 0x20 || c == '\n', "control character in server list");
    require(c != 0x7F, "DEL in server list");
    if (c == 0xC2 && i + 1 < line.size()) {
      auto next = static_cast<unsigned char>(line[i + 1]);
      require(next < 0x80 || next > 0x9F, "C1 control in server list");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::span<const uint8_t> input(data, size);
  RejectReason why = static_cast<RejectReason>(0xFF);
  auto parsed = parse(input, &why);
  if (!parsed) {
    require(static_cast<std::size_t>(why) < kRejectReasonCount, "reject without a reason");
    require(!to_string(why).empty(), "reason without a name");
    return 0;
  }
  std::vector<uint8_t> again = std::visit([](const auto& d) { return encode(d); }, *parsed);
  require(again.size() == size && std::equal(again.begin(), again.end(), input.begin()),
          "accepted datagram does not re-encode to itself");
  if (const auto* a = std::get_if<Announcement>(&*parsed)) {
    require(valid_utf8(a->name) && a->name.size() <= kMaxNameBytes, "bad name accepted");
    require(size <= kMaxAnnouncementSize, "oversized announcement accepted");
    check_listing(*a);
  }
  if (std::holds_alternative<Query>(*parsed)) require(size == kQuerySize, "query of wrong size");
  return 0;
}
