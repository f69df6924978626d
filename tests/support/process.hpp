// Child processes for tests: run a command to completion with given stdin and
// captured stdout/stderr (admin subcommands), or keep one running (servers).
// Uses fork/exec directly so the child inherits the test's environment
// (CHECKERS_POLLER among others).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace checkers::test {

// Where the project's binaries are: $CHECKERS_BIN_DIR, else the build's bin/.
std::filesystem::path bin_dir();

// The command line of a checkers-client bot playing `games` games on 127.0.0.1:port as
// `user` (password "pw") at `level`, then `extra` (--seed, --no-save, --protocol 1, ...).
std::vector<std::string> bot_client_argv(uint16_t port, const std::string& user,
                                         const std::string& level, int games,
                                         const std::vector<std::string>& extra = {});

struct RunResult {
  int exit_code = -1;  // 128 + signal if killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with the given stdin text; kills it after `timeout`.
RunResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A running child with stdout/stderr redirected to a file. Killed (SIGKILL)
// and reaped by the destructor if still running.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& output_file);
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signo);
  // Exit code (128 + signal when killed), or nullopt if still running at the deadline.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  void reap_blocking();
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::unique_ptr<TempDir> state_;  // the child's XDG_STATE_HOME
};

int decode_wait_status(int status);

}  // namespace checkers::test
