#include "client/bot.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "client/notation.hpp"
#include "game/search.hpp"

namespace checkers::client {

namespace {
// A server whose rules differ from ours may keep refusing; give up the game then.
constexpr int kMaxRejections = 20;
}  // namespace

BotPlayer::BotPlayer(reactor::EventLoop& loop, Session& session, Credentials credentials,
                     game::Level level, int games, uint64_t seed, LineSink print)
    : loop_(loop),
      session_(session),
      credentials_(std::move(credentials)),
      level_(level),
      games_(games),
      searcher_(std::make_shared<game::Searcher>(seed)),
      print_(std::move(print)),
      search_(loop, 1) {}

void BotPlayer::begin() { session_.login(credentials_); }

void BotPlayer::login_refused(proto::LoginFailure reason) {
  session_.quit(kExitUsage, fmt::format("Login as '{}' refused: {}.", credentials_.username,
                                        login_failure_text(reason)));
}

void BotPlayer::queued(const proto::QueuePosition& q) {
  spdlog::debug("queued: {} of {}, rating {}", q.queue_pos, q.queue_size, q.rating);
}

void BotPlayer::game_started() {
  spdlog::info("game {} against {} ({})", played_ + 1, session_.game().opponent(),
               session_.game().opponent_rating());
  rejections_ = 0;
}

void BotPlayer::ply_played(const Ply& ply) {
  spdlog::debug("{}: {}", ply.mover == game::Color::Black ? "Black" : "White", ply.description());
}

void BotPlayer::your_turn() {
  const game::Position pos = session_.game().my_position();
  const uint64_t turn = ++turn_;
  if (!game::has_legal_move(pos)) {
    resign_blocked();
    return;
  }
  if (session_.game().record().status().kind == game::GameStatus::Draw) {
    leave_drawn();
    return;
  }
  auto searcher = searcher_;
  const game::Level level = level_;
  search_.submit_serial([searcher, pos, level] { return searcher->choose(pos, level); },
                        [this, turn](game::Move move) {
                          if (turn != turn_ || session_.finished()) return;
                          if (session_.state() != proto::State::UserMove) return;
                          if (move.empty()) {
                            resign_blocked();
                            return;
                          }
                          spdlog::debug("bot plays {}", move.to_pdn());
                          session_.play(move.hops());
                        });
}

void BotPlayer::move_rejected(const proto::Move& rejected) {
  ++turn_;
  if (++rejections_ > kMaxRejections) {
    resign_blocked();
    return;
  }
  // The server's rules differ from ours: try another legal step at random.
  const auto hops = game::legal_hops(session_.game().my_position());
  std::vector<game::Hop> others;
  for (const game::Hop& h : hops)
    if (!(h.from.x == rejected.x && h.from.y == rejected.y && h.dx == rejected.dx &&
          h.dy == rejected.dy))
      others.push_back(h);
  if (others.empty()) {
    resign_blocked();
    return;
  }
  session_.play({others[static_cast<size_t>(rejections_) % others.size()]});
}

void BotPlayer::resign_blocked() {
  spdlog::info("no playable move: resigning by logging out");
  game_ended(session_.leave_game(false));
}

void BotPlayer::leave_drawn() {
  spdlog::warn("the game is drawn by the rules but the server does not end it: leaving it");
  game_ended(session_.leave_game(true));
}

void BotPlayer::game_ended(const GameOutcome& outcome) {
  ++played_;
  ++turn_;
  std::string line =
      fmt::format("game {}: {} vs {}", played_, to_string(outcome.result), outcome.opponent);
  if (outcome.old_rating && outcome.new_rating)
    line += fmt::format(" ({} -> {})", *outcome.old_rating, *outcome.new_rating);
  line += fmt::format(", {} moves", outcome.moves);
  print_(line);
  if (save_) {
    const std::string saved = save_(session_.game(), outcome);
    if (!saved.empty()) spdlog::info("{}", saved);
  }
  after_game();
}

void BotPlayer::after_game() {
  if (played_ >= games_) {
    session_.quit(kExitOk, "");
    return;
  }
  if (rematch_ && session_.version() == 2) {
    session_.rematch();  // the opponent may agree (or ask first): the game starts then
  } else if (session_.logged_in()) {
    session_.requeue();
  } else {
    session_.login(credentials_);
  }
}

// Protocol v2: accept a draw unless the engine thinks we are ahead.
void BotPlayer::draw_offered() {
  const game::Position pos = session_.game().my_position();
  const int eval = game::evaluate(pos);
  const bool accept = eval <= kDrawAcceptMargin;
  spdlog::info("draw offered; evaluation {} for us: {}", eval, accept ? "accepted" : "declined");
  session_.answer_draw(accept);
}

// Our rematch request came to nothing (declined, timed out, the opponent gone): queue.
void BotPlayer::invitation_result(const proto::ChallengeResult& result) {
  if (result.result == proto::ChallengeOutcome::Accepted || session_.game().in_game()) return;
  if (session_.state() == proto::State::GameEnd) session_.requeue();
}

// An invitation for a rematch (or a challenge) with --bot-rematch: accept it.
void BotPlayer::notice(const std::string& text) {
  spdlog::info("{}", text);
  if (!rematch_ || session_.game().in_game()) return;
  const std::string opponent = session_.game().opponent();
  if (!opponent.empty() && text.rfind(opponent + " (", 0) == 0 &&
      text.find("asks for a rematch") != std::string::npos)
    session_.answer_challenge(opponent, true);
}

}  // namespace checkers::client
