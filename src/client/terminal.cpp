#include "client/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include <spdlog/spdlog.h>

namespace checkers::client {

reactor::UniqueFd reopen_terminal_nonblocking(int fd) {
  if (::isatty(fd) != 1) return {};
  char path[256];
  if (::ttyname_r(fd, path, sizeof path) != 0) return {};
  return reactor::UniqueFd(::open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
}

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

void TerminalGuard::set_raw(bool on) {
  if (!saved_) return;
  termios t = *saved_;
  if (on) {
    t.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
  }
  ::tcsetattr(fd_, TCSANOW, &t);
}

void TerminalGuard::restore() {
  if (saved_) ::tcsetattr(fd_, TCSANOW, &*saved_);
}

LineReader::LineReader(reactor::EventLoop& loop, int fd, LineCallback on_line, EofCallback on_eof)
    : loop_(loop), fd_(fd), on_line_(std::move(on_line)), on_eof_(std::move(on_eof)) {}

LineReader::~LineReader() {
  if (chunk_timer_ != 0) loop_.cancel(chunk_timer_);
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
  read_next_chunk();
}

// Files never block: read a chunk per loop iteration so the session keeps running.
void LineReader::read_next_chunk() {
  chunk_timer_ = loop_.run_after(reactor::EventLoop::Clock::duration::zero(), [this] {
    chunk_timer_ = 0;
    read_once();
  });
}

void LineReader::stop() {
  stopped_ = true;
  if (channel_) channel_->disable_all();
}

// One read() per readiness event. A pipe that polled readable does not block; a terminal
// could (its input may be flushed in between), so a terminal is read through a descriptor
// of its own with O_NONBLOCK (reopen_terminal_nonblocking).
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
  if (!channel_ && !stopped_) read_next_chunk();
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

namespace {

// Cut to at most `width` columns (bytes; the UI writes ASCII), marking the cut.
std::string fit(const std::string& text, int width) {
  const size_t w = static_cast<size_t>(std::max(width, 4));
  if (text.size() <= w) return text;
  return text.substr(0, w - 3) + "...";
}

}  // namespace

void Screen::erase_bottom() {
  if (!bottom_shown_) return;
  write(status_rows_ ? "\r\x1b[1A\x1b[J" : "\r\x1b[J");
  bottom_shown_ = false;
}

void Screen::draw_bottom() {
  const int usable = width_ - 1;  // never write the last column: no pending wrap
  std::string out;
  status_rows_ = !status_.empty();
  if (status_rows_) out += fit(status_, usable) + "\r\n";
  std::string shown = hidden_ ? std::string() : input_;
  const int room = usable - static_cast<int>(prompt_.size());
  if (room < 8) {
    out += fit(prompt_, usable - 8);
    shown = shown.size() > 7 ? "<" + shown.substr(shown.size() - 6) : shown;
  } else {
    out += prompt_;
    if (static_cast<int>(shown.size()) > room)
      shown = "<" + shown.substr(shown.size() - static_cast<size_t>(room - 1));
  }
  write(out + shown);
  bottom_shown_ = true;
}

void Screen::print(std::string_view text) {
  ++prints_;
  if (live_) {
    erase_bottom();
    write(text);
    if (!text.empty() && text.back() != '\n') write("\n");
    draw_bottom();
    return;
  }
  if (prompt_open_) {
    write("\n");
    prompt_open_ = false;
  }
  write(text);
}

void Screen::println(std::string_view text) {
  const std::string lines = wrap_lines(text, width_ - 1);
  if (live_) {
    print(lines + "\n");
    return;
  }
  print(lines);
  write("\n");
}

void Screen::prompt(std::string_view text, bool hidden) {
  hidden_ = hidden;
  if (live_) {
    // What the person has typed so far stays: it belongs to the LineEditor.
    erase_bottom();
    prompt_ = text;
    draw_bottom();
    return;
  }
  print(text);
  prompt_open_ = true;
}

void Screen::status(const std::string& text) {
  if (text == status_) return;
  status_ = text;
  if (live_) {
    erase_bottom();
    draw_bottom();
  } else if (!text.empty()) {
    print(text + "\n");
  }
}

void Screen::set_input(const std::string& typed) {
  if (!live_) return;
  erase_bottom();
  input_ = typed;
  draw_bottom();
}

void Screen::commit_input() {
  if (!live_) return;
  erase_bottom();
  // The answered question stays as prose (wrapped at words); a long answer is cut.
  const int usable = width_ - 1;
  const std::string typed =
      hidden_ ? std::string()
              : fit(input_, std::max(usable - static_cast<int>(prompt_.size()), 24));
  write(wrap_lines(prompt_ + typed, usable) + "\n");
  prompt_.clear();
  input_.clear();
  hidden_ = false;
  draw_bottom();
}

void Screen::newline_after_hidden_input() {
  if (!live_) {
    write("\n");
    prompt_open_ = false;
  }
}

void Screen::close() {
  if (!live_) return;
  erase_bottom();
  live_ = false;
}

void Screen::set_width(int columns) {
  if (columns <= 0) return;
  width_ = columns;
}

// ---- LineEditor ----

LineEditor::LineEditor(reactor::EventLoop& loop, int fd, Screen& screen, LineCallback on_line,
                       EofCallback on_eof)
    : loop_(loop),
      fd_(fd),
      screen_(screen),
      on_line_(std::move(on_line)),
      on_eof_(std::move(on_eof)) {}

LineEditor::~LineEditor() {
  if (channel_) channel_->remove();
}

void LineEditor::start() {
  channel_ = std::make_unique<reactor::Channel>(loop_, fd_);
  channel_->set_read_callback([this] { read_once(); });
  channel_->set_close_callback([this] { read_once(); });
  channel_->set_error_callback([this] {
    stop();
    on_eof_();
  });
  channel_->enable_reading();
}

void LineEditor::stop() {
  stopped_ = true;
  if (channel_) channel_->disable_all();
}

void LineEditor::read_once() {
  if (stopped_) return;
  char buf[1024];
  const ssize_t n = ::read(fd_, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    stop();
    on_eof_();
    return;
  }
  feed(std::string_view(buf, static_cast<size_t>(n)));
}

void LineEditor::feed(std::string_view bytes) {
  for (char c : bytes) {
    if (stopped_) return;
    key(c);
  }
}

void LineEditor::key(char c) {
  if (!escape_.empty()) {
    escape_ += c;
    // ESC [ ... final byte, or ESC O x.
    const bool csi = escape_.size() >= 2 && escape_[1] == '[';
    if (escape_.size() == 2 && c != '[' && c != 'O') {
      escape_.clear();
    } else if (escape_.size() >= 3 && (!csi || (c >= 0x40 && c <= 0x7e))) {
      escape_done();
    } else if (escape_.size() > 16) {
      escape_.clear();
    }
    return;
  }
  switch (c) {
    case '\x1b':
      escape_ = c;
      return;
    case '\r':
    case '\n': {
      std::string line = std::move(line_);
      line_.clear();
      if (!screen_.hidden() && !line.empty() && (history_.empty() || history_.back() != line))
        history_.push_back(line);
      recalled_ = history_.size();
      draft_.clear();
      screen_.set_input(line);
      screen_.commit_input();
      on_line_(std::move(line));
      return;
    }
    case '\x7f':
    case '\b':
      // Drop a whole UTF-8 character.
      while (!line_.empty() && (static_cast<unsigned char>(line_.back()) & 0xC0) == 0x80)
        line_.pop_back();
      if (!line_.empty()) line_.pop_back();
      break;
    case '\x15':  // Ctrl-U
      line_.clear();
      break;
    case '\x04':  // Ctrl-D: end of input on an empty line
      if (line_.empty()) on_eof_();
      return;
    default:
      if (static_cast<unsigned char>(c) < 0x20) return;
      if (line_.size() < kMaxLine) line_ += c;
      break;
  }
  screen_.set_input(line_);
}

void LineEditor::escape_done() {
  const std::string seq = std::move(escape_);
  escape_.clear();
  const char final_byte = seq.back();
  if (final_byte == 'A') recall(-1);
  if (final_byte == 'B') recall(+1);
}

void LineEditor::recall(int direction) {
  if (screen_.hidden()) return;
  if (direction < 0 && recalled_ == 0) return;
  if (direction > 0 && recalled_ >= history_.size()) return;
  if (recalled_ == history_.size()) draft_ = line_;
  recalled_ = direction < 0 ? recalled_ - 1 : recalled_ + 1;
  line_ = recalled_ == history_.size() ? draft_ : history_[recalled_];
  screen_.set_input(line_);
}

std::string wrap_text(const std::string& text, int width, const std::string& separator,
                      const std::string& indent) {
  const size_t limit = static_cast<size_t>(std::max(width, 10));
  std::string out;
  std::string line;
  size_t at = 0;
  while (at < text.size()) {
    size_t next = text.find(separator, at);
    next = next == std::string::npos ? text.size() : next + separator.size();
    const std::string piece = text.substr(at, next - at);
    at = next;
    // A piece too long for any line (a file path) stays where it is: a break would not help.
    const bool separated =
        piece.size() >= separator.size() &&
        piece.compare(piece.size() - separator.size(), separator.size(), separator) == 0;
    const bool fits_alone =
        indent.size() + piece.size() - (separated ? separator.size() : 0) <= limit;
    if (line.size() > indent.size() && line.size() + piece.size() > limit && fits_alone) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
      line = indent;
    }
    line += piece;
  }
  return out + line;
}

std::string wrap_lines(std::string_view text, int width) {
  std::string out;
  for (size_t at = 0; at <= text.size();) {
    const size_t nl = std::min(text.find('\n', at), text.size());
    const std::string line(text.substr(at, nl - at));
    const std::string indent = line.substr(0, line.find_first_not_of(' ')) + "  ";
    out += (at == 0 ? "" : "\n") + wrap_text(line, width, " ", indent);
    at = nl + 1;
  }
  return out;
}

int terminal_columns(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

bool is_tty(int fd) { return ::isatty(fd) == 1; }

bool same_terminal(int a, int b) {
  if (!is_tty(a) || !is_tty(b)) return false;
  struct stat sa {};
  struct stat sb {};
  if (::fstat(a, &sa) != 0 || ::fstat(b, &sb) != 0) return false;
  return sa.st_rdev == sb.st_rdev;
}

}  // namespace checkers::client
