#include "support/server_process.hpp"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace checkers::test {

namespace {
std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

std::filesystem::path ServerProcess::binary() { return bin_dir() / "checkers-server"; }

ServerProcess::ServerProcess() : ServerProcess(Options{}) {}

namespace {
ServerProcess::Options with_args(std::vector<std::string> extra_args) {
  ServerProcess::Options o;
  o.extra_args = std::move(extra_args);
  return o;
}
}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> extra_args)
    : ServerProcess(with_args(std::move(extra_args))) {}

ServerProcess::ServerProcess(Options options) : options_(std::move(options)) {
  tmp_ = std::make_unique<TempDir>("checkers-server");
  data_dir_ = options_.data_dir.empty() ? tmp_->path() / "data" : options_.data_dir;
  port_file_ = tmp_->path() / "port";
  log_path_ = tmp_->path() / "server.log";
  if (options_.start) start();
}

ServerProcess::~ServerProcess() {
  if (child_.pid() > 0 && child_.running()) {
    child_.signal(SIGKILL);
    child_.wait_exit(10s);
  }
}

void ServerProcess::start() {
  std::error_code ec;
  std::filesystem::remove(port_file_, ec);
  std::vector<std::string> argv{binary().string(),
                                "--port",
                                "0",
                                "--port-file",
                                port_file_.string(),
                                "--data-dir",
                                data_dir_.string(),
                                "--listen-addr",
                                options_.listen_addr};
  // Test servers never broadcast announcements onto the machine's real interfaces.
  if (!options_.discovery) argv.push_back("--no-discovery");
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  child_ = ChildProcess(argv, log_path_);
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  for (;;) {
    // The server writes the port file atomically (temp file + rename).
    const std::string text = read_file(port_file_);
    if (!text.empty()) {
      port_ = static_cast<uint16_t>(std::stoul(text));
      return;
    }
    if (auto code = child_.wait_exit(0ms))
      throw std::runtime_error("checkers-server exited with " + std::to_string(*code) +
                               " before listening; log:\n" + log());
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("checkers-server did not listen in time; log:\n" + log());
    std::this_thread::sleep_for(5ms);  // no readiness fd for a file appearing
  }
}

int ServerProcess::stop(int signo, std::chrono::milliseconds timeout) {
  child_.signal(signo);
  auto code = child_.wait_exit(timeout);
  if (!code) {
    child_.signal(SIGKILL);
    code = child_.wait_exit(10s);
    throw std::runtime_error("checkers-server did not exit after signal " + std::to_string(signo));
  }
  return *code;
}

void ServerProcess::kill(int signo) { child_.signal(signo); }

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  return child_.wait_exit(timeout);
}

bool ServerProcess::running() { return child_.pid() > 0 && child_.running(); }

void ServerProcess::restart(std::vector<std::string> extra_args) {
  if (running()) stop(SIGTERM);
  if (!extra_args.empty()) options_.extra_args = std::move(extra_args);
  start();
}

std::string ServerProcess::log() const { return read_file(log_path_); }

bool ServerProcess::log_contains(std::string_view needle) const {
  return log().find(needle) != std::string::npos;
}

size_t ServerProcess::log_count(std::string_view needle) const {
  const std::string text = log();
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

bool ServerProcess::wait_for_log(std::string_view needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (log_contains(needle)) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);  // polling a file: no readiness signal
  }
}

RunResult ServerProcess::run_admin(std::vector<std::string> args,
                                   const std::string& stdin_text) const {
  std::vector<std::string> argv{binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--data-dir");
  argv.push_back(data_dir_.string());
  return run_command(argv, stdin_text);
}

}  // namespace checkers::test
