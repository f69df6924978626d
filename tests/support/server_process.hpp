// ServerProcess: a real checkers-server for integration tests. Started as
//   checkers-server --port 0 --port-file <tmp> --data-dir <dir> --listen-addr 127.0.0.1 [extra]
// (CHECKERS_POLLER is inherited), it is ready when the port file appears. The
// data dir survives kill()/restart(); stderr goes to a log file tests can grep.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace checkers::test {

using namespace std::chrono_literals;

class ServerProcess {
 public:
  struct Options {
    std::vector<std::string> extra_args;
    // Empty: a fresh temporary data dir owned by this object.
    std::filesystem::path data_dir;
    std::string listen_addr = "127.0.0.1";
    bool discovery = false;  // true: keep LAN discovery on (only inside test network namespaces)
    std::chrono::milliseconds start_timeout = 15s;
    bool start = true;  // start in the constructor
  };

  ServerProcess();
  explicit ServerProcess(std::vector<std::string> extra_args);
  explicit ServerProcess(Options options);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Spawns the server and waits until it listens. Throws (with the log) if it
  // exits or does not listen in time.
  void start();
  // Sends a signal and waits for the exit; returns the exit code (128+sig if killed).
  int stop(int signo = 15, std::chrono::milliseconds timeout = 10s);
  void kill(int signo);
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  // stop() if running, then start() on the same data dir (new port).
  void restart(std::vector<std::string> extra_args = {});
  void set_extra_args(std::vector<std::string> args) { options_.extra_args = std::move(args); }

  uint16_t port() const { return port_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  pid_t pid() const { return child_.pid(); }

  // Everything the server wrote to stdout/stderr so far (all runs).
  std::string log() const;
  bool log_contains(std::string_view needle) const;
  // Polls the log until it contains `needle`.
  bool wait_for_log(std::string_view needle, std::chrono::milliseconds timeout = 5s) const;
  // Number of occurrences of needle in the log.
  size_t log_count(std::string_view needle) const;

  // Runs `checkers-server <args...> --data-dir <dir>` to completion (admin commands).
  RunResult run_admin(std::vector<std::string> args, const std::string& stdin_text = {}) const;

  static std::filesystem::path binary();

 private:
  Options options_;
  std::unique_ptr<TempDir> tmp_;
  std::filesystem::path data_dir_;
  std::filesystem::path port_file_;
  std::filesystem::path log_path_;
  ChildProcess child_;
  uint16_t port_ = 0;
};

}  // namespace checkers::test
