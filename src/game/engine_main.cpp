// checkers-engine: command-line front end of the rules engine (perft, bestmove, show, replay).
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "game/movegen.hpp"
#include "game/pdn.hpp"
#include "game/search.hpp"

#ifndef CHECKERS_VERSION_STRING
#define CHECKERS_VERSION_STRING "unknown"
#endif

namespace {

using namespace checkers::game;

constexpr int kExitBadInput = 2;

std::optional<Position> load(const std::string& fen) {
  if (fen.empty()) return Position::start();
  auto pos = Position::from_fen(fen);
  if (!pos) fmt::print(stderr, "checkers-engine: invalid PDN FEN position: '{}'\n", fen);
  return pos;
}

int run_perft(const Position& pos, int depth, bool stats) {
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t nodes = perft(pos, depth);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("{}\n", nodes);
  if (stats)
    fmt::print("time_ms {:.1f} nodes_per_sec {:.0f}\n", secs * 1000.0,
               secs > 0 ? nodes / secs : 0.0);
  return 0;
}

int run_bestmove(const Position& pos, int depth, int ms, uint64_t seed) {
  Searcher searcher(seed);
  SearchLimits limits;
  if (ms > 0)
    limits.time_ms = ms;
  else
    limits.max_depth = depth;
  const SearchResult r = searcher.search(pos, limits);
  if (r.best.empty()) {
    fmt::print("none\n");
    return 1;
  }
  std::string hops;
  for (const Hop& h : r.best.hops())
    hops += fmt::format(" ({},{},{:+d},{:+d})", h.from.x, h.from.y, h.dx, h.dy);
  fmt::print("{}\nscore {} depth {} nodes {}\nhops{}\n", r.best.to_pdn(), r.score, r.depth, r.nodes,
             hops);
  return 0;
}

// Every game of the file (a PDN database holds many, e.g. `checkers-server game export
// --all`). Exit 0: every move legal; 1: an illegal move; 2: unreadable or malformed file.
int run_replay(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "checkers-engine: cannot read {}\n", file);
    return kExitBadInput;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  const std::optional<std::vector<PdnGame>> games = parse_pdn_games(text.str(), error);
  if (!games || games->empty()) {
    fmt::print(stderr, "checkers-engine: {}: not a PDN game: {}\n", file,
               games ? "no game in it" : error);
    return kExitBadInput;
  }
  for (size_t i = 0; i < games->size(); ++i) {
    const PdnGame& game = (*games)[i];
    const std::string which = games->size() == 1 ? "" : fmt::format("game {}: ", i + 1);
    const std::optional<Position> final = replay_pdn(game, error);
    if (!final) {
      fmt::print(stderr, "checkers-engine: {}: {}{}\n", file, which, error);
      return 1;
    }
    fmt::print("{}{} plies replayed, all legal; result {}\n{}", which, game.moves.size(),
               game.result, games->size() == 1 ? render_board(*final) : "");
  }
  if (games->size() > 1) fmt::print("{} games, every move legal\n", games->size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"checkers-engine: English draughts rules engine (perft, best move, board display)"};
  app.set_version_flag("--version", std::string("checkers-engine ") + CHECKERS_VERSION_STRING);
  app.require_subcommand(1);

  std::string fen;
  int perft_depth = 0;
  bool stats = false;
  auto* perft_cmd = app.add_subcommand("perft", "count the leaves of the full-move tree");
  perft_cmd->add_option("depth", perft_depth, "depth in full moves")
      ->required()
      ->check(CLI::Range(0, 30));
  perft_cmd->add_option("--position", fen, "PDN FEN, e.g. W:W21,22,K27:B1,2,K5 (default: start)");
  perft_cmd->add_flag("--stats", stats, "also print the time and nodes per second");

  int depth = 12;
  int ms = 0;
  uint64_t seed = 1;
  auto* best_cmd = app.add_subcommand("bestmove", "search the best move");
  auto* depth_opt = best_cmd->add_option("--depth", depth, "search depth in full moves")
                        ->check(CLI::Range(1, 64));
  auto* ms_opt = best_cmd->add_option("--ms", ms, "search time in milliseconds")
                     ->check(CLI::Range(1, 3600000));
  depth_opt->excludes(ms_opt);
  best_cmd->add_option("--position", fen, "PDN FEN (default: start)");
  best_cmd->add_option("--seed", seed, "tie-break seed");

  auto* show_cmd =
      app.add_subcommand("show", "print the board with PDN numbers and protocol (x,y)");
  show_cmd->add_option("--position", fen, "PDN FEN (default: start)");

  std::string pdn_file;
  auto* replay_cmd =
      app.add_subcommand("replay", "check a PDN game move by move and print the final position");
  replay_cmd->add_option("file", pdn_file, "the .pdn file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitBadInput;
  }

  if (*replay_cmd) return run_replay(pdn_file);
  const std::optional<Position> pos = load(fen);
  if (!pos) return kExitBadInput;
  if (*perft_cmd) return run_perft(*pos, perft_depth, stats);
  if (*best_cmd) return run_bestmove(*pos, depth, ms, seed);
  if (*show_cmd) fmt::print("{}", render_board(*pos));
  return 0;
}
