#include "client/session.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "client/board_adapter.hpp"

namespace checkers::client {

namespace {

// A connection the server closes during our turn after this long was most likely its
// turn limit (a crash is far rarer; a shutdown ends the game first).
constexpr auto kLongWait = std::chrono::seconds(1);
// How long an OpponentDisconnect waits to see whether the server closes right after it.
constexpr auto kShutdownGrace = std::chrono::milliseconds(300);

proto::Move to_wire(const game::Hop& h) {
  return proto::Move{static_cast<uint8_t>(h.from.x), static_cast<uint8_t>(h.from.y),
                     static_cast<int8_t>(h.dx), static_cast<int8_t>(h.dy)};
}

}  // namespace

std::string login_failure_text(proto::LoginFailure reason) {
  switch (reason) {
    case proto::LoginFailure::AccountDoesNotExist:
      return "there is no account with that name";
    case proto::LoginFailure::InvalidPassword:
      return "wrong password";
    case proto::LoginFailure::AlreadyLoggedIn:
      return "that account is already logged in elsewhere";
  }
  return fmt::format("refused (reason code {})", static_cast<unsigned>(reason));
}

void Frontend::security_notice(const std::string& text) {
  std::fputs((text + "\n").c_str(), stderr);
}

Session::Session(reactor::EventLoop& loop, std::string host, uint16_t port, FinishCallback finish)
    : loop_(loop), host_(std::move(host)), port_(port), finish_cb_(std::move(finish)) {}

Session::~Session() {
  if (disconnect_timer_ != 0) loop_.cancel(disconnect_timer_);
}

std::string Session::endpoint() const {
  if (!endpoint_label_.empty()) return endpoint_label_;
  return format_endpoint(host_, port_);
}

void Session::open_link() {
  retire_link();
  Link::Callbacks callbacks{
      [this] {
        if (frontend_) frontend_->connected();
        if (connect_pending_) {
          connect_pending_ = false;
          send(proto::Connect{offered_version_, credentials_.username, credentials_.password});
        }
      },
      [this](const proto::Message& m) { on_message(m); },
      [this](Link::Failure kind, const std::string& why) { on_failed(kind, why); },
      [this](const std::string& text) {
        if (frontend_) frontend_->security_notice(text);
      }};
  if (link_factory_)
    link_ = link_factory_(std::move(callbacks));
  else
    link_ = std::make_unique<ServerLink>(loop_, host_, port_, std::move(callbacks),
                                         std::chrono::seconds(5), tls_);
  link_->connect();
}

void Session::retire_link() {
  if (!link_) return;
  link_->close();
  // Destroyed outside its own callbacks, at the end of the pass, by the function owning it.
  loop_.defer([link = std::shared_ptr<Link>(std::move(link_))] {});
}

void Session::send(const proto::Message& m) {
  if (link_) link_->send(m);
}

void Session::login(Credentials c) {
  credentials_ = std::move(c);
  if (link_ && link_->connected() && link_->state() == proto::State::Unauthenticated) {
    send(proto::Connect{offered_version_, credentials_.username, credentials_.password});
    return;
  }
  connect_pending_ = true;
  open_link();
}

void Session::play(std::vector<game::Hop> hops) {
  if (version_ == 2) {
    // The whole move in one MakeMove2, shown at once.
    pending_.clear();
    if (hops.empty()) return;
    std::vector<std::pair<int, int>> squares{{hops.front().from.x, hops.front().from.y}};
    for (const game::Hop& h : hops) squares.emplace_back(h.to.x, h.to.y);
    const std::optional<proto::Path> path = proto::Path::of(squares);
    if (!path) return;
    for (const game::Hop& h : hops) report(game_.sent(h));
    send(proto::MakeMove2{*path});
    if (frontend_) frontend_->board_changed();
    return;
  }
  pending_.assign(hops.begin(), hops.end());
  if (pending_.empty()) return;
  const game::Hop first = pending_.front();
  pending_.pop_front();
  send_hop(first);
}

void Session::send_hop(const game::Hop& hop) {
  const auto obs = game_.sent(hop);
  send(proto::MakeMove{to_wire(hop)});
  report(obs);
  if (frontend_) frontend_->board_changed();
}

void Session::report(const GameRecord::Observation& obs) {
  for (size_t i : obs.completed) frontend_->ply_played(game_.record().plies()[i]);
}

void Session::requeue() { send(proto::ReQueue{}); }

void Session::logout() {
  pending_.clear();
  turn_started_.reset();
  send(proto::LogOut{});
  game_.leave();
}

GameOutcome Session::leave_game(bool drawn) {
  GameTracker copy = game_;
  GameOutcome out = drawn ? copy.finish_unended() : copy.finish_resigned();
  out.we_left = true;
  logout();
  return out;
}

void Session::quit(int exit_code, const std::string& message) {
  if (link_) link_->close();
  finish(exit_code, message);
}

void Session::finish(int code, const std::string& message) {
  if (finished_) return;
  finished_ = true;
  if (finish_cb_) finish_cb_(code, message);
}

// OpponentDisconnect: the opponent left - or the server is shutting down, which sends it
// too and then closes. Told after a moment, unless the connection closes meanwhile.
void Session::on_opponent_disconnect() {
  pending_.clear();
  turn_started_.reset();
  // A game already drawn by the rules stays a draw when the other side leaves it (a
  // server that does not end draws: both bots leave).
  const bool drawn = game_.record().status().kind == game::GameStatus::Draw;
  const GameOutcome outcome = drawn ? game_.finish_unended() : game_.finish_opponent_left();
  disconnect_timer_ = loop_.run_after(kShutdownGrace, [this, outcome] {
    disconnect_timer_ = 0;
    if (!finished_ && frontend_) frontend_->game_ended(outcome);
  });
}

void Session::on_failed(Link::Failure kind, const std::string& why) {
  if (falling_back_) return;  // the server closed with its InvalidVersion: we reconnect
  if (kind == Link::Failure::ServerClosed && version_ == 0 && !reconnected_ &&
      state() == proto::State::InQueue && (offered_version_ == 2 || fell_back_)) {
    // Closed without answering our Connect - the v2 one, or the v1 one we sent on the same
    // connection after its InvalidVersion: a server that only knows v1 and closes. Once
    // more with v1 on a new connection (PROTOCOL-v2.md §3).
    spdlog::info("the server closed the connection without answering: trying version 1 anew");
    offered_version_ = 1;
    reconnected_ = true;
    connect_pending_ = true;
    loop_.defer([this] {
      if (!finished_) open_link();
    });
    return;
  }
  std::string message = why;
  if (!message.empty())
    message[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(message[0])));
  if (disconnect_timer_ != 0) {
    loop_.cancel(disconnect_timer_);
    disconnect_timer_ = 0;
    if (kind == Link::Failure::ServerClosed) {
      finish(kExitServer, message +
                              " right after ending the game: the server shut down (an unfinished "
                              "game is not rated).");
      return;
    }
  }
  if (kind == Link::Failure::ServerClosed && server_shutting_down_) {
    finish(kExitServer, message + ": the server shut down.");
    return;
  }
  if (kind == Link::Failure::ServerClosed && game_.in_game()) {
    const auto waited =
        turn_started_ ? loop_.now() - *turn_started_ : reactor::EventLoop::Clock::duration{};
    if (state() == proto::State::UserMove && waited >= kLongWait) {
      const auto secs = std::chrono::duration_cast<std::chrono::seconds>(waited).count();
      message += fmt::format(
          " after no move from you for {}:{:02} - most likely the server's turn time limit; "
          "the game counts as a loss",
          secs / 60, secs % 60);
    } else {
      message += " in the middle of the game (the server stopped or crashed)";
    }
  }
  finish(kExitServer, message + ".");
}

void Session::on_message(const proto::Message& m) {
  if (!frontend_ || finished_) return;
  std::visit(
      [this](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, proto::InvalidLogin>) {
          retire_link();
          frontend_->login_refused(msg.reason);
        } else if constexpr (std::is_same_v<T, proto::InvalidVersion>) {
          on_invalid_version(msg);
        } else if constexpr (std::is_same_v<T, proto::QueuePosition>) {
          if (version_ == 0) version_ = 1;
          my_rating_ = msg.rating;
          frontend_->queued(msg);
        } else if constexpr (std::is_same_v<T, proto::GameStart>) {
          pending_.clear();
          turn_started_.reset();
          game_.begin(msg);
          frontend_->game_started();
          // The primary's first YourTurn comes with GameStart; nothing else after the
          // whole batch of messages means we are the secondary: White.
          loop_.defer([this] {
            if (finished_ || !game_.in_game() || game_.my_color()) return;
            game_.presume_white();
            frontend_->board_changed();
          });
        } else if constexpr (std::is_same_v<T, proto::YourTurn>) {
          on_your_turn(msg);
        } else if constexpr (std::is_same_v<T, proto::CompulsoryMove>) {
          on_compulsory(msg);
        } else if constexpr (std::is_same_v<T, proto::InvalidMove>) {
          pending_.clear();
          game_.observe(msg.board, msg.move, proto::MsgType::InvalidMove);
          frontend_->board_changed();
          frontend_->move_rejected(msg.move);
        } else if constexpr (std::is_same_v<T, proto::OpponentDisconnect>) {
          on_opponent_disconnect();
        } else if constexpr (std::is_same_v<T, proto::GameOver>) {
          on_game_over(msg);
        } else {
          on_v2(proto::Message{msg});
        }
      },
      m);
}

// A v1-only server (the reference implementation's) answers a v2 Connect with
// InvalidVersion 1..1 and may close the connection with it: Connect again with v1, on the
// same connection if it is still open, else on a new one (PROTOCOL-v2.md §3).
void Session::on_invalid_version(const proto::InvalidVersion& v) {
  const uint8_t lo = std::min(v.lowest, v.highest), hi = std::max(v.lowest, v.highest);
  if (offered_version_ == 2 && !(lo <= 2 && 2 <= hi) && lo <= 1 && 1 <= hi) {
    spdlog::info("the server speaks protocol versions {}..{}: falling back to version 1", lo, hi);
    offered_version_ = 1;
    falling_back_ = true;
    fell_back_ = true;
    loop_.defer([this] {
      falling_back_ = false;
      if (finished_) return;
      if (link_ && link_->connected() && link_->state() == proto::State::Unauthenticated) {
        send(proto::Connect{offered_version_, credentials_.username, credentials_.password});
      } else {
        connect_pending_ = true;
        open_link();
      }
    });
    return;
  }
  quit(kExitServer,
       fmt::format("The server does not speak our protocol version {}: it supports versions {} "
                   "to {}.",
                   offered_version_, lo, hi));
}

void Session::on_your_turn(const proto::YourTurn& t) {
  report(game_.observe(t.board, t.last_move, proto::MsgType::YourTurn));
  if (!game_.continuation()) {
    pending_.clear();
    turn_started_ = loop_.now();
  }
  if (!pending_.empty()) {
    const game::Hop next = pending_.front();
    pending_.pop_front();
    if (game::find_hop(game_.my_position(), next.from, next.dx, next.dy)) {
      spdlog::debug("continuing the typed capture sequence");
      send_hop(next);
      return;
    }
    pending_.clear();
  }
  frontend_->your_turn();
}

void Session::on_compulsory(const proto::CompulsoryMove& c) {
  const auto obs = game_.observe(c.board, c.move, proto::MsgType::CompulsoryMove);
  // The server played the next hop we had typed: that hop is done.
  if (!pending_.empty() && to_wire(pending_.front()) == c.move) pending_.pop_front();
  report(obs);
  frontend_->board_changed();
}

void Session::on_game_over(const proto::GameOver& g) {
  pending_.clear();
  turn_started_.reset();
  report(game_.observe(g.board, g.winning_move, proto::MsgType::GameOver));
  my_rating_ = g.new_rating;
  frontend_->game_ended(game_.finish(g));
}

}  // namespace checkers::client

namespace checkers::client {

namespace {

game::Color colour_of(proto::Colour c) {
  return c == proto::Colour::Primary ? game::Color::Black : game::Color::White;
}

const char* status_text(proto::PlayerStatus s) {
  switch (s) {
    case proto::PlayerStatus::Idle:
      return "idle";
    case proto::PlayerStatus::Queued:
      return "waiting for a game";
    case proto::PlayerStatus::Playing:
      return "playing";
    case proto::PlayerStatus::Watching:
      return "watching";
  }
  return "?";
}

// What became of our invitation or answer, told from our side: `answered` when we
// answered their invitation (AnswerChallenge, or Rematch to their rematch request).
std::string challenge_result_text(const proto::ChallengeResult& r, bool answered,
                                  proto::ChallengeKind kind) {
  const std::string who = r.name.str();
  const char* what = kind == proto::ChallengeKind::Rematch ? "rematch" : "challenge";
  if (answered) {
    switch (r.result) {
      case proto::ChallengeOutcome::Accepted:
        return fmt::format("You accepted {}'s {}.", who, what);
      case proto::ChallengeOutcome::Declined:
        return fmt::format("You declined {}'s {}.", who, what);
      case proto::ChallengeOutcome::Withdrawn:
      case proto::ChallengeOutcome::NotAvailable:
      case proto::ChallengeOutcome::TimedOut:
        return fmt::format("{}'s {} is no longer open.", who, what);
      default:
        break;
    }
  }
  switch (r.result) {
    case proto::ChallengeOutcome::Declined:
      return fmt::format("{} declined your {}.", who, what);
    case proto::ChallengeOutcome::TimedOut:
      return fmt::format("{} did not answer your {} in time.", who, what);
    case proto::ChallengeOutcome::NotAvailable:
      return who + " is not available (playing, watching, gone, or the house bot).";
    case proto::ChallengeOutcome::NoSuchPlayer:
      return "Nobody called " + who + " is online.";
    case proto::ChallengeOutcome::Yourself:
      return "You cannot challenge yourself.";
    case proto::ChallengeOutcome::SpeaksV1:
      return who + "'s client cannot receive invitations (protocol v1).";
    case proto::ChallengeOutcome::AlreadyPending:
      return "You already have an open invitation; wait for its answer.";
    case proto::ChallengeOutcome::TooMany:
      return "Too many invitations; wait a minute.";
    case proto::ChallengeOutcome::Withdrawn:
      return who + " withdrew the invitation.";
    case proto::ChallengeOutcome::NoRematch:
      return "No rematch possible: your last opponent is gone.";
    case proto::ChallengeOutcome::Cancelled:
      return who.empty() ? "Invitation withdrawn." : "Your invitation to " + who + " is withdrawn.";
    case proto::ChallengeOutcome::Accepted:
      return fmt::format("{} accepted your {}.", who, what);
  }
  return fmt::format("Invitation {}: result {}.", who, static_cast<unsigned>(r.result));
}

std::string clock_text(uint32_t ms) {
  if (ms == proto::kNoClock) return "-";
  const uint32_t s = ms / 1000;
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

void Session::set_clocks(uint32_t primary, uint32_t secondary, std::optional<game::Color> running) {
  clock_.primary_ms = primary;
  clock_.secondary_ms = secondary;
  clock_.running = running;
  clock_.at = loop_.now();
}

Session::Clocks Session::clocks() const {
  Clocks c;
  c.per_move = clock_.per_move;
  c.running = clock_.running;
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(loop_.now() - clock_.at);
  const auto left = [&](uint32_t ms, game::Color side) -> std::optional<uint32_t> {
    if (ms == proto::kNoClock) return std::nullopt;
    if (clock_.running != side) return ms;
    const auto e = static_cast<uint64_t>(std::max<int64_t>(0, elapsed.count()));
    return ms > e ? static_cast<uint32_t>(ms - e) : 0;
  };
  c.black_ms = left(clock_.primary_ms, game::Color::Black);
  c.white_ms = left(clock_.secondary_ms, game::Color::White);
  return c;
}

void Session::on_v2(const proto::Message& m) {
  std::visit(
      [this](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        const game::Color me = game_.my_color().value_or(game::Color::Black);
        if constexpr (std::is_same_v<T, proto::Welcome>) {
          // The answer to Connect, LeaveQueue or Unwatch: we are idle.
          const bool login = version_ != 2;
          version_ = 2;
          welcome_ = msg;
          my_rating_ = msg.rating;
          if (watching_) end_watch(nullptr);
          if (after_leaving_queue_) {
            const proto::Message request = std::move(*after_leaving_queue_);
            after_leaving_queue_.reset();
            send_lobby_request(request);
          } else if (login) {
            send(proto::ReQueue{});  // like a v1 login: straight into the queue
          }
        } else if constexpr (std::is_same_v<T, proto::GameStart2>) {
          if (after_leaving_queue_)
            frontend_->notice("A game started before your request could go out: play this one.");
          after_leaving_queue_.reset();
          rejoin_queue_ = false;
          watchers_ = 0;
          pending_.clear();
          turn_started_.reset();
          draw_offer_open_ = false;
          game_.begin(msg);
          opponent_version_ = msg.opponent_version;
          my_rating_ = msg.own_rating;
          clock_.per_move = msg.clock_kind == proto::ClockKind::PerMove;
          const uint32_t base =
              msg.clock_kind == proto::ClockKind::None ? proto::kNoClock : msg.base_ms;
          // Black's clock runs from the start (the server sends Black YourTurn2 at once,
          // PROTOCOL-v2.md §7): White sees it count down before any MoveMade.
          set_clocks(base, base,
                     base == proto::kNoClock ? std::nullopt
                                             : std::optional<game::Color>(game::Color::Black));
          frontend_->game_started();
          frontend_->board_changed();
        } else if constexpr (std::is_same_v<T, proto::YourTurn2>) {
          set_clocks(msg.primary_clock, msg.secondary_clock, me);
          turn_started_ = loop_.now();
          frontend_->your_turn();
        } else if constexpr (std::is_same_v<T, proto::MoveMade>) {
          // An offer made to us lapses when we move (PROTOCOL-v2.md §6.4), not when the
          // offerer does. A watched game is told the same way (its boards in Black's view).
          const game::Color mover = colour_of(msg.mover);
          if (mover == me && !watching_) draw_offer_open_ = false;
          set_clocks(msg.primary_clock, msg.secondary_clock, game::opponent(mover));
          report(game_.moved(msg));
          frontend_->board_changed();
        } else if constexpr (std::is_same_v<T, proto::InvalidMove2>) {
          pending_.clear();
          game_.refused(msg);
          frontend_->board_changed();
          frontend_->move_rejected(
              msg.path.count >= 2
                  ? proto::Move{static_cast<uint8_t>(msg.path.x(0)),
                                static_cast<uint8_t>(msg.path.y(0)),
                                static_cast<int8_t>(msg.path.x(1) > msg.path.x(0) ? 1 : -1),
                                static_cast<int8_t>(msg.path.y(1) > msg.path.y(0) ? 1 : -1)}
                  : proto::Move{});
        } else if constexpr (std::is_same_v<T, proto::GameOver2>) {
          draw_offer_open_ = false;
          if (msg.reason == proto::EndReason::ServerShutdown) server_shutting_down_ = true;
          if (watching_) {
            set_clocks(msg.primary_clock, msg.secondary_clock, std::nullopt);
            const GameOutcome out = game_.finish(msg);
            end_watch(&out);
            return;
          }
          pending_.clear();
          turn_started_.reset();
          set_clocks(msg.primary_clock, msg.secondary_clock, std::nullopt);
          const GameOutcome out = game_.finish(msg);
          if (out.new_rating) my_rating_ = out.new_rating;
          frontend_->game_ended(out);
        } else if constexpr (std::is_same_v<T, proto::DrawOffered>) {
          draw_offer_open_ = true;
          frontend_->draw_offered();
        } else if constexpr (std::is_same_v<T, proto::DrawDeclined>) {
          frontend_->notice(msg.reason == proto::DrawDeclineReason::Declined
                                ? game_.opponent() + " declined your draw offer."
                            : msg.reason == proto::DrawDeclineReason::OpponentCannot
                                ? game_.opponent() + "'s client cannot answer draw offers."
                                : "You already offered a draw since your last move.");
        } else if constexpr (std::is_same_v<T, proto::ChatFrom>) {
          frontend_->chat(msg.from.str(), msg.text.str());
        } else if constexpr (std::is_same_v<T, proto::ChatRefused>) {
          frontend_->notice(msg.reason == proto::ChatRefusal::RateLimited
                                ? "Chat: too fast, that line was not sent."
                            : msg.reason == proto::ChatRefusal::ChatOff
                                ? "Chat is off on this server."
                                : "Chat: nobody to talk to (no opponent who can read it).");
        } else if constexpr (std::is_same_v<T, proto::PlayerEntry>) {
          if (msg.count == 0) {
            frontend_->notice("Nobody is online.");
            return;
          }
          if (msg.index == 1)
            frontend_->notice(
                fmt::format("{} player{} online:", msg.total, msg.total == 1 ? "" : "s"));
          frontend_->notice(fmt::format("  {:<16} {:>5}  {}{}", msg.name.str(), msg.rating,
                                        status_text(msg.status),
                                        msg.version == 0   ? " (the house bot)"
                                        : msg.version == 1 ? " (v1 client)"
                                                           : ""));
        } else if constexpr (std::is_same_v<T, proto::ChallengeReceived>) {
          std::erase_if(invited_by_, [&](const auto& i) { return i.first == msg.from.str(); });
          invited_by_.emplace_back(msg.from.str(), msg.kind);
          frontend_->notice(fmt::format("{} ({}) {}: type `accept {}` or `decline {}` within {} s.",
                                        msg.from.str(), msg.rating,
                                        msg.kind == proto::ChallengeKind::Rematch
                                            ? "asks for a rematch"
                                            : "challenges you to a game",
                                        msg.from.str(), msg.from.str(), msg.timeout_s));
        } else if constexpr (std::is_same_v<T, proto::ChallengeResult>) {
          on_challenge_result(msg);
        } else if constexpr (std::is_same_v<T, proto::GameEntry>) {
          if (msg.count == 0) {
            frontend_->notice("No games in progress.");
            return;
          }
          if (msg.index == 1)
            frontend_->notice(fmt::format("{} game{} in progress (watch N to watch one):",
                                          msg.total, msg.total == 1 ? "" : "s"));
          frontend_->notice(fmt::format(
              "  game {}: {} ({}) vs {} ({}), move {}, clocks {} / {}, "
              "{} watching",
              msg.game_id, msg.primary_name.str(), msg.primary_rating, msg.secondary_name.str(),
              msg.secondary_rating, msg.ply / 2 + 1, clock_text(msg.primary_clock),
              clock_text(msg.secondary_clock), msg.watchers));
        } else if constexpr (std::is_same_v<T, proto::WatchStart>) {
          watching_ = true;
          watchers_ = msg.watchers;
          draw_offer_open_ = false;
          game_.watch(msg);
          clock_.per_move = msg.clock_kind == proto::ClockKind::PerMove;
          set_clocks(
              msg.clock_kind == proto::ClockKind::None ? proto::kNoClock : msg.primary_clock,
              msg.clock_kind == proto::ClockKind::None ? proto::kNoClock : msg.secondary_clock,
              colour_of(msg.to_move));
          frontend_->watch_started();
          frontend_->board_changed();
        } else if constexpr (std::is_same_v<T, proto::WatchRefused>) {
          frontend_->notice(
              msg.reason == proto::WatchRefusal::NoSuchGame
                  ? fmt::format("There is no game {} in progress (see list).", msg.game_id)
                  : fmt::format("Game {} has the most watchers allowed.", msg.game_id));
          back_to_queue();
        } else if constexpr (std::is_same_v<T, proto::WatcherCount>) {
          watchers_ = msg.watchers;
          if (!watching_)
            frontend_->notice(msg.watchers == 0 ? "Nobody watches this game any more."
                              : msg.watchers == 1
                                  ? "1 person watches this game."
                                  : fmt::format("{} people watch this game.", msg.watchers));
        } else if constexpr (std::is_same_v<T, proto::RecordEntry>) {
          on_record(msg);
        } else if constexpr (std::is_same_v<T, proto::RecordMove>) {
          on_record_move(msg);
        } else {
          spdlog::warn("unexpected {} from the server",
                       proto::name_of(proto::type_of(proto::Message{msg})));
        }
      },
      m);
}

// A fetched game: the RecordEntry, then its RecordMoves, rebuilt in a GameTracker (the one
// model of a game) and handed over when the last move is in.
void Session::on_record(const proto::RecordEntry& e) {
  fetching_.reset();
  if (e.count == 0) {
    frontend_->notice("You have no finished games on this server yet.");
    return;
  }
  proto::GameStart2 start;
  start.colour = e.colour;
  start.opponent_name = e.opponent_name;
  start.opponent_rating = e.opponent_old;
  start.own_rating = e.own_old;
  fetched_.begin(start);
  fetching_ = e;
  if (e.plies == 0) on_record_move(proto::RecordMove{e.record_id, 0, {}});
}

void Session::on_record_move(const proto::RecordMove& m) {
  if (!fetching_ || m.record_id != fetching_->record_id) return;
  const proto::RecordEntry& e = *fetching_;
  if (m.ply != 0) {
    fetched_.replay_move(m.path);  // a record has no boards: the rules give them
  }
  if (m.ply < e.plies) return;
  const bool primary = e.colour == proto::Colour::Primary;
  proto::GameOver2 over;
  over.game_id = e.record_id;
  over.winner = e.winner;
  over.reason = e.reason;
  over.plies = e.plies;
  over.primary_old = primary ? e.own_old : e.opponent_old;
  over.primary_new = primary ? e.own_new : e.opponent_new;
  over.secondary_old = primary ? e.opponent_old : e.own_old;
  over.secondary_new = primary ? e.opponent_new : e.own_new;
  if (const auto board = fetched_.display_board()) over.board = *board;
  GameTracker done = fetched_;
  GameOutcome out = done.finish(over);
  out.ended_at = static_cast<std::time_t>(e.ended_at);
  fetching_.reset();
  frontend_->game_fetched(done, out);
}

// ---- v2 actions ----

bool Session::resign() {
  if (version_ != 2 || !game_.in_game()) return false;
  send(proto::Resign{});
  return true;
}

bool Session::offer_draw() {
  if (version_ != 2 || !game_.in_game()) return false;
  send(proto::OfferDraw{});
  return true;
}

bool Session::answer_draw(bool accept) {
  if (version_ != 2 || !draw_offer_open_) return false;
  draw_offer_open_ = false;
  send(proto::AnswerDraw{static_cast<uint8_t>(accept ? 1 : 0)});
  return true;
}

bool Session::say(const std::string& text) {
  if (!can_chat()) return false;
  const std::string_view cut = proto::cut_chat_text(text);
  const auto chat = proto::ChatText::make(cut);
  if (!chat) return false;
  send(proto::Chat{*chat});
  return true;
}

bool Session::who() {
  if (version_ != 2) return false;
  send(proto::Who{});
  return true;
}

bool Session::challenge(const std::string& name) {
  const auto n = proto::Str16::make(name);
  if (version_ != 2 || !n || game_.in_game() || watching_) return false;
  send_when_idle(proto::Challenge{*n});
  return true;
}

bool Session::answer_challenge(const std::string& name, bool accept) {
  const auto n = proto::Str16::make(name);
  if (version_ != 2 || !n || game_.in_game() || watching_) return false;
  send_when_idle(proto::AnswerChallenge{*n, static_cast<uint8_t>(accept ? 1 : 0)});
  return true;
}

bool Session::rematch() {
  if (version_ != 2 || game_.in_game() || watching_) return false;
  send_when_idle(proto::Rematch{});
  return true;
}

bool Session::fetch_games(uint8_t max) {
  if (version_ != 2) return false;
  send(proto::FetchGames{max});
  return true;
}

bool Session::list_games() {
  if (version_ != 2) return false;
  send(proto::ListGames{});
  return true;
}

bool Session::watch(uint32_t game_id) {
  if (version_ != 2 || game_.in_game() || watching_) return false;
  send_when_idle(proto::Watch{game_id});
  return true;
}

bool Session::unwatch() {
  if (version_ != 2 || !watching_) return false;
  send(proto::Unwatch{});
  return true;
}

// ---- the lobby ----

void Session::send_when_idle(proto::Message m) {
  if (state() == proto::State::InQueue) {
    if (!after_leaving_queue_) send(proto::LeaveQueue{});
    after_leaving_queue_ = std::move(m);  // a second request before the answer replaces it
    rejoin_queue_ = true;
    return;
  }
  send_lobby_request(m);
}

void Session::send_lobby_request(const proto::Message& m) {
  // The invitation a name answers (taken: it is answered now).
  const auto take_invitation =
      [this](const std::string& name) -> std::optional<proto::ChallengeKind> {
    const auto it = std::find_if(invited_by_.begin(), invited_by_.end(),
                                 [&](const auto& i) { return i.first == name; });
    if (it == invited_by_.end()) return std::nullopt;
    const proto::ChallengeKind kind = it->second;
    invited_by_.erase(it);
    return kind;
  };
  if (const auto* c = std::get_if<proto::Challenge>(&m)) {
    open_requests_.push_back({c->name.str(), false, proto::ChallengeKind::Challenge});
  } else if (const auto* a = std::get_if<proto::AnswerChallenge>(&m)) {
    const auto kind = take_invitation(a->from.str());
    open_requests_.push_back({a->from.str(), true, kind.value_or(proto::ChallengeKind::Challenge)});
  } else if (std::holds_alternative<proto::Rematch>(m)) {
    // Asking back when the last opponent asked first is accepting.
    const std::string last = game_.opponent();
    const auto kind = take_invitation(last);
    open_requests_.push_back(
        {last, kind == proto::ChallengeKind::Rematch, proto::ChallengeKind::Rematch});
  }
  send(m);
}

void Session::on_challenge_result(const proto::ChallengeResult& r) {
  const std::string name = r.name.str();
  auto it = std::find_if(open_requests_.begin(), open_requests_.end(),
                         [&](const OpenRequest& o) { return o.name == name; });
  if (it == open_requests_.end() && name.empty()) it = open_requests_.begin();
  OpenRequest request{name};
  if (it != open_requests_.end()) {
    request = *it;
    open_requests_.erase(it);
  }
  frontend_->notice(challenge_result_text(r, request.answered, request.kind));
  frontend_->invitation_result(r);
  if (r.result != proto::ChallengeOutcome::Accepted && !game_.in_game()) back_to_queue();
}

bool Session::back_to_queue() {
  if (!rejoin_queue_ || after_leaving_queue_ || !open_requests_.empty() || watching_) return false;
  if (state() != proto::State::GameEnd) return false;
  rejoin_queue_ = false;
  send(proto::ReQueue{});
  return true;
}

void Session::end_watch(const GameOutcome* outcome) {
  watching_ = false;
  watchers_ = 0;
  const bool requeued = back_to_queue();
  frontend_->watch_ended(outcome, requeued);
}

}  // namespace checkers::client
