// `checkers-server game list|export`: the finished games in --data-dir's games log.
// Both only read, so they work beside the running server (a record being written at that
// moment is simply not shown yet).
//
//   game list [--user NAME]          one line per game, oldest first
//   game export ID | --all [--user NAME]
//                                    standard PDN on stdout; several games are separated
//                                    by a blank line (a PDN database)
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace checkers::server {

struct GameCommandArgs {
  std::string action;  // "list", "export"; set by the parser
  std::string user;    // --user: only games this account played
  uint64_t id = 0;     // export ID
  bool all = false;    // export --all
};

// Registers `game` with list and export under `app`; returns the `game` subcommand.
CLI::App* add_game_subcommands(CLI::App& app, GameCommandArgs& args);

// Exit code 0 ok, 1 error (message on `err`).
int run_game_command(const GameCommandArgs& args, const std::filesystem::path& data_dir,
                     std::ostream& out, std::ostream& err);

}  // namespace checkers::server
