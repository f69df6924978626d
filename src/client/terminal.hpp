// The terminal side of the client: a guard that restores the terminal mode on every exit
// path, line input read from stdin through the reactor (the terminal is just another fd),
// and a Screen that writes the UI to stdout, updating the status line in place on a
// terminal. Nothing here blocks the loop.
#pragma once

#include <termios.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "reactor/channel.hpp"
#include "reactor/event_loop.hpp"

namespace checkers::client {

// Saves the termios of fd at construction (if it is a terminal) and restores it in the
// destructor; echo can be switched off for the password prompt.
class TerminalGuard {
 public:
  explicit TerminalGuard(int fd);
  ~TerminalGuard();
  TerminalGuard(const TerminalGuard&) = delete;
  TerminalGuard& operator=(const TerminalGuard&) = delete;

  bool is_terminal() const { return saved_.has_value(); }
  void set_echo(bool on);
  void restore();

 private:
  int fd_;
  std::optional<termios> saved_;
};

// Splits stdin into lines as it becomes readable. Pipes and terminals are watched by a
// Channel; a regular file or /dev/null (which epoll refuses) is read in deferred chunks.
// UI: reads the player's typed lines from stdin inside the event loop.
class LineReader {
 public:
  using LineCallback = std::function<void(std::string line)>;
  using EofCallback = std::function<void()>;

  LineReader(reactor::EventLoop& loop, int fd, LineCallback on_line, EofCallback on_eof);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  void start();
  void stop();

 private:
  void read_once();
  void feed(std::string_view bytes);
  void finish();

  reactor::EventLoop& loop_;
  int fd_;
  LineCallback on_line_;
  EofCallback on_eof_;
  std::unique_ptr<reactor::Channel> channel_;
  std::string partial_;
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Output for the player. All UI text goes through here (stdout).
// UI: all player-facing output (stdout), with the status line updated in place on a terminal.
class Screen {
 public:
  explicit Screen(bool ansi) : ansi_(ansi) {}

  bool ansi() const { return ansi_; }
  // Text as is (a trailing newline is the caller's); ends an in-place status line first.
  void print(std::string_view text);
  void println(std::string_view text);
  // A prompt: no newline, flushed.
  void prompt(std::string_view text);
  // The status line: rewritten in place on a terminal, printed only when it changed.
  void status(const std::string& text);
  // The next print starts on a fresh line after a prompt the user answered invisibly
  // (password without echo).
  void newline_after_hidden_input();

 private:
  void write(std::string_view text);

  bool ansi_;
  bool status_showing_ = false;
  std::string last_status_;
};

// Whether fd is a terminal.
bool is_tty(int fd);
// True when fds a and b are the same terminal (so logs on b would mix with the UI on a).
bool same_terminal(int a, int b);

}  // namespace checkers::client
