#include "pcap_writer.hpp"

#include <fstream>
#include <stdexcept>

namespace checkers::test {

namespace {

constexpr uint32_t kLinkTypeRaw = 101;  // packets start with the IP header
constexpr uint32_t kInitialSeq = 1000;

void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v));
}
// pcap headers are in the writer's byte order; little-endian here, marked by the magic.
void put32le(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put16le(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v));
  out.push_back(static_cast<char>(v >> 8));
}

}  // namespace

void PcapWriter::add_ipv4(uint8_t protocol, const std::vector<uint8_t>& transport) {
  std::vector<uint8_t> p;
  p.push_back(0x45);  // IPv4, 20-byte header
  p.push_back(0);
  put16(p, static_cast<uint16_t>(20 + transport.size()));
  put16(p, static_cast<uint16_t>(packets_.size()));  // identification
  put16(p, 0x4000);                                  // don't fragment
  p.push_back(64);
  p.push_back(protocol);
  put16(p, 0);  // checksum: tshark does not verify it by default
  for (int i = 0; i < 2; ++i) p.insert(p.end(), {127, 0, 0, 1});
  p.insert(p.end(), transport.begin(), transport.end());
  packets_.push_back(std::move(p));
}

void PcapWriter::tcp(uint16_t src_port, uint16_t dst_port, std::span<const uint8_t> payload) {
  const auto it = next_seq_.try_emplace({src_port, dst_port}, kInitialSeq).first;
  const auto reverse = next_seq_.find({dst_port, src_port});
  const uint32_t ack = reverse == next_seq_.end() ? kInitialSeq : reverse->second;
  std::vector<uint8_t> t;
  put16(t, src_port);
  put16(t, dst_port);
  put32(t, it->second);
  put32(t, ack);
  t.push_back(5 << 4);  // 20-byte header
  t.push_back(0x18);    // PSH, ACK
  put16(t, 65535);      // window
  put16(t, 0);          // checksum
  put16(t, 0);          // urgent
  t.insert(t.end(), payload.begin(), payload.end());
  it->second += static_cast<uint32_t>(payload.size());
  add_ipv4(6, t);
}

void PcapWriter::udp(uint16_t src_port, uint16_t dst_port, std::span<const uint8_t> payload) {
  std::vector<uint8_t> u;
  put16(u, src_port);
  put16(u, dst_port);
  put16(u, static_cast<uint16_t>(8 + payload.size()));
  put16(u, 0);  // no checksum
  u.insert(u.end(), payload.begin(), payload.end());
  add_ipv4(17, u);
}

void PcapWriter::save(const std::filesystem::path& path) const {
  std::string out;
  put32le(out, 0xa1b2c3d4);
  put16le(out, 2);
  put16le(out, 4);
  put32le(out, 0);      // timezone
  put32le(out, 0);      // sigfigs
  put32le(out, 65535);  // snaplen
  put32le(out, kLinkTypeRaw);
  uint32_t second = 0;
  for (const auto& p : packets_) {
    put32le(out, second++);
    put32le(out, 0);
    put32le(out, static_cast<uint32_t>(p.size()));
    put32le(out, static_cast<uint32_t>(p.size()));
    out.append(p.begin(), p.end());
  }
  std::ofstream f(path, std::ios::binary);
  f.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!f) throw std::runtime_error("cannot write " + path.string());
}

std::vector<uint8_t> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  std::vector<uint8_t> out;
  for (size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

}  // namespace checkers::test
