// `checkers-server user add|passwd|del|list`: account administration on the
// store in --data-dir. Mutating commands take the data-dir lock, so they fail
// with "checkers-server is running on this data dir (pid N); stop it first"
// (exit 1) while the server runs; `user list` works alongside it (read-only).
//
// Use from main.cpp:
//     std::string data_dir = "./var";
//     app.add_option("--data-dir", data_dir);
//     server::UserCommandArgs user_args;
//     CLI::App* user = server::add_user_subcommands(app, user_args);
//     CLI11_PARSE(app, argc, argv);
//     if (user->parsed()) return server::run_user_command(user_args, data_dir);
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace checkers::server {

struct UserCommandArgs {
  std::string action;  // "add", "passwd", "del", "list"; set by the parser
  std::string name;
};

// Registers `user` with the subcommands add NAME, passwd NAME, del NAME,
// list under `app` and returns the `user` subcommand (test ->parsed() after
// parsing). The parsed values land in `args`, which must outlive parsing.
// Options of the parent (--data-dir) are accepted after the subcommand too.
CLI::App* add_user_subcommands(CLI::App& app, UserCommandArgs& args);

// Reads one password; `prompt` is shown on interactive input. nullopt = no
// input (EOF).
using PasswordReader = std::function<std::optional<std::string>(std::string_view prompt)>;

// The terminal (/dev/tty, echo off) when stdin is a tty, else one line of
// stdin with the trailing newline (and CR) removed.
PasswordReader default_password_reader();
bool stdin_is_tty();

// Runs the parsed command against the store in data_dir; returns the exit
// code (0 ok, 1 error: message on `err`). `interactive` makes `user add`
// and `user passwd` ask twice and compare.
int run_user_command(const UserCommandArgs& args, const std::filesystem::path& data_dir,
                     std::ostream& out, std::ostream& err, const PasswordReader& read_password,
                     bool interactive);
// Same with std::cout, std::cerr, default_password_reader() and stdin_is_tty().
int run_user_command(const UserCommandArgs& args, const std::filesystem::path& data_dir);

}  // namespace checkers::server
