// `checkers-server game ...`: lists and exports the games log.
#include "server/game_admin.hpp"

#include <unistd.h>

#include <ctime>
#include <ostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "server/game_records.hpp"
#include "server/store.hpp"

namespace checkers::server {
namespace {

std::string utc_time(int64_t when) {
  const auto t = static_cast<std::time_t>(when);
  std::tm tm{};
  if (when <= 0 || gmtime_r(&t, &tm) == nullptr) return "-";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%MZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "checkers-server";
  return buf;
}

bool played(const ArchivedGame& g, const std::string& user) {
  return user.empty() || g.result.a == user || g.result.b == user;
}

const char* result_text(double score_black) {
  return score_black == 1.0 ? "1-0" : score_black == 0.0 ? "0-1" : "1/2-1/2";
}

}  // namespace

CLI::App* add_game_subcommands(CLI::App& app, GameCommandArgs& args) {
  CLI::App* game = app.add_subcommand(
      "game", "Finished games in --data-dir: list them, export them as PDN (read-only)");
  game->require_subcommand(1);
  game->fallthrough();
  CLI::App* list = game->add_subcommand("list", "One line per game: id, end, players, result");
  list->fallthrough();
  list->add_option("--user", args.user, "only the games of this account");
  list->callback([&args] { args.action = "list"; });

  CLI::App* exp = game->add_subcommand("export", "Write games as standard PDN to stdout");
  exp->fallthrough();
  auto* id = exp->add_option("ID", args.id, "the game's id (see game list)")
                 ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
  auto* all = exp->add_flag("--all", args.all, "every game (with --user: every game of NAME)");
  id->excludes(all);
  exp->add_option("--user", args.user, "with --all: only the games of this account");
  exp->callback([&args, id, all] {
    if (id->count() == 0 && all->count() == 0)
      throw CLI::ValidationError("export", "give a game ID or --all");
    args.action = "export";
  });
  return game;
}

int run_game_command(const GameCommandArgs& args, const std::filesystem::path& data_dir,
                     std::ostream& out, std::ostream& err) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    err << "error: there is no store at " << data_dir.string()
        << " (the directory does not exist); pass the server's --data-dir\n";
    return 1;
  }
  try {
    const std::vector<ArchivedGame> games = read_game_archive(data_dir);
    if (args.action == "list") {
      out << fmt::format("{:>6}  {:<17}  {:<16}  {:<16}  {:<7}  {:>5}  {}\n", "ID", "ENDED",
                         "BLACK", "WHITE", "RESULT", "MOVES", "REASON");
      for (const ArchivedGame& g : games) {
        if (!played(g, args.user)) continue;
        out << fmt::format("{:>6}  {:<17}  {:<16}  {:<16}  {:<7}  {:>5}  {}\n", g.id,
                           utc_time(g.result.when), g.result.a, g.result.b,
                           result_text(g.result.score_a), g.moves.size(), g.result.reason);
      }
      return 0;
    }
    const std::string site = host_name();
    bool first = true;
    for (const ArchivedGame& g : games) {
      if (args.all ? !played(g, args.user) : g.id != args.id) continue;
      if (!first) out << "\n";
      first = false;
      out << game::write_pdn(to_pdn(g, site));
    }
    if (!args.all && first) {
      err << "error: no game with id " << args.id << " in " << data_dir.string() << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace checkers::server
