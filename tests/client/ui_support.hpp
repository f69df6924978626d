// Helpers of the terminal-UI tests: the client binaries, a person's client on a
// pseudo-terminal, the board rows the client draws, and small text checks.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "client/board_adapter.hpp"
#include "client/render.hpp"
#include "game/movegen.hpp"
#include "pty.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace checkers::test {

using game::Color;
using game::Position;

inline std::string client_binary() { return (bin_dir() / "checkers-client").string(); }
inline std::string engine_binary() { return (bin_dir() / "checkers-engine").string(); }

inline size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

inline std::unique_ptr<PtyProcess> person(uint16_t port, const std::string& name,
                                          const TempDir& home, int rows = 50, int cols = 132,
                                          int protocol = 2) {
  return std::make_unique<PtyProcess>(
      std::vector<std::string>{client_binary(), "--host-addr", "127.0.0.1", "--port",
                               std::to_string(port), "--username", name, "--password", "pw",
                               "--no-color", "--games-dir", (home / name).string(), "--protocol",
                               std::to_string(protocol)},
      std::vector<std::string>{"XDG_STATE_HOME=" + home.path().string(), "TERM=xterm"}, rows, cols);
}

// A person whose client offers only v1, as the reference implementation's client does.
inline std::unique_ptr<PtyProcess> person_v1(uint16_t port, const std::string& name,
                                             const TempDir& home) {
  return person(port, name, home, 24, 80, 1);
}

// The rows of the board as the client draws it (plain, with the key), one string each.
inline std::vector<std::string> board_rows(const Position& pos, Color me, bool key) {
  client::RenderOptions opts;
  opts.width = 132;
  opts.key = key;
  std::vector<std::string> rows;
  std::istringstream in(client::render_board(client::to_board(pos, me), me, opts));
  for (std::string line; std::getline(in, line);) rows.push_back(line);
  return rows;
}

inline void expect_board(PtyProcess& ui, const Position& pos, Color me, bool key = true,
                         size_t from_row = 0) {
  const auto rows = board_rows(pos, me, key);
  for (size_t i = from_row; i < rows.size(); ++i) {
    const std::string& row = rows[i];
    INFO(row << "\n---\n" << ui.unmatched());
    REQUIRE(ui.expect(row));
  }
}

inline std::string first_move(const Position& pos) {
  game::MoveList moves;
  game::generate_moves(pos, moves);
  REQUIRE_FALSE(moves.empty());
  return moves[0].to_pdn();
}

inline std::filesystem::path only_file_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  REQUIRE(files.size() == 1);
  return files.front();
}

// Types resign and confirms it (a game of the person's in progress).
inline void resign_game(PtyProcess& ui) {
  ui.type("resign\n");
  REQUIRE(ui.expect("Resign this game? It counts as a loss. [y/N]"));
  ui.type("y\n");
}

}  // namespace checkers::test
