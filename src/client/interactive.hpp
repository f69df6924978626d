// InteractivePlayer: the terminal UI for a person. It asks for the username and the
// password (without echo), shows the queue status, draws the board after every server
// board with what just happened, reads moves in standard notation (checked locally, with
// reasons and the legal moves when wrong) and offers to play again. The person never sees
// a protocol message. Lines come from a LineReader; on a terminal they are answered as
// typed, from a pipe or file they are queued and consumed by the prompts in order.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "client/session.hpp"
#include "client/terminal.hpp"

namespace checkers::client {

// UI: the person's terminal front end - prompts, typed moves, the board after every move, end-of-game questions.
class InteractivePlayer : public Frontend {
 public:
  struct Config {
    std::optional<std::string> username;
    std::optional<std::string> password;
    bool ansi = false;
    bool terminal_input = false;  // stdin is a terminal: a person can be asked again
  };

  InteractivePlayer(Session& session, Screen& screen, TerminalGuard& terminal, Config config);

  // Input from the LineReader.
  void on_line(std::string line);
  void on_eof();

  void begin() override;
  void connected() override;
  void login_refused(proto::LoginFailure reason) override;
  void queued(const proto::QueuePosition& q) override;
  void game_started() override;
  void move_seen(const MoveReport& report, proto::MsgType kind) override;
  void your_turn() override;
  void board_changed() override;
  void move_rejected(const proto::Move& rejected) override;
  void game_ended(const GameOutcome& outcome) override;

 private:
  enum class Ask { Nothing, Username, Password, Move, ConfirmQuit, PlayAgain, Resign };

  void ask(Ask what);
  void show_prompt();
  void pump();
  void handle(Ask what, const std::string& line);
  void handle_idle(const std::string& line);
  void handle_move(const std::string& line);
  void handle_username(const std::string& line);
  void handle_password(const std::string& line);
  void handle_yes_no(Ask what, const std::string& line);
  void request_quit();
  void login_or_ask();
  void draw();
  void announce_colour();
  std::string status_text() const;
  std::string player_name(game::Color c) const;
  void show_legal_moves();

  Session& session_;
  Screen& screen_;
  TerminalGuard& terminal_;
  Config config_;
  Ask asking_ = Ask::Nothing;
  Ask before_quit_ = Ask::Nothing;  // what to go back to when quitting is cancelled
  std::deque<std::string> input_;
  bool eof_ = false;
  bool pumping_ = false;
  bool logged_in_once_ = false;
  bool colour_announced_ = false;
  bool connected_once_ = false;
  std::string username_;
  std::vector<game::Square> highlight_;
};

}  // namespace checkers::client
