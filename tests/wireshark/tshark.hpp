// Driving tshark from the Wireshark dissector tests: finding it, decoding a
// capture file with contrib/wireshark/checkers.lua into JSON, and capturing
// live loopback traffic (LiveCapture). Tests that cannot run here (no tshark,
// capture not permitted) exit with 77, which CTest reports as skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"

namespace checkers::test {

inline constexpr int kSkipExitCode = 77;

// Prints why and exits 77 (CTest SKIP_RETURN_CODE). Call it only while nothing
// needs cleaning up.
[[noreturn]] void skip_test(const std::string& why);

// $CHECKERS_TSHARK, else tshark on $PATH; nullopt if there is none.
std::optional<std::filesystem::path> find_tshark();
// tshark, or skip_test() naming scripts/bootstrap.
std::filesystem::path tshark_or_skip();

// contrib/wireshark/checkers.lua of this source tree.
std::filesystem::path dissector_script();

// `tshark -r file -X lua_script:<dissector> <extra> -T json --no-duplicate-keys`:
// the array of packets. Throws std::runtime_error (with tshark's stderr) on failure.
nlohmann::json dissect(const std::filesystem::path& tshark, const std::filesystem::path& file,
                       const std::vector<std::string>& extra_args = {});

// The Info column of every packet, one string per packet (same arguments as dissect()).
std::vector<std::string> info_column(const std::filesystem::path& tshark,
                                     const std::filesystem::path& file,
                                     const std::vector<std::string>& extra_args = {});

// A display filter for the TCP connections opened to `port` (their SYN went there).
// "tcp port P" also catches unrelated loopback traffic that happens to use P as its own
// ephemeral port (other tests running at the same time): this keeps only ours.
std::string streams_opened_to(const std::filesystem::path& tshark,
                              const std::filesystem::path& file, uint16_t port);

// The instances of protocol layer `proto` ("checkers", "checkers_disc", "tcp") in one
// packet, in order (tshark merges repeated layers into an array).
std::vector<nlohmann::json> layers(const nlohmann::json& packet, const std::string& proto);
// A field of a layer as text ("" when absent); arrays are joined with '/'.
std::string field(const nlohmann::json& layer, const std::string& name);
// Error-level expert infos and malformed-packet markers anywhere in the packet.
std::vector<std::string> errors_in(const nlohmann::json& packet);

// `tshark -i lo -f <filter> -w <file>` running while a test makes traffic.
class LiveCapture {
 public:
  // Returns once packets on lo really reach the file (a marker datagram to a
  // socket of ours shows up in it), loopback only; throws
  // std::runtime_error with tshark's output if it stops before that.
  LiveCapture(const std::filesystem::path& tshark, const std::string& filter,
              const std::filesystem::path& file, const std::filesystem::path& log);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  // Sends a marker datagram, waits until it is in the file (everything sent before
  // it is then captured too), and stops tshark. Returns tshark's exit code.
  int finish();
  // Display filter that hides the marker datagram.
  std::string without_marker() const;

  // Probe capture, run before a test starts anything: skip_test() when capturing
  // is not permitted here (no root or capabilities); throws on other failures.
  static void require_permission_or_skip(const std::filesystem::path& tshark,
                                         const std::filesystem::path& dir);

 private:
  // Sends a marker datagram until it shows up in the file (10 s at most).
  bool sync(const std::string& tag);
  int marker_fd_ = -1;
  uint16_t marker_port_ = 0;
  std::filesystem::path file_;
  std::filesystem::path log_;
  ChildProcess child_;
};

}  // namespace checkers::test
