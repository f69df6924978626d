// InteractivePlayer: the terminal UI for a person. It asks for the username and the
// password (without echo), shows the queue and the time of the current turn in the status
// line, tells every ply of the game once (from the GameRecord) and draws the current
// board with the last moves beside it, reads moves in standard notation (checked locally,
// with reasons and the legal moves when wrong), asks before anything that loses a rated
// game, says how each game ended and offers to play again. The person never sees a
// protocol message. Lines come from a LineEditor (terminal) or a LineReader (pipe, file);
// piped lines are queued and consumed by the prompts in order.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/session.hpp"
#include "client/terminal.hpp"

namespace checkers::client {

// UI: the person's terminal front end - prompts, typed moves, the board after every move,
// end-of-game questions.
class InteractivePlayer : public Frontend {
 public:
  struct Config {
    std::optional<std::string> username;
    std::optional<std::string> password;
    bool ansi = false;
    bool terminal_input = false;  // stdin is a terminal: a person can be asked again
    bool live_editor = false;     // a LineEditor echoes (no terminal echo to switch off)
    // Called with each finished game (the PDN writer); may return a line to show.
    std::function<std::string(const GameTracker&, const GameOutcome&)> on_game_saved;
    bool local = false;  // --vs-computer: no server, nothing rated
  };

  InteractivePlayer(Session& session, Screen& screen, TerminalGuard& terminal, Config config);
  ~InteractivePlayer() override;

  // Input from the LineReader / LineEditor.
  void on_line(std::string line);
  void on_eof();
  // Ctrl-C: in a game, ask before resigning (a second Ctrl-C confirms); else leave.
  void on_interrupt();
  // The terminal was resized: draw the board again for the new width.
  void redraw();

  void begin() override;
  void connected() override;
  void login_refused(proto::LoginFailure reason) override;
  void queued(const proto::QueuePosition& q) override;
  void game_started() override;
  void ply_played(const Ply& ply) override;
  void your_turn() override;
  void board_changed() override;
  void move_rejected(const proto::Move& rejected) override;
  void game_ended(const GameOutcome& outcome) override;
  void security_notice(const std::string& text) override;
  void draw_offered() override;
  void chat(const std::string& from, const std::string& text) override;
  void notice(const std::string& text) override;
  void game_fetched(const GameTracker& game, const GameOutcome& outcome) override;
  void watch_started() override;
  void watch_ended(const GameOutcome* outcome, bool requeued) override;

 private:
  enum class Ask {
    Nothing,
    Username,
    Password,
    Move,
    ConfirmQuit,
    ConfirmResign,
    PlayAgain,
    Resign,
    LeaveDrawn
  };
  enum class After { Exit, PlayAgain, Back };  // what follows a confirmed resignation

  void ask(Ask what);
  void show_prompt();
  void pump();
  void handle(Ask what, const std::string& line);
  bool handle_command(const std::string& line);
  bool handle_v2_command(const std::string& raw);
  void handle_idle(const std::string& line);
  void handle_move(const std::string& line);
  void handle_username(const std::string& line);
  void handle_password(const std::string& line);
  void handle_yes_no(Ask what, const std::string& line);
  void request_leave(After after);
  void resign_now();
  void leave_drawn();
  void login_or_ask();
  void schedule_draw();
  void draw(bool force = true);
  void tick();
  void announce_colour();
  std::string status_text() const;
  std::string watching_status() const;
  std::string player_name(game::Color c) const;
  void show_legal_moves();
  void show_history();
  std::string wrapped(const std::string& text, const std::string& separator) const;

  Session& session_;
  Screen& screen_;
  TerminalGuard& terminal_;
  Config config_;
  Ask asking_ = Ask::Nothing;
  Ask before_confirm_ = Ask::Nothing;  // what to go back to when leaving is cancelled
  After after_resign_ = After::Exit;
  std::deque<std::string> input_;
  bool eof_ = false;
  bool pumping_ = false;
  bool logged_in_once_ = false;
  std::optional<game::Color> colour_announced_;
  bool connected_once_ = false;
  reactor::TimerId draw_timer_ = 0;  // a board drawn once after this pass's events
  bool drawn_offer_made_ = false;
  std::optional<uint32_t> rating_before_left_game_;  // opponent left: the rating shows on requeue
  std::string username_;
  std::vector<game::Square> highlight_;
  std::string queue_text_;
  std::string last_drawn_;
  uint64_t prints_at_last_draw_ = 0;
  std::optional<reactor::EventLoop::Clock::time_point> opponent_turn_since_;
  std::optional<reactor::EventLoop::Clock::time_point> queued_since_;
  reactor::TimerId ticker_ = 0;
};

// "1500 -> 1523 (+23)".
std::string rating_change(uint32_t before, uint32_t after);

}  // namespace checkers::client
