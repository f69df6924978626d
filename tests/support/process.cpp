#include "support/process.hpp"

#include "support/temp_dir.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

namespace checkers::test {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void exec_or_die(const std::vector<std::string>& argv) {
  auto args = c_argv(argv);
  ::execv(args[0], args.data());
  const char msg[] = "exec failed\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(127);
}

// Every program a test spawns gets an empty XDG_STATE_HOME of its own: a client keeps
// its TLS trust store (known_servers) there, and test servers on reused ports have new
// certificates that a store shared between runs would refuse. A test that wants a store
// passes it (`/usr/bin/env XDG_STATE_HOME=... PROGRAM`).
void use_state_dir(const std::filesystem::path& dir) { ::setenv("XDG_STATE_HOME", dir.c_str(), 1); }

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

std::filesystem::path bin_dir() {
  if (const char* env = std::getenv("CHECKERS_BIN_DIR"); env && *env) return env;
  return CHECKERS_BIN_DIR;
}

std::vector<std::string> bot_client_argv(uint16_t port, const std::string& user,
                                         const std::string& level, int games,
                                         const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {(bin_dir() / "checkers-client").string(),
                                   "--host-addr",
                                   "127.0.0.1",
                                   "--port",
                                   std::to_string(port),
                                   "--username",
                                   user,
                                   "--password",
                                   "pw",
                                   "--bot",
                                   level,
                                   "--games",
                                   std::to_string(games)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

RunResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text,
                      std::chrono::milliseconds timeout) {
  int in[2], out[2], err[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0 || ::pipe(err) != 0)
    throw std::runtime_error("pipe failed");
  const TempDir state("checkers-state");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    use_state_dir(state.path());
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
    ::setsid();  // no controlling terminal: password prompts read stdin
    exec_or_die(argv);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  set_nonblocking(in[1]);
  set_nonblocking(out[0]);
  set_nonblocking(err[0]);

  RunResult r;
  size_t written = 0;
  int in_fd = in[1];
  if (stdin_text.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  const auto deadline = Clock::now() + timeout;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3] = {{out_open ? out[0] : -1, POLLIN, 0},
                     {err_open ? err[0] : -1, POLLIN, 0},
                     {in_fd, POLLOUT, 0}};
    if (::poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        (i == 0 ? out_open : err_open) = false;
      }
    }
    if (in_fd >= 0 && fds[2].revents != 0) {
      const ssize_t n = ::write(in_fd, stdin_text.data() + written, stdin_text.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) written = stdin_text.size();
      if (written == stdin_text.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = decode_wait_status(status);
  return r;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::filesystem::path& output_file) {
  const int fd = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + output_file.string());
  state_ = std::make_unique<TempDir>("checkers-state");
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    use_state_dir(state_->path());
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    exec_or_die(argv);
  }
  ::close(fd);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    reap_blocking();
  }
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      status_(other.status_),
      state_(std::move(other.state_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      reap_blocking();
    }
    pid_ = std::exchange(other.pid_, -1);
    status_ = other.status_;
    state_ = std::move(other.state_);
  }
  return *this;
}

void ChildProcess::reap_blocking() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  status_ = decode_wait_status(status);
}

bool ChildProcess::running() { return pid_ > 0 && !wait_exit(std::chrono::milliseconds(0)); }

void ChildProcess::signal(int signo) {
  if (pid_ > 0 && !status_) ::kill(pid_, signo);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (status_ || pid_ <= 0) return status_;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      status_ = decode_wait_status(status);
      return status_;
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // waitpid has no timeout
  }
}

}  // namespace checkers::test
