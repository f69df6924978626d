// GameSaver: writes every finished game as a PDN file (standard tags, the record's plies,
// the result and how the game ended) under $XDG_DATA_HOME/checkers/games/ (default
// ~/.local/share/checkers/games/), one file per game; --games-dir and --no-save change it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "client/game_tracker.hpp"
#include "game/pdn.hpp"

namespace checkers::client {

std::filesystem::path default_games_dir();

struct GameInfo {
  std::string me;     // our account name
  std::string site;   // the server ("127.0.0.1:8864", "local computer")
  std::string event;  // "Rated game" / "Game against the computer"
  std::optional<uint32_t> my_rating;
  int round = 1;      // games played in this run
  bool rated = true;  // false: no rating tags (a game against the computer)
};

// The game in PDN: Event, Site, Date, Round, Black, White, Result, the ratings and the
// end reason (Termination).
game::PdnGame to_pdn(const GameTracker& game, const GameOutcome& outcome, const GameInfo& info);

class GameSaver {
 public:
  // nullopt: do not save (--no-save).
  explicit GameSaver(std::optional<std::filesystem::path> dir) : dir_(std::move(dir)) {}
  // Writes the game; returns the sentence for the player ("Game saved: PATH"), "" when
  // saving is off, or why it failed.
  std::string save(const GameTracker& game, const GameOutcome& outcome, const GameInfo& info);

 private:
  std::optional<std::filesystem::path> dir_;
};

}  // namespace checkers::client
