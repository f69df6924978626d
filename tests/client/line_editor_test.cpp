// The line editor's keys, fed as a terminal would send them: editing, Enter, history
// with the arrow keys, Ctrl-D only on an empty line, overlong lines cut.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "client/terminal.hpp"
#include "reactor/event_loop.hpp"

using namespace checkers;

namespace {

struct Editor {
  reactor::EventLoop loop;
  client::Screen screen{false, false};
  std::vector<std::string> lines;
  int eofs = 0;
  client::LineEditor editor{loop, -1, screen,
                            [this](std::string l) { lines.push_back(std::move(l)); },
                            [this] { ++eofs; }};
};

}  // namespace

TEST_CASE("line editor: Backspace, Ctrl-U and Enter") {
  Editor e;
  e.editor.feed(
      "11-16\x7f"
      "5\r");
  e.editor.feed(
      "junk\x15"
      "9-13\n");
  CHECK(e.lines == std::vector<std::string>{"11-15", "9-13"});
}

TEST_CASE("line editor: Up and Down recall earlier lines, the draft comes back") {
  Editor e;
  e.editor.feed("first\rsecond\r");
  e.editor.feed("dra");
  e.editor.feed("\x1b[A\x1b[A\r");  // Up twice: "first"
  e.editor.feed(
      "\x1b[A\x1b[B\x1b[B"
      "ft\r");  // Up, Down, Down: back to this line's (empty) draft
  REQUIRE(e.lines.size() == 4);
  CHECK(e.lines[2] == "first");
  CHECK(e.lines[3] == "ft");
}

TEST_CASE("line editor: Ctrl-D is end of input only on an empty line; other escapes are ignored") {
  Editor e;
  e.editor.feed("ab\x04");
  CHECK(e.eofs == 0);
  e.editor.feed("\x1b[C\x1bOD\x1b[1;5Dc\r");  // Right, Left (SS3), Ctrl-Left: ignored
  CHECK(e.lines == std::vector<std::string>{"abc"});
  e.editor.feed("\x04");
  CHECK(e.eofs == 1);
}

TEST_CASE("line editor: a pasted page is cut to kMaxLine") {
  Editor e;
  e.editor.feed(std::string(6000, '1') + "\r");
  REQUIRE(e.lines.size() == 1);
  CHECK(e.lines[0].size() == client::LineEditor::kMaxLine);
}
