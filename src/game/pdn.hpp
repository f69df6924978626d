// PDN text helpers: move text to a legal move, and a plain-text board for humans (the
// `checkers-engine show` output). Pure functions returning strings; nothing is printed here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "game/movegen.hpp"
#include "game/position.hpp"

namespace checkers::game {

// The legal move written as PDN text: "11-15", "22x15x6" or the short "22x6" (accepted only
// when it names exactly one legal move). nullopt if no (unique) legal move matches.
std::optional<Move> find_move(const Position& pos, std::string_view text);

// A game in PDN: tag pairs in order, the move texts of every ply, the result
// ("1-0" Black won, "0-1" White won, "1/2-1/2", "*").
struct PdnGame {
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::string> moves;
  std::string result = "*";
};

// The PDN text: tags, then numbered moves ("1. 11-15 22-18 2. 15x22 25x18 ...") wrapped at
// 79 columns, ending with the result. A "FEN" tag with White to move numbers from "1. ...".
std::string write_pdn(const PdnGame& game);

// Reads a PDN database: every game (tags, move text with numbers, comments in braces, and
// the result, which ends a game; tags after move text without a result start the next).
// nullopt with `error` naming the game on malformed text.
std::optional<std::vector<PdnGame>> parse_pdn_games(std::string_view text, std::string& error);
// The same for text that must hold exactly one game.
std::optional<PdnGame> parse_pdn(std::string_view text, std::string& error);

// Plays the moves of `game` from its FEN tag (or the start): the final position, or
// nullopt with `error` naming the first move that is not legal.
std::optional<Position> replay_pdn(const PdnGame& game, std::string& error);

// An 8x8 ASCII diagram in the standard orientation (Black's back rank, y = 7, at the top),
// each playable square showing its PDN number and its piece, with protocol x/y labels.
std::string render_board(const Position& pos);

}  // namespace checkers::game
