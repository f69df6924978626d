// scripts/demo against the real binaries: runs it the way `make demo` does (with
// DEMO_DELAY=0 and fast bots), in a session of its own so that every process it started
// can be found afterwards, and checks the output a watcher relies on.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using checkers::test::TempDir;

struct DemoRun {
  int exit_code = -1;
  std::string output;            // stdout and stderr, interleaved
  std::vector<pid_t> leftovers;  // processes of the demo's session still alive after it exited
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Session id of a process from /proc/<pid>/stat (field 6), or -1.
pid_t session_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close_paren + 2));
  std::string state;
  long ppid = 0, pgrp = 0, sid = -1;
  rest >> state >> ppid >> pgrp >> sid;
  return static_cast<pid_t>(sid);
}

std::vector<pid_t> processes_in_session(pid_t sid) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto pid = static_cast<pid_t>(std::stol(name));
    if (session_of(pid) == sid) found.push_back(pid);
  }
  return found;
}

// Runs scripts/demo <build> in a new session with stdout/stderr to a file (not a tty).
DemoRun run_demo(const TempDir& tmp, const std::string& build_dir, std::chrono::seconds timeout) {
  const fs::path out = tmp / "demo.out";
  const fs::path scratch = tmp / "scratch";
  fs::create_directories(scratch);
  const std::string script = std::string(CHECKERS_SOURCE_DIR) + "/scripts/demo";
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::setsid();
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::setenv("DEMO_DELAY", "0", 1);
    ::setenv("DEMO_LEVEL", "random", 1);
    ::setenv("TMPDIR", scratch.c_str(), 1);
    ::execl("/bin/bash", "bash", script.c_str(), build_dir.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  DemoRun run;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL("scripts/demo did not finish in time:\n" << slurp(out));
    }
    std::this_thread::sleep_for(50ms);
  }
  run.exit_code = checkers::test::decode_wait_status(status);
  run.output = slurp(out);
  // Processes that exit together with the script may take a moment to be reaped by init;
  // a process still alive after 2 s was left behind.
  const auto grace = std::chrono::steady_clock::now() + 2s;
  do {
    run.leftovers = processes_in_session(pid);
    if (run.leftovers.empty()) break;
    std::this_thread::sleep_for(50ms);
  } while (std::chrono::steady_clock::now() < grace);
  for (pid_t p : run.leftovers) ::kill(p, SIGKILL);
  INFO("scratch dir left: " << scratch);
  CHECK(fs::is_empty(scratch));  // the temporary data dir is gone
  return run;
}

size_t count_matches(const std::string& text, const std::regex& re) {
  return static_cast<size_t>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

std::string build_dir() { return checkers::test::bin_dir().parent_path().string(); }

}  // namespace

TEST_CASE("make demo: two bots play one game, every move drawn, everything stopped", "[demo]") {
  TempDir tmp("checkers-demo-test");
  const DemoRun run = run_demo(tmp, build_dir(), 240s);
  INFO("output:\n" << run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.leftovers.empty());

  // A server line, the start position and one board per move after it.
  CHECK(run.output.find("checkers-server listening on 127.0.0.1:") != std::string::npos);
  CHECK(run.output.find("start: ") != std::string::npos);
  const size_t boards = count_matches(run.output, std::regex("\n  8 [ .bBwW]{16}   8\n"));
  const size_t captions =
      count_matches(run.output, std::regex("\nmove [0-9]+: (alice|bob) \\((black|white)\\) "
                                           "[a-h][1-8][-x][a-h][1-8]"));
  CHECK(captions >= 10);  // no game of checkers ends in fewer moves
  CHECK(boards == captions + 1);

  // The result: both bots' summaries, the server's record, and one final line.
  CHECK(count_matches(run.output,
                      std::regex("\n(alice|bob): game 1: (win|loss|draw) vs (alice|bob)")) == 2);
  CHECK(run.output.find("server: game #1 over: ") != std::string::npos);
  std::smatch result;
  REQUIRE(std::regex_search(
      run.output, result,
      std::regex("\nresult: (.*(beat|draw between).*) in ([0-9]+) moves; ratings .*\n$")));
  CHECK(std::stoul(result[3]) == captions);

  // stdout is a file here: no screen clearing or other escape sequences.
  CHECK(run.output.find('\033') == std::string::npos);
}

TEST_CASE("make demo: a build dir without binaries is a usage error", "[demo]") {
  TempDir tmp("checkers-demo-test");
  const DemoRun run = run_demo(tmp, (tmp / "no-such-build").string(), 30s);
  INFO("output:\n" << run.output);
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("not found; build first") != std::string::npos);
  CHECK(run.leftovers.empty());
}
