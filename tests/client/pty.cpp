#include "pty.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace checkers::test {

PtyProcess::PtyProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       int rows, int cols) {
  winsize ws{};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  pid_ = ::forkpty(&master_, nullptr, nullptr, &ws);
  if (pid_ < 0) throw std::runtime_error("forkpty failed");
  if (pid_ == 0) {
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

PtyProcess::~PtyProcess() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  if (master_ >= 0) ::close(master_);
}

bool PtyProcess::read_some(int timeout_ms) {
  pollfd p{master_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) != 1) return false;
  char buf[4096];
  const ssize_t n = ::read(master_, buf, sizeof buf);
  if (n <= 0) return false;  // EIO once the child is gone
  out_.append(buf, static_cast<size_t>(n));
  return true;
}

bool PtyProcess::expect(std::string_view needle, std::chrono::milliseconds timeout) {
  return expect_first({std::string(needle)}, timeout) == 0;
}

int PtyProcess::expect_first(const std::vector<std::string>& needles,
                             std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto find_first = [&]() {
    int best = -1;
    size_t best_at = std::string::npos;
    for (size_t i = 0; i < needles.size(); ++i) {
      const size_t at = out_.find(needles[i], mark_);
      if (at != std::string::npos && (best_at == std::string::npos || at < best_at)) {
        best = static_cast<int>(i);
        best_at = at;
      }
    }
    if (best >= 0) mark_ = best_at + needles[static_cast<size_t>(best)].size();
    return best;
  };
  for (;;) {
    if (const int found = find_first(); found >= 0) return found;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    if (!read_some(static_cast<int>(std::min<long>(left.count(), 200)))) {
      int st = 0;
      if (!status_ && ::waitpid(pid_, &st, WNOHANG) == pid_)
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      if (status_ && !read_some(0)) return find_first();
    }
  }
}

std::optional<std::string> PtyProcess::read_until(std::string_view terminator,
                                                  std::chrono::milliseconds timeout) {
  const size_t from = mark_;
  if (!expect(terminator, timeout)) return std::nullopt;
  return out_.substr(from, mark_ - terminator.size() - from);
}

void PtyProcess::type(std::string_view text) {
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(master_, text.data() + off, text.size() - off);
    if (n <= 0) throw std::runtime_error("write to pty failed");
    off += static_cast<size_t>(n);
  }
}

void PtyProcess::resize(int rows, int cols) {
  winsize ws{};
  ws.ws_row = static_cast<unsigned short>(rows);
  ws.ws_col = static_cast<unsigned short>(cols);
  if (::ioctl(master_, TIOCSWINSZ, &ws) != 0) throw std::runtime_error("TIOCSWINSZ failed");
}

std::string PtyProcess::describe() const {
  std::string text;
  for (const char* file : {"status", "wchan", "stack"}) {
    const std::string path = "/proc/" + std::to_string(pid_) + "/" + file;
    std::FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) continue;
    char buf[4096];
    const size_t n = std::fread(buf, 1, sizeof buf, f);
    std::fclose(f);
    text += "--- " + path + "\n" + std::string(buf, n) + "\n";
  }
  return text;
}

std::optional<int> PtyProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!status_) {
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    read_some(50);  // keep draining so the child never blocks on a full pty
  }
  while (read_some(0)) {
  }
  return status_;
}

}  // namespace checkers::test
