#include "client/session.hpp"

#include <cstdio>

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
          send(proto::Connect{proto::kProtocolVersion, credentials_.username,
                              credentials_.password});
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
    send(proto::Connect{proto::kProtocolVersion, credentials_.username, credentials_.password});
    return;
  }
  connect_pending_ = true;
  open_link();
}

void Session::play(std::vector<game::Hop> hops) {
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
          quit(kExitServer, fmt::format("The server does not speak our protocol version {}: it "
                                        "supports versions {} to {}.",
                                        proto::kProtocolVersion, std::min(msg.lowest, msg.highest),
                                        std::max(msg.lowest, msg.highest)));
        } else if constexpr (std::is_same_v<T, proto::QueuePosition>) {
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
          spdlog::warn("unexpected {} from the server",
                       proto::name_of(proto::type_of(proto::Message{msg})));
        }
      },
      m);
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
