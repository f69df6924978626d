// PtyProcess: runs a program on a pseudo-terminal (forkpty) so the client's terminal UI
// can be driven like a person would: read what is drawn, type lines, press Ctrl-C.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkers::test {

class PtyProcess {
 public:
  // argv[0] is a path; env entries "NAME=value" are added to the inherited environment.
  PtyProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
             int rows = 50, int cols = 132);
  ~PtyProcess();
  PtyProcess(const PtyProcess&) = delete;
  PtyProcess& operator=(const PtyProcess&) = delete;

  // Waits until the output since the last match contains `needle`; true if it did.
  bool expect(std::string_view needle,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for whichever needle comes first after the last match; its index, or -1.
  int expect_first(const std::vector<std::string>& needles,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The output from the last match up to `terminator` (which becomes the match).
  std::optional<std::string> read_until(
      std::string_view terminator, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void type(std::string_view text);
  // Changes the terminal size (the child gets SIGWINCH).
  void resize(int rows, int cols);
  // Exit code (128 + signal), or nullopt if still running at the deadline.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  const std::string& output() const { return out_; }
  // Output after the last match.
  std::string unmatched() const { return out_.substr(mark_); }
  // What the kernel says of a child that seems stuck: its state, signal masks and kernel
  // stack (for a failing test's message).
  std::string describe() const;

 private:
  bool read_some(int timeout_ms);

  int master_ = -1;
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string out_;
  size_t mark_ = 0;
};

}  // namespace checkers::test
