#include "client/game_saver.hpp"

#include <cstdlib>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace checkers::client {

using game::Color;

std::filesystem::path default_games_dir() {
  namespace fs = std::filesystem;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg == '/')
    return fs::path(xdg) / "checkers" / "games";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return fs::path(home) / ".local" / "share" / "checkers" / "games";
  return fs::temp_directory_path() / "checkers" / "games";
}

namespace {

std::string result_text(const GameOutcome& outcome, Color me) {
  const char* me_won = me == Color::Black ? "1-0" : "0-1";
  const char* me_lost = me == Color::Black ? "0-1" : "1-0";
  switch (outcome.result) {
    case GameOutcome::Result::Win:
    case GameOutcome::Result::OpponentLeft:
      return me_won;
    case GameOutcome::Result::Loss:
    case GameOutcome::Result::Resigned:
      return me_lost;
    case GameOutcome::Result::Draw:
    case GameOutcome::Result::Unfinished:
      return "1/2-1/2";
  }
  return "*";
}

std::string safe_name(const std::string& s) {
  std::string out;
  for (char c : s)
    out += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_') ? c : '_';
  return out.empty() ? "player" : out;
}

}  // namespace

game::PdnGame to_pdn(const GameTracker& game, const GameOutcome& outcome, const GameInfo& info) {
  const Color me = game.my_color().value_or(Color::Black);
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y.%m.%d", &tm);
  const std::string black = me == Color::Black ? info.me : game.opponent();
  const std::string white = me == Color::Black ? game.opponent() : info.me;
  const std::optional<uint32_t> my_rating =
      outcome.old_rating ? outcome.old_rating : info.my_rating;
  const std::string my_r = my_rating ? std::to_string(*my_rating) : "-";
  const std::string their_r = std::to_string(game.opponent_rating());

  game::PdnGame pdn;
  pdn.result = result_text(outcome, me);
  pdn.tags = {{"Event", info.event},  {"Site", info.site},
              {"Date", date},         {"Round", std::to_string(info.round)},
              {"Black", black},       {"White", white},
              {"Result", pdn.result}, {"GameType", "21"}};
  if (info.rated) {
    pdn.tags.emplace_back("BlackRating", me == Color::Black ? my_r : their_r);
    pdn.tags.emplace_back("WhiteRating", me == Color::Black ? their_r : my_r);
  }
  pdn.tags.emplace_back("Termination", outcome.cause);
  if (info.rated && outcome.old_rating && outcome.new_rating)
    pdn.tags.emplace_back(me == Color::Black ? "BlackNewRating" : "WhiteNewRating",
                          std::to_string(*outcome.new_rating));
  for (const Ply& p : game.record().plies())
    if (p.complete) pdn.moves.push_back(p.pdn());
  return pdn;
}

std::string GameSaver::save(const GameTracker& game, const GameOutcome& outcome,
                            const GameInfo& info) {
  if (!dir_) return {};
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(*dir_, ec);
  if (ec) return fmt::format("The game could not be saved: {}: {}.", dir_->string(), ec.message());
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  const std::string base =
      fmt::format("{}-{}-vs-{}", stamp, safe_name(info.me), safe_name(game.opponent()));
  fs::path path = *dir_ / (base + ".pdn");
  for (int n = 2; fs::exists(path); ++n) path = *dir_ / fmt::format("{}-{}.pdn", base, n);
  std::ofstream out(path, std::ios::binary);
  out << game::write_pdn(to_pdn(game, outcome, info));
  out.close();
  if (!out) return fmt::format("The game could not be saved to {}.", path.string());
  spdlog::info("game saved to {}", path.string());
  return "Game saved: " + path.string();
}

}  // namespace checkers::client
