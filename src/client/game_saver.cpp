#include "client/game_saver.hpp"

#include <cstdlib>
#include <ctime>
#include <fstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "client/xdg.hpp"

namespace checkers::client {

using game::Color;

std::filesystem::path default_games_dir() { return checkers_dir(XdgBase::Data) / "games"; }

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
      return "1/2-1/2";
    case GameOutcome::Result::Unfinished:
      // v2 tells a game ended without a result (the server shut down); v1's unfinished
      // game was drawn by the rules.
      return outcome.reason ? "*" : "1/2-1/2";
  }
  return "*";
}

// When the game ended, in local time: the server's record of it, or now.
std::tm end_time(const GameOutcome& outcome) {
  const std::time_t when = outcome.ended_at.value_or(std::time(nullptr));
  std::tm tm{};
  ::localtime_r(&when, &tm);
  return tm;
}

std::string format_time(const std::tm& tm, const char* format) {
  char text[32];
  return std::strftime(text, sizeof text, format, &tm) == 0 ? std::string() : std::string(text);
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
  const std::string date = format_time(end_time(outcome), "%Y.%m.%d");
  const std::string black = me == Color::Black ? info.me : game.opponent();
  const std::string white = me == Color::Black ? game.opponent() : info.me;
  const std::optional<uint32_t> my_rating =
      outcome.old_rating ? outcome.old_rating : info.my_rating;
  const std::string my_r = my_rating ? std::to_string(*my_rating) : "-";
  const std::string their_r = std::to_string(game.opponent_rating());

  // A game fetched from the server's records was not a round of this run.
  const std::string round = outcome.ended_at ? "-" : std::to_string(info.round);
  game::PdnGame pdn;
  pdn.result = result_text(outcome, me);
  pdn.tags = {{"Event", info.event},  {"Site", info.site}, {"Date", date},
              {"Round", round},       {"Black", black},    {"White", white},
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
  const std::string base =
      fmt::format("{}-{}-vs-{}", format_time(end_time(outcome), "%Y%m%d-%H%M%S"),
                  safe_name(info.me), safe_name(game.opponent()));
  const std::string text = game::write_pdn(to_pdn(game, outcome, info));
  fs::path path = *dir_ / (base + ".pdn");
  // A fetched game (`games`) already saved - when it ended here, or by an earlier `games`
  // - has a file of the same name (its end to the second, the same players).
  if (outcome.ended_at && fs::exists(path)) return "Already saved: " + path.string();
  for (int n = 2; fs::exists(path); ++n) path = *dir_ / fmt::format("{}-{}.pdn", base, n);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return fmt::format("The game could not be saved to {}.", path.string());
  spdlog::info("game saved to {}", path.string());
  return "Game saved: " + path.string();
}

}  // namespace checkers::client
