#include "client/interactive.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "client/board_adapter.hpp"
#include "client/notation.hpp"
#include "client/render.hpp"

namespace checkers::client {

using game::Color;

namespace {

std::string trim(const std::string& s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])) != 0) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0) --e;
  return s.substr(b, e - b);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const char* colour_name(Color c) { return c == Color::Black ? "Black" : "White"; }

constexpr const char* kHelp =
    "How to play:\n"
    "  Type a move as the squares it goes through, using the numbers 1-32 shown in the key\n"
    "  beside the board: 11-15 moves the piece on 11 to 15; 22x15 jumps (captures).\n"
    "  Coordinates work too: c3-d4, e3xc5. A multiple jump can be typed whole (22x15x6)\n"
    "  or one jump at a time. Captures are compulsory.\n"
    "  b/w are men, B/W kings; your pieces start at the bottom and move up.\n"
    "Commands:\n"
    "  ?        list your legal moves\n"
    "  board    draw the board again\n"
    "  help     this text\n"
    "  quit     leave (log out); resign does the same during a game\n"
    "  Ctrl-C or Ctrl-D leave at once.";

}  // namespace

InteractivePlayer::InteractivePlayer(Session& session, Screen& screen, TerminalGuard& terminal, Config config)
    : session_(session), screen_(screen), terminal_(terminal), config_(std::move(config)) {}

// ---- input ----

void InteractivePlayer::on_line(std::string line) {
  input_.push_back(std::move(line));
  pump();
}

void InteractivePlayer::on_eof() {
  eof_ = true;
  pump();
}

// Lines are answered by the prompt waiting for them; a person at a terminal may also
// type while nothing is asked (commands, or "not your turn"); piped input waits.
void InteractivePlayer::pump() {
  if (pumping_) return;
  pumping_ = true;
  while (!input_.empty() && !session_.finished()) {
    if (asking_ == Ask::Nothing && !config_.terminal_input) break;
    const std::string line = input_.front();
    input_.pop_front();
    const Ask what = asking_;
    if (what == Ask::Nothing) {
      handle_idle(line);
    } else {
      asking_ = Ask::Nothing;
      handle(what, line);
    }
  }
  pumping_ = false;
  if (input_.empty() && eof_ && !session_.finished()) {
    if (asking_ == Ask::Password) terminal_.set_echo(true);
    screen_.println("");
    session_.quit(kExitOk, session_.logged_in() ? "End of input: logged out." : "End of input.");
  }
}

void InteractivePlayer::ask(Ask what) {
  asking_ = what;
  show_prompt();
  pump();
}

void InteractivePlayer::show_prompt() {
  switch (asking_) {
    case Ask::Nothing:
      return;
    case Ask::Username:
      screen_.prompt(username_.empty() ? "Username: " : fmt::format("Username [{}]: ", username_));
      return;
    case Ask::Password:
      terminal_.set_echo(false);
      screen_.prompt(fmt::format("Password for {}: ", username_));
      return;
    case Ask::Move: {
      const auto cont = session_.game().my_position().continuing_piece();
      if (cont)
        screen_.prompt(fmt::format("Continue capturing with the piece on {}: ", square_label(*cont)));
      else
        screen_.prompt("Your move (e.g. 11-15; ? = legal moves, help): ");
      return;
    }
    case Ask::ConfirmQuit:
      screen_.prompt(session_.game().in_game() ? "Leave this game and log out? [y/N] " : "Log out and quit? [y/N] ");
      return;
    case Ask::PlayAgain:
      screen_.prompt("Play again? [Y/n] ");
      return;
    case Ask::Resign:
      screen_.prompt("Resign this game (log out of it)? [Y/n] ");
      return;
  }
}

void InteractivePlayer::handle(Ask what, const std::string& raw) {
  switch (what) {
    case Ask::Username: handle_username(raw); return;
    case Ask::Password: handle_password(raw); return;
    case Ask::Move: handle_move(raw); return;
    case Ask::ConfirmQuit:
    case Ask::PlayAgain:
    case Ask::Resign: handle_yes_no(what, raw); return;
    case Ask::Nothing: handle_idle(raw); return;
  }
}

void InteractivePlayer::handle_idle(const std::string& raw) {
  const std::string line = lower(trim(raw));
  if (line.empty()) return;
  if (line == "help") {
    screen_.println(kHelp);
  } else if (line == "quit" || line == "resign" || line == "exit") {
    request_quit();
  } else if (line == "board" && session_.game().board()) {
    draw();
  } else if (session_.game().in_game()) {
    screen_.println(fmt::format("Please wait: it is {}'s turn.", session_.game().opponent()));
  } else {
    screen_.println("Please wait for an opponent (type quit to leave).");
  }
}

void InteractivePlayer::handle_username(const std::string& raw) {
  std::string name = trim(raw);
  if (name.empty()) name = username_;
  if (name.empty()) {
    ask(Ask::Username);
    return;
  }
  if (name.size() > proto::Str16::kCapacity) {
    screen_.println(fmt::format("A username has at most {} bytes.", proto::Str16::kCapacity));
    ask(Ask::Username);
    return;
  }
  username_ = name;
  if (config_.password && !logged_in_once_) {
    session_.login({username_, *config_.password});
    return;
  }
  ask(Ask::Password);
}

void InteractivePlayer::handle_password(const std::string& raw) {
  terminal_.set_echo(true);
  if (terminal_.is_terminal()) screen_.newline_after_hidden_input();
  if (raw.size() > proto::Str16::kCapacity) {
    screen_.println(fmt::format("A password has at most {} bytes.", proto::Str16::kCapacity));
    ask(Ask::Password);
    return;
  }
  screen_.println("Logging in...");
  session_.login({username_, raw});
}

void InteractivePlayer::handle_move(const std::string& raw) {
  const std::string line = lower(trim(raw));
  if (line.empty()) {
    ask(Ask::Move);
  } else if (line == "?" || line == "moves") {
    show_legal_moves();
    ask(Ask::Move);
  } else if (line == "help") {
    screen_.println(kHelp);
    ask(Ask::Move);
  } else if (line == "board") {
    draw();
    ask(Ask::Move);
  } else if (line == "quit" || line == "resign" || line == "exit") {
    before_quit_ = Ask::Move;
    ask(Ask::ConfirmQuit);
  } else {
    const game::Position pos = session_.game().my_position();
    const PlannedMove plan = plan_move(pos, line);
    if (!plan.ok()) {
      screen_.println(fmt::format("Illegal move {}: {}.", trim(raw), plan.error));
      show_legal_moves();
      ask(Ask::Move);
      return;
    }
    screen_.println(fmt::format("You play {}.", trim(raw)));
    session_.play(plan.hops);
  }
}

void InteractivePlayer::handle_yes_no(Ask what, const std::string& raw) {
  const std::string line = lower(trim(raw));
  const bool default_yes = what != Ask::ConfirmQuit;
  bool yes = default_yes;
  if (line == "y" || line == "yes") {
    yes = true;
  } else if (line == "n" || line == "no") {
    yes = false;
  } else if (!line.empty()) {
    screen_.println("Please answer y or n.");
    ask(what);
    return;
  }
  switch (what) {
    case Ask::ConfirmQuit:
      if (yes) {
        session_.quit(kExitOk, "Logged out. Bye.");
      } else {
        ask(before_quit_);
      }
      return;
    case Ask::PlayAgain:
      if (!yes) {
        session_.quit(kExitOk, "Logged out. Bye.");
      } else if (session_.logged_in()) {
        session_.requeue();
      } else {
        session_.login(session_.credentials());
      }
      return;
    case Ask::Resign:
      if (yes) {
        session_.logout();
        screen_.println("You resigned this game.");
        ask(Ask::PlayAgain);
      } else {
        ask(Ask::Move);
      }
      return;
    default:
      return;
  }
}

void InteractivePlayer::request_quit() {
  before_quit_ = asking_;
  ask(Ask::ConfirmQuit);
}

// ---- session events ----

void InteractivePlayer::begin() { login_or_ask(); }

void InteractivePlayer::connected() {
  if (connected_once_) return;
  connected_once_ = true;
  screen_.println(fmt::format("Connected to the checkers server at {}.", session_.endpoint()));
}

void InteractivePlayer::login_or_ask() {
  if (config_.username) username_ = *config_.username;
  if (username_.empty()) {
    ask(Ask::Username);
  } else if (!config_.password) {
    ask(Ask::Password);
  } else {
    session_.login({username_, *config_.password});
  }
}

void InteractivePlayer::login_refused(proto::LoginFailure reason) {
  const std::string why = login_failure_text(reason);
  if (!config_.terminal_input) {
    session_.quit(kExitUsage, fmt::format("Login as '{}' refused: {}.", username_, why));
    return;
  }
  screen_.println(fmt::format("Login refused: {}. Please try again.", why));
  config_.password.reset();  // do not loop on a wrong --password
  config_.username.reset();
  ask(Ask::Username);
}

void InteractivePlayer::queued(const proto::QueuePosition& q) {
  if (!logged_in_once_) {
    logged_in_once_ = true;
    screen_.println(fmt::format("Logged in as {}. Your rating: {}.", username_, q.rating));
    screen_.println("Type help at any time for how to play.");
  }
  // Short enough for an 80-column terminal: it is rewritten in place.
  screen_.status(fmt::format("Waiting for an opponent: place {} of {} in the queue, your rating {}.",
                             q.queue_pos, q.queue_size, q.rating));
}

void InteractivePlayer::game_started() {
  colour_announced_ = false;
  highlight_.clear();
  screen_.println("");
  screen_.println(fmt::format("New game against {} (rating {}).", session_.game().opponent(),
                              session_.game().opponent_rating()));
}

std::string InteractivePlayer::player_name(Color c) const {
  return session_.game().my_color() == c ? "you" : session_.game().opponent();
}

void InteractivePlayer::move_seen(const MoveReport& report, proto::MsgType kind) {
  highlight_ = report.path;
  announce_colour();
  const std::string who = report.mover ? player_name(*report.mover) : "someone";
  const std::string what = describe_move(report);
  if (kind == proto::MsgType::CompulsoryMove) {
    screen_.println(fmt::format("Forced move, played by the server for {}: {}.", who, what));
  } else {
    screen_.println(fmt::format("{} played {}.", who, what));
  }
}

void InteractivePlayer::announce_colour() {
  if (colour_announced_ || !session_.game().my_color()) return;
  colour_announced_ = true;
  const Color me = *session_.game().my_color();
  screen_.println(fmt::format("You play {} ({}), at the bottom of the board{}.", colour_name(me),
                              me == Color::Black ? "b, kings B" : "w, kings W",
                              me == Color::Black ? "; you move first" : ""));
}

void InteractivePlayer::your_turn() {
  announce_colour();
  draw();
  const game::Position pos = session_.game().my_position();
  if (!game::has_legal_move(pos)) {
    screen_.println("You have no legal move. This server does not end a game when a side is blocked,");
    screen_.println("so the game cannot go on; you can resign (your rating does not change on such a server).");
    ask(Ask::Resign);
    return;
  }
  ask(Ask::Move);
}

void InteractivePlayer::board_changed() {
  announce_colour();
  draw();
}

void InteractivePlayer::move_rejected(const proto::Move& rejected) {
  (void)rejected;
  screen_.println("The server refused that move (its rules differ from this client's). Try another.");
  draw();
  ask(Ask::Move);
}

void InteractivePlayer::game_ended(const GameOutcome& outcome) {
  asking_ = Ask::Nothing;
  terminal_.set_echo(true);
  if (session_.game().board()) draw();
  std::string rating;
  if (outcome.old_rating && outcome.new_rating)
    rating = fmt::format(" Your rating: {} -> {}.", *outcome.old_rating, *outcome.new_rating);
  switch (outcome.result) {
    case GameOutcome::Result::Win:
      screen_.println(fmt::format("You won against {}!{}", outcome.opponent, rating));
      break;
    case GameOutcome::Result::Loss:
      screen_.println(fmt::format("You lost against {}.{}", outcome.opponent, rating));
      break;
    case GameOutcome::Result::Draw:
      screen_.println(fmt::format("The game against {} is over without a winner (draw).{}", outcome.opponent, rating));
      break;
    case GameOutcome::Result::OpponentLeft:
      screen_.println(fmt::format("{} left the game.", outcome.opponent));
      break;
    case GameOutcome::Result::Resigned:
      screen_.println("You resigned.");
      break;
  }
  ask(Ask::PlayAgain);
}

// ---- drawing ----

void InteractivePlayer::draw() {
  const auto& board = session_.game().board();
  const auto me = session_.game().my_color();
  if (!board || !me) return;
  RenderOptions opts;
  opts.ansi = config_.ansi;
  opts.highlight = highlight_;
  screen_.print("\n" + render_board(*board, *me, opts));
  screen_.println(status_text());
}

std::string InteractivePlayer::status_text() const {
  const GameTracker& g = session_.game();
  const Color me = g.my_color().value_or(Color::Black);
  const std::string mine =
      session_.my_rating() ? fmt::format("{}, {}", colour_name(me), *session_.my_rating()) : colour_name(me);
  std::string turn;
  if (!g.in_game())
    turn = "game over";
  else if (session_.state() == proto::State::UserMove)
    turn = "your turn";
  else
    turn = fmt::format("waiting for {}", g.opponent());
  return fmt::format("{} ({}) vs {} ({}, {}) | move {} | {}", username_, mine, g.opponent(),
                     colour_name(game::opponent(me)), g.opponent_rating(), g.moves() + 1, turn);
}

void InteractivePlayer::show_legal_moves() {
  const game::Position pos = session_.game().my_position();
  screen_.println(fmt::format("Legal moves: {}.", legal_move_list(pos)));
}

}  // namespace checkers::client
