// BotPlayer: plays by itself with src/game's Searcher. Logs in with the given
// credentials (no prompts), plays `games` games with ReQueue between them, and reports
// one summary line per game ("game 3: win vs bob (1500 -> 1662), 41 moves"). The search
// runs on the loop's work queue so signals and server messages are handled meanwhile.
// On a server that never ends a blocked game (the reference), a bot without a legal
// move resigns by LogOut and logs in again on the same connection; on a server that does
// not end a game drawn by the standard rules (threefold repetition, 40-move rule) the
// bot leaves it the same way and reports "draw (not ended by the server)".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "client/session.hpp"
#include "game/search.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/work_queue.hpp"

namespace checkers::client {

class BotPlayer : public Frontend {
 public:
  using LineSink = std::function<void(const std::string&)>;

  BotPlayer(reactor::EventLoop& loop, Session& session, Credentials credentials, game::Level level,
            int games, uint64_t seed, LineSink print);

  void begin() override;
  void connected() override {}
  void login_refused(proto::LoginFailure reason) override;
  void queued(const proto::QueuePosition& q) override;
  void game_started() override;
  void ply_played(const Ply& ply) override;
  void your_turn() override;
  void board_changed() override {}
  void move_rejected(const proto::Move& rejected) override;
  void game_ended(const GameOutcome& outcome) override;
  void draw_offered() override;
  void notice(const std::string& text) override;
  void invitation_result(const proto::ChallengeResult& result) override;

  // --bot-rematch (protocol v2): after a game ask the same opponent again, and accept a
  // rematch asked for, instead of joining the queue.
  void set_rematch(bool on) { rematch_ = on; }

  int games_played() const { return played_; }
  // Called with every finished game (the PDN writer).
  void set_game_saver(std::function<std::string(const GameTracker&, const GameOutcome&)> save) {
    save_ = std::move(save);
  }

 private:
  void resign_blocked();
  void leave_drawn();
  void after_game();

  reactor::EventLoop& loop_;
  Session& session_;
  Credentials credentials_;
  game::Level level_;
  int games_;
  std::shared_ptr<game::Searcher> searcher_;
  LineSink print_;
  std::function<std::string(const GameTracker&, const GameOutcome&)> save_;
  // A draw is accepted unless the evaluation for us is above this (a man is ~100).
  static constexpr int kDrawAcceptMargin = 20;
  bool rematch_ = false;
  int played_ = 0;
  uint64_t turn_ = 0;  // identifies the turn a search result belongs to
  int rejections_ = 0;
  reactor::WorkQueue search_;  // last: destroyed first, dropping a search's completion
};

}  // namespace checkers::client
