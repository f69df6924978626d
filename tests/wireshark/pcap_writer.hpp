// PcapWriter: a classic pcap file of hand-made IPv4 TCP segments and UDP
// datagrams (link type RAW), so known bytes - the golden vectors, datagrams from
// our discovery encoder - can be fed through the dissector without a capture.
// Each TCP flow keeps its own sequence numbers, so tshark reassembles a message
// cut across segments exactly as in a real capture.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

namespace checkers::test {

class PcapWriter {
 public:
  void tcp(uint16_t src_port, uint16_t dst_port, std::span<const uint8_t> payload);
  void udp(uint16_t src_port, uint16_t dst_port, std::span<const uint8_t> payload);
  size_t packets() const { return packets_.size(); }
  // Writes every packet so far; throws std::runtime_error on I/O errors.
  void save(const std::filesystem::path& path) const;

 private:
  void add_ipv4(uint8_t protocol, const std::vector<uint8_t>& transport);
  std::vector<std::vector<uint8_t>> packets_;
  std::map<std::pair<uint16_t, uint16_t>, uint32_t> next_seq_;
};

std::vector<uint8_t> from_hex(std::string_view hex);

}  // namespace checkers::test
