#include "tshark.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace checkers::test {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Polls `done` every 20 ms until it holds or the deadline passes.
template <class Pred>
bool wait_until(Pred done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

void collect_errors(const nlohmann::json& node, std::vector<std::string>& out) {
  constexpr long kSeverityError = 0x00800000;  // PI_ERROR
  if (node.is_array()) {
    for (const auto& child : node) collect_errors(child, out);
    return;
  }
  if (!node.is_object()) return;
  if (node.contains("_ws.malformed")) out.push_back("malformed: " + node["_ws.malformed"].dump());
  if (node.contains("_ws.expert.severity")) {
    const auto& sev = node["_ws.expert.severity"];
    const long level = sev.is_string() ? std::stol(sev.get<std::string>()) : sev.get<long>();
    if (level >= kSeverityError)
      out.push_back("expert error: " + node.value("_ws.expert.message", node.dump()));
  }
  for (const auto& [key, child] : node.items()) collect_errors(child, out);
}

const std::string kMarker = "checkers-wireshark-test-marker";

}  // namespace

void skip_test(const std::string& why) {
  std::fprintf(stderr, "SKIPPED: %s\n", why.c_str());
  std::fflush(stderr);
  std::exit(kSkipExitCode);
}

std::optional<std::filesystem::path> find_tshark() {
  if (const char* env = std::getenv("CHECKERS_TSHARK"); env && *env)
    return std::filesystem::path(env);
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate =
        std::filesystem::path(dir.empty() ? "." : dir) / "tshark";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::filesystem::path tshark_or_skip() {
  auto tshark = find_tshark();
  if (!tshark) skip_test("tshark is not installed (scripts/bootstrap tshark installs it)");
  return *tshark;
}

std::filesystem::path dissector_script() { return CHECKERS_DISSECTOR; }

nlohmann::json dissect(const std::filesystem::path& tshark, const std::filesystem::path& file,
                       const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv{tshark.string(), "-n", "-r",
                                file.string(),   "-X", "lua_script:" + dissector_script().string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.insert(argv.end(), {"-T", "json", "--no-duplicate-keys"});
  const RunResult r = run_command(argv, {}, 120s);
  // The dissector failing to load is only a message on stderr: treat any Lua error as fatal.
  if (r.exit_code != 0 || r.err.find("Lua: Error") != std::string::npos)
    throw std::runtime_error("tshark failed (exit " + std::to_string(r.exit_code) + "): " + r.err);
  return nlohmann::json::parse(r.out);
}

std::vector<std::string> info_column(const std::filesystem::path& tshark,
                                     const std::filesystem::path& file,
                                     const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv{tshark.string(), "-n", "-r",
                                file.string(),   "-X", "lua_script:" + dissector_script().string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.insert(argv.end(), {"-T", "fields", "-e", "_ws.col.Info"});
  const RunResult r = run_command(argv, {}, 120s);
  if (r.exit_code != 0 || r.err.find("Lua: Error") != std::string::npos)
    throw std::runtime_error("tshark failed (exit " + std::to_string(r.exit_code) + "): " + r.err);
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string streams_opened_to(const std::filesystem::path& tshark,
                              const std::filesystem::path& file, uint16_t port) {
  const std::string syn =
      "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == " + std::to_string(port);
  const RunResult r = run_command(
      {tshark.string(), "-n", "-r", file.string(), "-Y", syn, "-T", "fields", "-e", "tcp.stream"},
      {}, 120s);
  if (r.exit_code != 0)
    throw std::runtime_error("tshark failed (exit " + std::to_string(r.exit_code) + "): " + r.err);
  std::string filter;
  std::istringstream in(r.out);
  for (std::string id; std::getline(in, id);)
    filter += (filter.empty() ? "" : " || ") + std::string("tcp.stream == ") + id;
  return filter.empty() ? "frame.number == 0" : filter;  // none: match nothing
}

std::vector<nlohmann::json> layers(const nlohmann::json& packet, const std::string& proto) {
  const auto& all = packet.at("_source").at("layers");
  if (!all.contains(proto)) return {};
  const auto& l = all.at(proto);
  if (l.is_array()) return std::vector<nlohmann::json>(l.begin(), l.end());
  return {l};
}

std::string field(const nlohmann::json& layer, const std::string& name) {
  if (!layer.is_object() || !layer.contains(name)) return {};
  const auto& v = layer.at(name);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) {
      if (!out.empty()) out += '/';
      out += item.is_string() ? item.get<std::string>() : item.dump();
    }
    return out;
  }
  return v.dump();
}

std::vector<std::string> errors_in(const nlohmann::json& packet) {
  std::vector<std::string> out;
  collect_errors(packet, out);
  return out;
}

LiveCapture::LiveCapture(const std::filesystem::path& tshark, const std::string& filter,
                         const std::filesystem::path& file, const std::filesystem::path& log)
    : file_(file), log_(log) {
  // The marker goes from a socket of ours to itself, on a port nobody else uses.
  marker_fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (marker_fd_ < 0 || ::bind(marker_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(marker_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("marker socket failed");
  marker_port_ = ntohs(addr.sin_port);
  const std::string full_filter = "(" + filter + ") or udp port " + std::to_string(marker_port_);
  child_ = ChildProcess({tshark.string(), "-n", "-i", "lo", "-f", full_filter, "-w", file.string()},
                        log);
  const bool capturing = wait_until(
      [&] { return slurp(log_).find("Capturing on") != std::string::npos || !child_.running(); },
      20s);
  if (!capturing || !child_.running() || slurp(log_).find("Capturing on") == std::string::npos) {
    ::close(marker_fd_);
    throw std::runtime_error("tshark did not start capturing: " + slurp(log_));
  }
  // "Capturing on" comes a little before packets really reach the file.
  if (!sync("start"))
    throw std::runtime_error("the capture never showed the start marker: " + slurp(log_));
}

LiveCapture::~LiveCapture() {
  if (child_.running()) {
    child_.signal(SIGINT);
    child_.wait_exit(5s);  // the ChildProcess destructor kills it if still there
  }
  if (marker_fd_ >= 0) ::close(marker_fd_);
}

bool LiveCapture::sync(const std::string& tag) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(marker_port_);
  const std::string marker = kMarker + "-" + tag;
  // dumpcap writes packets out in capture order; once the marker is in the file,
  // the capture is running and everything sent before it is there too (loopback
  // delivers in order). Resent now and then in case the first one came too early.
  auto last_sent = Clock::now() - 1s;
  return wait_until(
             [&] {
               if (Clock::now() - last_sent >= 100ms) {
                 ::sendto(marker_fd_, marker.data(), marker.size(), 0,
                          reinterpret_cast<sockaddr*>(&to), sizeof to);
                 last_sent = Clock::now();
               }
               return slurp(file_).find(marker) != std::string::npos || !child_.running();
             },
             10s) &&
         child_.running();
}

int LiveCapture::finish() {
  const bool seen = sync("end");
  child_.signal(SIGINT);
  const auto code = child_.wait_exit(15s);
  if (!seen) throw std::runtime_error("the capture never showed the end marker: " + slurp(log_));
  if (!code) throw std::runtime_error("tshark did not stop: " + slurp(log_));
  return *code;
}

std::string LiveCapture::without_marker() const {
  return "!(udp.port == " + std::to_string(marker_port_) + ")";
}

void LiveCapture::require_permission_or_skip(const std::filesystem::path& tshark,
                                             const std::filesystem::path& dir) {
  try {
    LiveCapture probe(tshark, "udp port 9", dir / "probe.pcapng", dir / "probe.log");
    probe.finish();
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    for (const char* denied :
         {"ermission", "not permitted", "Operation not permitted", "superuser"})
      if (what.find(denied) != std::string::npos)
        skip_test("capturing on lo is not permitted here: " + what);
    throw;
  }
}

}  // namespace checkers::test
