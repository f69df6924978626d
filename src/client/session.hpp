// Session: the protocol side of the client, shared by the terminal UI and the bot. It
// owns the Link (ServerLink, or LocalGame for --vs-computer) and the GameTracker, turns
// server messages into a few events for a Frontend (the one who decides: a person or the
// search), and offers the actions a player can take (log in, move, play again, resign, quit). The
// client's exit code and closing sentence come out of here through the finish callback.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/game_tracker.hpp"
#include "client/server_link.hpp"
#include "game/movegen.hpp"
#include "proto/messages.hpp"
#include "reactor/event_loop.hpp"

namespace checkers::client {

// Exit codes of checkers-client.
inline constexpr int kExitOk = 0;
inline constexpr int kExitServer = 1;  // server closed/crashed, protocol violation, unreachable
inline constexpr int kExitUsage =
    2;  // usage errors, login refused without a person to ask, no server

struct Credentials {
  std::string username;
  std::string password;
};

class Frontend {
 public:
  virtual ~Frontend() = default;
  // The program starts: get the credentials and call Session::login().
  virtual void begin() = 0;
  // The connection is up (the Connect goes out right after).
  virtual void connected() = 0;
  virtual void login_refused(proto::LoginFailure reason) = 0;
  virtual void queued(const proto::QueuePosition& q) = 0;
  virtual void game_started() = 0;
  // Each ply of the game once, in order, when it is complete (ours as soon as we sent its
  // last hop), before the matching your_turn()/game_ended().
  virtual void ply_played(const Ply& ply) = 0;
  // Our move; Session::game().my_position() has the legal moves (maybe none).
  virtual void your_turn() = 0;
  // The board to show changed (our own hop, a CompulsoryMove, our colour became known).
  virtual void board_changed() = 0;
  virtual void move_rejected(const proto::Move& rejected) = 0;
  virtual void game_ended(const GameOutcome& outcome) = 0;
  // About the connection's security (a first-seen TLS certificate, plain text ahead).
  virtual void security_notice(const std::string& text);

  // ---- protocol v2 only (defaults: nothing) ----
  // The opponent offers a draw (answer with Session::answer_draw()).
  virtual void draw_offered() {}
  // A chat line from `from` (kept apart from the board by the UI).
  virtual void chat(const std::string& /*from*/, const std::string& /*text*/) {}
  // One line for the person: lobby answers, invitations, refusals, watched moves.
  virtual void notice(const std::string& /*text*/) {}
  // What became of an invitation (after notice() said it in words).
  virtual void invitation_result(const proto::ChallengeResult& /*result*/) {}
  // A game fetched with `games`, complete (for showing and saving; outcome.ended_at is
  // when it ended).
  virtual void game_fetched(const GameTracker& /*game*/, const GameOutcome& /*outcome*/) {}
  // We watch a game: Session::game() is that game (its board in Black's view), told like
  // one we play - ply_played() and board_changed() for every move, clocks() counting.
  virtual void watch_started() {}
  // The watched game ended (`outcome`, told for Black: the winner's colour and both
  // ratings are in it) or we stopped watching (null). `requeued`: the client rejoins the
  // queue it left to watch (queued() follows); otherwise the player is idle.
  virtual void watch_ended(const GameOutcome* /*outcome*/, bool /*requeued*/) {}
};

// The version our client offers first (PROTOCOL-v2.md §3); offering 2, it falls back to 1
// when the server only speaks 1 (the reference implementation's server).
inline constexpr uint8_t kOfferedVersion = 2;

class Session {
 public:
  using FinishCallback = std::function<void(int exit_code, const std::string& message)>;

  Session(reactor::EventLoop& loop, std::string host, uint16_t port, FinishCallback finish);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void set_frontend(Frontend* f) { frontend_ = f; }
  // TLS for every connection to the server (null: plain text, as the reference client).
  void set_tls(std::shared_ptr<TlsClient> tls) { tls_ = std::move(tls); }
  // Instead of a server over TCP (--vs-computer: the local referee); `label` names it.
  using LinkFactory = std::function<std::unique_ptr<Link>(Link::Callbacks)>;
  void use_link(LinkFactory factory, std::string label) {
    link_factory_ = std::move(factory);
    endpoint_label_ = std::move(label);
    offered_version_ = 1;  // the local referee speaks v1
  }

  // Sends Connect with these credentials: on the open connection when there is one in
  // Unauthenticated (after a resignation), otherwise over a new connection (at start,
  // and after InvalidLogin, which closes the old one so that a person typing slowly
  // does not run into the server's login timeout).
  void login(Credentials c);
  // Plays the first hop now; the others are sent one by one as the server asks for the
  // continuation (if they are still legal then).
  void play(std::vector<game::Hop> hops);
  void requeue();
  // LogOut but stay connected (the reference server's only way out of a blocked or
  // drawn game it does not end).
  void logout();
  // Leaves the game in progress by LogOut: resigned, or (drawn) a draw the server did not
  // end; the outcome to report.
  GameOutcome leave_game(bool drawn);
  // LogOut when logged in, close, and finish with this code and message.
  void quit(int exit_code, const std::string& message);

  // ---- protocol v2 (each returns false, sending nothing, on a v1 connection) ----
  // The version agreed with the server: 2, 1, or 0 before the login was answered.
  uint8_t version() const { return version_; }
  // Offer this version first (--protocol; 1 = exactly as the reference client).
  void set_offered_version(uint8_t v) { offered_version_ = v; }
  const std::optional<proto::Welcome>& welcome() const { return welcome_; }
  bool resign();
  bool offer_draw();
  bool answer_draw(bool accept);
  bool draw_offer_open() const { return draw_offer_open_; }
  bool say(const std::string& text);
  // Chat reaches the opponent of a game, during it and after it (PROTOCOL-v2.md §4.7); the
  // server drops it from a queued player or a watcher.
  bool can_chat() const {
    return version_ == 2 && !watching_ && state() != proto::State::InQueue && logged_in();
  }
  // The opponent's protocol version from GameStart2: 0 the house bot, 1 a v1 client - neither
  // reads chat (the server refuses it).
  uint8_t opponent_version() const { return opponent_version_; }
  bool who();
  bool challenge(const std::string& name);
  bool answer_challenge(const std::string& name, bool accept);
  // Who invited us, when exactly one invitation is open (a bare `accept` answers it).
  std::optional<std::string> only_inviter() const {
    if (invited_by_.size() != 1) return std::nullopt;
    return invited_by_.front().first;
  }
  bool rematch();
  bool fetch_games(uint8_t max);
  bool list_games();
  bool watch(uint32_t game_id);
  bool unwatch();
  bool watching() const { return watching_; }
  // How many watch the game we play or watch (a watcher counts itself).
  uint16_t watchers() const { return watchers_; }
  // Both clocks as the server last told them, the side to move's counted down since.
  struct Clocks {
    std::optional<uint32_t> black_ms, white_ms;  // nullopt: no clock
    std::optional<game::Color> running;
    bool per_move = false;  // a mixed v1/v2 game: the limit of the current move
  };
  Clocks clocks() const;

  const GameTracker& game() const { return game_; }
  proto::State state() const { return link_ ? link_->state() : proto::State::Unauthenticated; }
  bool logged_in() const { return link_ && link_->logged_in(); }
  const Credentials& credentials() const { return credentials_; }
  std::optional<uint32_t> my_rating() const { return my_rating_; }
  std::string endpoint() const;
  bool finished() const { return finished_; }
  // When our current turn began (the YourTurn that opened it).
  std::optional<reactor::EventLoop::Clock::time_point> turn_started() const {
    return turn_started_;
  }
  reactor::EventLoop& loop() { return loop_; }

 private:
  void on_message(const proto::Message& m);
  void on_failed(Link::Failure kind, const std::string& why);
  void on_your_turn(const proto::YourTurn& t);
  void on_compulsory(const proto::CompulsoryMove& c);
  void on_game_over(const proto::GameOver& g);
  void on_opponent_disconnect();
  void on_v2(const proto::Message& m);
  void on_invalid_version(const proto::InvalidVersion& v);
  void set_clocks(uint32_t primary, uint32_t secondary, std::optional<game::Color> running);
  void on_record(const proto::RecordEntry& e);
  void on_record_move(const proto::RecordMove& m);
  void on_challenge_result(const proto::ChallengeResult& r);
  // Challenge, AnswerChallenge, Rematch and Watch are taken only from an idle player
  // (PROTOCOL-v2.md §5.2): from the queue we leave it first and send the request when
  // the server's Welcome says we are idle.
  void send_when_idle(proto::Message m);
  void send_lobby_request(const proto::Message& m);
  // A request made from the queue is over (refused, declined, the watched game ended):
  // rejoin the queue; false if the player stays idle.
  bool back_to_queue();
  void end_watch(const GameOutcome* outcome);
  void finish(int code, const std::string& message);
  void send_hop(const game::Hop& hop);
  void report(const GameRecord::Observation& obs);
  void send(const proto::Message& m);
  void open_link();
  void retire_link();

  reactor::EventLoop& loop_;
  std::string host_;
  uint16_t port_;
  std::unique_ptr<Link> link_;
  LinkFactory link_factory_;
  std::shared_ptr<TlsClient> tls_;
  std::string endpoint_label_;
  bool connect_pending_ = false;  // send Connect once the link is up
  FinishCallback finish_cb_;
  Frontend* frontend_ = nullptr;
  GameTracker game_;
  Credentials credentials_;
  std::deque<game::Hop> pending_;  // rest of a typed multi-jump
  std::optional<uint32_t> my_rating_;
  std::optional<reactor::EventLoop::Clock::time_point> turn_started_;
  reactor::TimerId disconnect_timer_ = 0;
  bool finished_ = false;

  uint8_t offered_version_ = kOfferedVersion;
  uint8_t version_ = 0;
  uint8_t opponent_version_ = 2;
  bool falling_back_ = false;  // the server refused v2: Connect again with v1
  bool fell_back_ = false;     // ... and we did
  bool reconnected_ = false;   // a new connection was tried for v1 already
  std::optional<proto::Welcome> welcome_;
  bool draw_offer_open_ = false;
  struct ClockState {
    uint32_t primary_ms = proto::kNoClock, secondary_ms = proto::kNoClock;
    std::optional<game::Color> running;
    reactor::EventLoop::Clock::time_point at{};
    bool per_move = false;
  } clock_;
  // ---- the lobby ----
  std::optional<proto::Message> after_leaving_queue_;  // sent when LeaveQueue is answered
  bool rejoin_queue_ = false;  // we left the queue for a request: rejoin when it is over
  bool watching_ = false;
  bool server_shutting_down_ = false;  // a GameOver2 said so: the close that follows is expected
  uint16_t watchers_ = 0;
  // Our Challenge, Rematch and AnswerChallenge messages waiting for their ChallengeResult
  // (exactly one each, in order per name): whom, and whether we invited or answered.
  struct OpenRequest {
    std::string name;
    bool answered = false;  // we answered their invitation
    proto::ChallengeKind kind = proto::ChallengeKind::Challenge;
  };
  std::vector<OpenRequest> open_requests_;
  std::vector<std::pair<std::string, proto::ChallengeKind>> invited_by_;  // invitations to us
  // A game being fetched (RecordEntry, then its RecordMoves).
  std::optional<proto::RecordEntry> fetching_;
  GameTracker fetched_;
};

// Words for InvalidLogin.reason.
std::string login_failure_text(proto::LoginFailure reason);

}  // namespace checkers::client
