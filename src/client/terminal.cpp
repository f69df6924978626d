#include "client/terminal.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <spdlog/spdlog.h>

namespace checkers::client {

TerminalGuard::TerminalGuard(int fd) : fd_(fd) {
  termios t{};
  if (::isatty(fd) == 1 && ::tcgetattr(fd, &t) == 0) saved_ = t;
}

TerminalGuard::~TerminalGuard() { restore(); }

void TerminalGuard::set_echo(bool on) {
  if (!saved_) return;
  termios t{};
  if (::tcgetattr(fd_, &t) != 0) return;
  if (on)
    t.c_lflag |= ECHO;
  else
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  ::tcsetattr(fd_, TCSANOW, &t);
}

void TerminalGuard::restore() {
  if (saved_) ::tcsetattr(fd_, TCSANOW, &*saved_);
}

LineReader::LineReader(reactor::EventLoop& loop, int fd, LineCallback on_line, EofCallback on_eof)
    : loop_(loop), fd_(fd), on_line_(std::move(on_line)), on_eof_(std::move(on_eof)) {}

LineReader::~LineReader() {
  *alive_ = false;
  if (channel_) channel_->remove();
}

void LineReader::start() {
  struct stat st {};
  const bool pollable = ::fstat(fd_, &st) == 0 && !S_ISREG(st.st_mode) &&
                        !(S_ISCHR(st.st_mode) && ::isatty(fd_) != 1);
  if (pollable) {
    channel_ = std::make_unique<reactor::Channel>(loop_, fd_);
    channel_->set_read_callback([this] { read_once(); });
    channel_->set_close_callback([this] { read_once(); });
    channel_->set_error_callback([this] { finish(); });
    channel_->enable_reading();
    return;
  }
  // Files never block: read a chunk per loop iteration so the session keeps running.
  std::weak_ptr<bool> alive = alive_;
  loop_.defer([this, alive] {
    if (alive.lock() && *alive_ && !stopped_) read_once();
  });
}

void LineReader::stop() {
  stopped_ = true;
  if (channel_) channel_->disable_all();
}

// One read() per readiness event: a readable fd does not block even without O_NONBLOCK,
// which we avoid because it would change the shell's terminal too.
void LineReader::read_once() {
  if (stopped_) return;
  char buf[4096];
  const ssize_t n = ::read(fd_, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    finish();
    return;
  }
  feed(std::string_view(buf, static_cast<size_t>(n)));
  if (!channel_ && !stopped_) {
    std::weak_ptr<bool> alive = alive_;
    loop_.defer([this, alive] {
      if (alive.lock() && *alive_ && !stopped_) read_once();
    });
  }
}

void LineReader::feed(std::string_view bytes) {
  partial_.append(bytes);
  size_t nl;
  while (!stopped_ && (nl = partial_.find('\n')) != std::string::npos) {
    std::string line = partial_.substr(0, nl);
    partial_.erase(0, nl + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    on_line_(std::move(line));
  }
}

void LineReader::finish() {
  if (stopped_) return;
  if (!partial_.empty()) {
    std::string line = std::move(partial_);
    partial_.clear();
    on_line_(std::move(line));
  }
  if (stopped_) return;
  stop();
  on_eof_();
}

void Screen::write(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void Screen::print(std::string_view text) {
  if (status_showing_) {
    write("\n");
    status_showing_ = false;
  }
  write(text);
}

void Screen::println(std::string_view text) {
  print(text);
  write("\n");
}

void Screen::prompt(std::string_view text) { print(text); }

void Screen::status(const std::string& text) {
  if (text == last_status_ && status_showing_) return;
  if (text == last_status_ && !ansi_) return;
  last_status_ = text;
  if (ansi_) {
    // Rewrite the current line: \r, clear to end of line.
    write(status_showing_ ? "\r\x1b[K" : "");
    write(text);
    status_showing_ = true;
  } else {
    write(text);
    write("\n");
  }
}

void Screen::newline_after_hidden_input() { write("\n"); }

bool is_tty(int fd) { return ::isatty(fd) == 1; }

bool same_terminal(int a, int b) {
  if (!is_tty(a) || !is_tty(b)) return false;
  struct stat sa {};
  struct stat sb {};
  if (::fstat(a, &sa) != 0 || ::fstat(b, &sb) != 0) return false;
  return sa.st_rdev == sb.st_rdev;
}

}  // namespace checkers::client
