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
#include <vector>

#include "reactor/channel.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/fd.hpp"

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
  // Character at a time without the terminal's echo (the LineEditor echoes); signals stay.
  void set_raw(bool on);
  void restore();

 private:
  int fd_;
  std::optional<termios> saved_;
};

// A descriptor of the terminal on fd that is the client's own (a new open file description)
// and non-blocking. A terminal's input can vanish between poll and read - Ctrl-C flushes it
// - so a blocking read could hang the loop, and O_NONBLOCK on fd itself would reach the
// shell's terminal too. Empty if fd is not a terminal or cannot be opened again.
reactor::UniqueFd reopen_terminal_nonblocking(int fd);

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
  void read_next_chunk();
  void feed(std::string_view bytes);
  void finish();

  reactor::EventLoop& loop_;
  int fd_;
  LineCallback on_line_;
  EofCallback on_eof_;
  std::unique_ptr<reactor::Channel> channel_;
  std::string partial_;
  bool stopped_ = false;
  reactor::TimerId chunk_timer_ = 0;
};

// Output for the player. All UI text goes through here (stdout).
// UI: all player-facing output (stdout). On a live terminal the bottom of the screen is
// the status line and the prompt with what the person has typed so far; text printed
// goes above them and they are drawn again under it, so output never tramples input.
class Screen {
 public:
  // ansi: colours; live: stdout is a terminal that we may move the cursor on.
  Screen(bool ansi, bool live) : ansi_(ansi), live_(live) {}

  bool ansi() const { return ansi_; }
  bool live() const { return live_; }
  // How many times text was printed (not counting the status line and prompt).
  uint64_t prints() const { return prints_; }
  // Text as is (a trailing newline is the caller's), above the status line and prompt.
  void print(std::string_view text);
  // Prose: each line wrapped at spaces to the width (wrap_lines), then a newline.
  void println(std::string_view text);
  // The question the person answers next (no newline); hidden: typing is not shown.
  void prompt(std::string_view text, bool hidden = false);
  bool hidden() const { return hidden_; }
  // The status line ("" = none): redrawn in place on a live terminal; otherwise printed
  // as a line when it changed.
  void status(const std::string& text);
  // What the person has typed so far on the prompt line (LineEditor).
  void set_input(const std::string& typed);
  // Enter: the prompt and the typed line stay on screen as a finished line.
  void commit_input();
  // The next print starts on a fresh line after a prompt the user answered invisibly
  // (password without echo, terminal not live).
  void newline_after_hidden_input();
  void set_width(int columns);
  // The end: the status line and prompt are erased; later output is plain lines.
  void close();
  int width() const { return width_; }

 private:
  void write(std::string_view text);
  void erase_bottom();
  void draw_bottom();

  bool ansi_;
  bool live_;
  int width_ = 80;
  std::string status_;
  std::string prompt_;
  std::string input_;
  bool hidden_ = false;
  bool bottom_shown_ = false;  // live: the status/prompt lines are on screen
  bool status_rows_ = false;   // live: the status line takes a row above the prompt
  bool prompt_open_ = false;   // not live: a prompt without its newline was written
  uint64_t prints_ = 0;
};

// A line editor for a live terminal in raw mode: echoes through the Screen, keeps what is
// typed when output arrives, Backspace, Ctrl-U, Up/Down for earlier lines, Ctrl-D on an
// empty line as end of input. Lines longer than kMaxLine are cut.
// UI: the person's typing on a terminal.
class LineEditor {
 public:
  static constexpr size_t kMaxLine = 200;
  using LineCallback = std::function<void(std::string line)>;
  using EofCallback = std::function<void()>;

  LineEditor(reactor::EventLoop& loop, int fd, Screen& screen, LineCallback on_line,
             EofCallback on_eof);
  ~LineEditor();
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  void start();
  void stop();
  // Bytes as read from the terminal (public for tests).
  void feed(std::string_view bytes);

 private:
  void read_once();
  void key(char c);
  void escape_done();
  void recall(int direction);

  reactor::EventLoop& loop_;
  int fd_;
  Screen& screen_;
  LineCallback on_line_;
  EofCallback on_eof_;
  std::unique_ptr<reactor::Channel> channel_;
  std::string line_;
  std::string escape_;  // an escape sequence being read
  std::vector<std::string> history_;
  size_t recalled_ = 0;  // == history_.size(): the line being typed
  std::string draft_;
  bool stopped_ = false;
};

// Lines of at most `width` columns, broken after `separator`; continuation lines start
// with `indent`. A piece longer than a line stays whole, on the line it starts.
std::string wrap_text(const std::string& text, int width, const std::string& separator = " ",
                      const std::string& indent = "");
// Each line of text wrapped at spaces to `width` columns, continuation lines indented two
// columns more than the line (the one rule for prose: Screen::println applies it).
std::string wrap_lines(std::string_view text, int width);
// The width of the terminal on fd (80 when it is not one).
int terminal_columns(int fd);
// Whether fd is a terminal.
bool is_tty(int fd);
// True when fds a and b are the same terminal (so logs on b would mix with the UI on a).
bool same_terminal(int a, int b);

}  // namespace checkers::client
