#include "client/interactive.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <utility>

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

// What the person typed, cut for repeating it back.
std::string echo(const std::string& raw) {
  const std::string t = trim(raw);
  return t.size() <= 24 ? t : t.substr(0, 21) + "...";
}

bool is_word(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0;
  });
}

const char* colour_name(Color c) { return c == Color::Black ? "Black" : "White"; }

std::string clock_text(reactor::EventLoop::Clock::duration d) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return fmt::format("{}:{:02}", secs / 60, secs % 60);
}

// Every line at most 78 columns.
constexpr const char* kHelp =
    "How to play:\n"
    "  Type a move as the squares it goes through, with the numbers 1-32 of the\n"
    "  key beside the board: 11-15 moves the piece on 11 to 15; 22x15 jumps.\n"
    "  Coordinates work too: c3-d4, e3xc5. A multiple jump can be typed whole\n"
    "  (22x15x6) or one jump at a time. Captures are compulsory.\n"
    "  b/w are men, B/W kings; your pieces start at the bottom and move up.\n"
    "Commands:\n"
    "  ?         list your legal moves\n"
    "  board     draw the board again\n"
    "  history   all moves of this game\n"
    "  help      this text\n"
    "  resign    give up this game (it counts as a loss); asks first\n"
    "  quit      leave; in a game this resigns it, so it asks first\n"
    "  Ctrl-C, Ctrl-D   like quit; a second Ctrl-C confirms\n"
    "  Up/Down   earlier lines\n"
    "On servers that speak protocol v2:\n"
    "  draw, accept, decline   offer a draw, answer an offer\n"
    "  say TEXT  chat with your opponent ('TEXT too)   who   players online\n"
    "  challenge NAME, accept NAME, decline NAME   invite to a game, answer\n"
    "  rematch   play the last opponent again (colours swap)\n"
    "  games     fetch, show and save your recent games\n"
    "  list      games in progress; watch N / unwatch to watch one";

// A line starting with it is chat ('hi = say hi).
constexpr char kChatPrefix = '\'';

// The commands only protocol v2 has (first word of the line).
constexpr const char* kV2Commands[] = {"draw", "accept",    "decline", "say",
                                       "who",  "challenge", "rematch", "games",
                                       "list", "watch",     "unwatch"};

}  // namespace

std::string rating_change(uint32_t before, uint32_t after) {
  const long diff = static_cast<long>(after) - static_cast<long>(before);
  return fmt::format("{} -> {} ({}{})", before, after, diff >= 0 ? "+" : "", diff);
}

InteractivePlayer::InteractivePlayer(Session& session, Screen& screen, TerminalGuard& terminal,
                                     Config config)
    : session_(session), screen_(screen), terminal_(terminal), config_(std::move(config)) {}

InteractivePlayer::~InteractivePlayer() {
  if (ticker_ != 0) session_.loop().cancel(ticker_);
  if (draw_timer_ != 0) session_.loop().cancel(draw_timer_);
}

// ---- input ----

void InteractivePlayer::on_line(std::string line) {
  input_.push_back(std::move(line));
  pump();
}

void InteractivePlayer::on_eof() {
  if (config_.live_editor) {
    // Ctrl-D on an empty line: like quit.
    if (session_.game().in_game()) {
      request_leave(After::Exit);
    } else {
      screen_.println("");
      session_.quit(kExitOk, session_.logged_in() ? "Logged out. Bye." : "Bye.");
    }
    return;
  }
  eof_ = true;
  pump();
}

void InteractivePlayer::on_interrupt() {
  if (session_.finished()) return;
  if (session_.game().in_game()) {
    if (asking_ == Ask::ConfirmResign) {
      screen_.println("");
      resign_now();
      return;
    }
    request_leave(After::Exit);
    return;
  }
  screen_.println("");
  session_.quit(kExitOk, session_.logged_in() ? "Interrupted: logged out." : "Interrupted.");
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
    if (session_.game().in_game())
      session_.quit(kExitOk,
                    "End of input: you left the game, which counts as a loss. Logged out.");
    else
      session_.quit(kExitOk, session_.logged_in() ? "End of input: logged out." : "End of input.");
  }
}

void InteractivePlayer::ask(Ask what) {
  // The board a question is about comes before it (piped input is answered at once).
  if (draw_timer_ != 0) draw(false);
  asking_ = what;
  show_prompt();
  pump();
}

void InteractivePlayer::show_prompt() {
  switch (asking_) {
    case Ask::Nothing:
      screen_.prompt("");
      return;
    case Ask::Username:
      screen_.prompt(username_.empty() ? "Username: " : fmt::format("Username [{}]: ", username_));
      return;
    case Ask::Password:
      if (!config_.live_editor) terminal_.set_echo(false);
      screen_.prompt(fmt::format("Password for {}: ", username_), true);
      return;
    case Ask::Move: {
      const game::Position pos = session_.game().my_position();
      if (const auto cont = pos.continuing_piece()) {
        screen_.prompt(
            fmt::format("Continue capturing with the piece on {}: ", square_label(*cont)));
        return;
      }
      game::MoveList moves;
      game::generate_moves(pos, moves);
      const std::string example = moves.empty() ? "11-15" : moves[0].to_pdn();
      // A narrow terminal gets the short question (the whole one would be cut).
      screen_.prompt(screen_.width() >= 60
                         ? fmt::format("Your move (e.g. {}; ? = legal moves, help): ", example)
                         : fmt::format("Your move (e.g. {}): ", example));
      return;
    }
    case Ask::ConfirmQuit:
      screen_.prompt("Log out and quit? [y/N] ");
      return;
    case Ask::ConfirmResign:
      screen_.prompt("Resign this game? It counts as a loss. [y/N] ");
      return;
    case Ask::PlayAgain:
      screen_.prompt("Play again? [Y/n] ");
      return;
    case Ask::Resign:
      screen_.prompt("Resign this game (log out of it)? [Y/n] ");
      return;
    case Ask::LeaveDrawn:
      screen_.prompt("Leave the game as a draw? [y/N] ");
      return;
  }
}

void InteractivePlayer::handle(Ask what, const std::string& raw) {
  switch (what) {
    case Ask::Username:
      handle_username(raw);
      return;
    case Ask::Password:
      handle_password(raw);
      return;
    case Ask::Move:
      handle_move(raw);
      return;
    case Ask::ConfirmQuit:
    case Ask::ConfirmResign:
    case Ask::PlayAgain:
    case Ask::Resign:
    case Ask::LeaveDrawn:
      handle_yes_no(what, raw);
      return;
    case Ask::Nothing:
      handle_idle(raw);
      return;
  }
}

// Protocol v2 commands (the line as typed: chat text and names keep their case); true if
// the first word is one of them.
bool InteractivePlayer::handle_v2_command(const std::string& raw) {
  std::string line = trim(raw);
  if (line.size() > 1 && line.front() == kChatPrefix) line = "say " + line.substr(1);
  const size_t space = line.find(' ');
  const std::string word = lower(line.substr(0, space));
  const std::string rest = space == std::string::npos ? "" : trim(line.substr(space + 1));
  if (std::find(std::begin(kV2Commands), std::end(kV2Commands), word) == std::end(kV2Commands))
    return false;
  if (session_.version() != 2) {
    screen_.println(
        fmt::format("'{}' is not available: it needs protocol v2 and this connection speaks v1, "
                    "which has no draw offers, chat, lobby (who, challenge, rematch), game "
                    "records (games) or watching (list, watch, unwatch).",
                    word));
    return true;
  }
  // Invitations and watching are for a player between games (from the queue the client
  // leaves it first, and rejoins it when the invitation or the watching is over).
  const bool lobby = word == "challenge" || word == "rematch" || word == "watch" ||
                     ((word == "accept" || word == "decline") && !rest.empty());
  if (lobby && session_.game().in_game()) {
    screen_.println(fmt::format("'{}' is for between games: finish this one first.", word));
    return true;
  }
  if (lobby && session_.watching()) {
    screen_.println(fmt::format("'{}' is not possible while you watch: type unwatch first.", word));
    return true;
  }
  if (word == "draw") {
    screen_.println(session_.offer_draw() ? "Draw offered."
                                          : "There is no game to offer a draw in.");
  } else if ((word == "accept" || word == "decline") && rest.empty()) {
    const std::optional<std::string> inviter = session_.only_inviter();
    if (session_.answer_draw(word == "accept")) {
      if (word == "decline") screen_.println("You declined the draw offer: the game goes on.");
    } else if (inviter && !session_.game().in_game() && !session_.watching()) {
      session_.answer_challenge(*inviter, word == "accept");  // the one invitation open
    } else {
      screen_.println(
          "There is no draw offer to answer (to answer an invitation, add the name: accept NAME).");
    }
  } else if (word == "accept" || word == "decline") {
    if (!session_.answer_challenge(rest, word == "accept"))
      screen_.println("A name has 1 to 16 bytes.");
  } else if (word == "say" && !session_.can_chat()) {
    screen_.println(session_.watching()
                        ? "Watchers cannot chat: chat is between the two players of a game."
                        : "Nobody to chat with: chat is with your opponent, during a game and "
                          "after it.");
  } else if (word == "say" && session_.opponent_version() < 2) {
    screen_.println(session_.opponent_version() == 0
                        ? "The computer does not chat."
                        : "Your opponent's client speaks protocol v1, which has no chat.");
  } else if (word == "say") {
    if (rest.empty() || !session_.say(rest))
      screen_.println("Type say and the text (printable UTF-8).");
    else
      chat("you", std::string(proto::cut_chat_text(rest)));
  } else if (word == "who") {
    session_.who();
  } else if (word == "challenge") {
    const bool ok = !rest.empty() && session_.challenge(rest);
    screen_.println(ok ? fmt::format("Invitation sent to {}.", rest)
                       : "Type challenge and a player's name (see who).");
  } else if (word == "rematch") {
    session_.rematch();
    screen_.println(session_.game().opponent().empty()
                        ? "Rematch asked."
                        : fmt::format("Rematch asked of {}.", session_.game().opponent()));
  } else if (word == "games") {
    session_.fetch_games(proto::FetchGames::kLimit);
  } else if (word == "list") {
    session_.list_games();
  } else if (word == "watch") {
    uint32_t id = 0;
    const auto [end, err] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
    if (rest.empty() || err != std::errc() || end != rest.data() + rest.size())
      screen_.println("Type watch and a game number (see list).");
    else
      session_.watch(id);
  } else if (word == "unwatch") {
    if (!session_.unwatch()) screen_.println("You are not watching a game.");
  }
  return true;
}

// Commands that work at any prompt of a game or while waiting; true if handled.
bool InteractivePlayer::handle_command(const std::string& line) {
  if (line == "help") {
    screen_.println(kHelp);
  } else if (line == "board" && session_.game().display_board()) {
    draw();
  } else if (line == "history" || line == "moves") {
    show_history();
  } else if (line == "quit" || line == "exit" || line == "resign") {
    request_leave(line == "resign" ? After::PlayAgain : After::Exit);
  } else {
    return false;
  }
  return true;
}

void InteractivePlayer::handle_idle(const std::string& raw) {
  const std::string line = lower(trim(raw));
  if (line.empty()) return;
  if (handle_command(line)) return;
  if (handle_v2_command(raw)) {
    show_prompt();
    return;
  }
  if (is_word(line)) {
    screen_.println(fmt::format("Unknown command '{}'. Type help for the commands.", echo(raw)));
  } else if (session_.game().in_game()) {
    screen_.println(fmt::format("Please wait: it is {}'s turn.", session_.game().opponent()));
  } else {
    screen_.println("Please wait for an opponent (type quit to leave).");
  }
  show_prompt();
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
  if (!config_.live_editor) {
    terminal_.set_echo(true);
    if (terminal_.is_terminal()) screen_.newline_after_hidden_input();
  }
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
  } else if (line == "?") {
    show_legal_moves();
    ask(Ask::Move);
  } else if (handle_command(line)) {
    if (asking_ == Ask::Nothing) ask(Ask::Move);
  } else if (handle_v2_command(raw)) {
    ask(Ask::Move);
  } else if (is_word(line)) {
    screen_.println(fmt::format("Unknown command '{}'. Type help for the commands.", echo(raw)));
    ask(Ask::Move);
  } else {
    const game::Position pos = session_.game().my_position();
    const PlannedMove plan = plan_move(pos, line);
    if (!plan.ok()) {
      screen_.println(fmt::format("Illegal move {}: {}.", echo(raw), plan.error));
      show_legal_moves();
      ask(Ask::Move);
      return;
    }
    session_.play(plan.hops);
  }
}

void InteractivePlayer::handle_yes_no(Ask what, const std::string& raw) {
  const std::string line = lower(trim(raw));
  const bool default_yes = what == Ask::PlayAgain || what == Ask::Resign;
  bool yes = default_yes;
  if (line == "y" || line == "yes") {
    yes = true;
  } else if (line == "n" || line == "no") {
    yes = false;
  } else if (!line.empty()) {
    // After a game: rematch, games, who, say ... (v2) answer here too.
    if (what != Ask::PlayAgain || !handle_v2_command(raw)) screen_.println("Please answer y or n.");
    ask(what);
    return;
  }
  switch (what) {
    case Ask::ConfirmQuit:
      if (yes)
        session_.quit(kExitOk, "Logged out. Bye.");
      else
        ask(before_confirm_);
      return;
    case Ask::ConfirmResign:
      if (yes)
        resign_now();
      else
        ask(before_confirm_);
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
        after_resign_ = After::PlayAgain;
        resign_now();
      } else {
        ask(Ask::Move);
      }
      return;
    case Ask::LeaveDrawn:
      if (yes)
        leave_drawn();
      else
        ask(Ask::Move);
      return;
    default:
      return;
  }
}

// quit/resign/Ctrl-C/Ctrl-D: in a game this loses it, so ask; outside a game leave at once
// (quit typed asks, since it is typed, not pressed by accident).
void InteractivePlayer::request_leave(After after) {
  if (!session_.game().in_game()) {
    if (after == After::PlayAgain) {
      screen_.println("There is no game to resign.");
      show_prompt();
      return;
    }
    before_confirm_ = asking_;
    ask(Ask::ConfirmQuit);
    return;
  }
  if (asking_ != Ask::ConfirmResign) before_confirm_ = asking_;
  after_resign_ = after;
  ask(Ask::ConfirmResign);
}

void InteractivePlayer::resign_now() {
  asking_ = Ask::Nothing;
  if (after_resign_ != After::Exit && session_.resign()) {
    // v2: the server ends the game (GameOver2) and we stay logged in.
    screen_.println("Resigning...");
    return;
  }
  const GameOutcome outcome = session_.leave_game(false);
  if (after_resign_ == After::Exit) {
    screen_.println(
        fmt::format("You resigned: the game against {} counts as a loss.", outcome.opponent));
    if (config_.on_game_saved) {
      const std::string saved = config_.on_game_saved(session_.game(), outcome);
      if (!saved.empty()) screen_.println(saved);
    }
    session_.quit(kExitOk, "Logged out. Bye.");
    return;
  }
  game_ended(outcome);
}

void InteractivePlayer::leave_drawn() { game_ended(session_.leave_game(true)); }

// ---- session events ----

void InteractivePlayer::begin() {
  if (screen_.live()) {
    ticker_ = session_.loop().run_every(std::chrono::seconds(1), [this] { tick(); });
  }
  login_or_ask();
}

void InteractivePlayer::tick() {
  if (session_.finished()) return;
  screen_.status(status_text());
}

void InteractivePlayer::connected() {
  if (connected_once_) return;
  connected_once_ = true;
  if (config_.local) {
    screen_.println("A game against the computer on this machine: no server, not rated.");
    return;
  }
  screen_.println(fmt::format("Connected to the checkers server at {}.", session_.endpoint()));
}

// A first-use notice keeps its indented fingerprint lines (println wraps line by line).
void InteractivePlayer::security_notice(const std::string& text) { screen_.println(text); }

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
  if (!logged_in_once_ && config_.local) {
    logged_in_once_ = true;
    screen_.println("Type help at any time for how to play.");
  } else if (!logged_in_once_) {
    logged_in_once_ = true;
    screen_.println(fmt::format("Logged in as {}. Your rating: {}.", username_, q.rating));
    screen_.println("Type help at any time for how to play.");
  }
  if (rating_before_left_game_ && !config_.local) {
    screen_.println(fmt::format("Your rating after the last game: {}.",
                                rating_change(*rating_before_left_game_, q.rating)));
    rating_before_left_game_.reset();
  }
  if (!queued_since_) queued_since_ = session_.loop().now();
  if (config_.local) {
    queue_text_ = "Setting up the board";
    screen_.status(status_text());
    return;
  }
  queue_text_ = fmt::format("Waiting for an opponent: place {} of {}, your rating {}", q.queue_pos,
                            q.queue_size, q.rating);
  screen_.status(status_text());
}

void InteractivePlayer::game_started() {
  // A rematch or an accepted challenge starts while "Play again?" is still asked.
  if (asking_ == Ask::PlayAgain) ask(Ask::Nothing);
  colour_announced_.reset();
  drawn_offer_made_ = false;
  highlight_.clear();
  opponent_turn_since_ = session_.loop().now();
  queued_since_.reset();
  screen_.println("");
  if (config_.local)
    screen_.println(
        fmt::format("New game against {}. Black moves first.", session_.game().opponent()));
  else
    screen_.println(fmt::format("New game against {} (rating {}). Black moves first.",
                                session_.game().opponent(), session_.game().opponent_rating()));
  screen_.status(status_text());
}

std::string InteractivePlayer::player_name(Color c) const { return session_.game().name_of(c); }

void InteractivePlayer::ply_played(const Ply& ply) {
  announce_colour();
  highlight_ = ply.path;
  if (ply.mover == session_.game().my_color()) opponent_turn_since_ = session_.loop().now();
  const std::string who = player_name(ply.mover);
  screen_.println(fmt::format("{}{}: {}", ply.forced ? "forced for " : "", who, ply.description()));
  schedule_draw();
}

void InteractivePlayer::announce_colour() {
  const auto me = session_.game().my_color();
  if (session_.game().watched() || !me || colour_announced_ == me) return;
  colour_announced_ = me;
  screen_.println(fmt::format("You play {} ({}), at the bottom of the board{}.", colour_name(*me),
                              *me == Color::Black ? "b, kings B" : "w, kings W",
                              *me == Color::Black ? "; you move first" : ""));
}

void InteractivePlayer::your_turn() {
  announce_colour();
  schedule_draw();
  screen_.status(status_text());
  const game::Position pos = session_.game().my_position();
  if (!game::has_legal_move(pos)) {
    screen_.println(
        "You have no legal move. This server does not end a game when a side is blocked, so "
        "the game cannot go on; you can resign (your rating does not change on such a server).");
    ask(Ask::Resign);
    return;
  }
  if (asking_ == Ask::ConfirmResign) {
    // Still deciding whether to resign: the move is asked for after a "no".
    before_confirm_ = Ask::Move;
    return;
  }
  const game::GameStatus st = session_.game().record().status();
  if (st.kind == game::GameStatus::Draw && !drawn_offer_made_) {
    drawn_offer_made_ = true;
    screen_.println(fmt::format(
        "The game is drawn by the rules ({}), but this server does not end it.",
        st.reason == game::GameStatus::Repetition ? "the same position three times"
                                                  : "40 moves each without a capture or man move"));
    ask(Ask::LeaveDrawn);
    return;
  }
  ask(Ask::Move);
}

void InteractivePlayer::board_changed() {
  announce_colour();
  schedule_draw();
  screen_.status(status_text());
}

void InteractivePlayer::move_rejected(const proto::Move& rejected) {
  (void)rejected;
  screen_.println(
      "The server refused that move (its rules differ from this client's). Try another.");
  ask(Ask::Move);
}

void InteractivePlayer::game_ended(const GameOutcome& outcome) {
  asking_ = Ask::Nothing;
  if (!config_.live_editor) terminal_.set_echo(true);
  if (draw_timer_ != 0) draw(false);  // the last move's board, before the result
  std::string said;
  switch (outcome.result) {
    case GameOutcome::Result::Win:
      said = fmt::format("You won against {}: {}.", outcome.opponent, outcome.cause);
      break;
    case GameOutcome::Result::Loss:
      said = fmt::format("You lost against {}: {}.", outcome.opponent, outcome.cause);
      break;
    case GameOutcome::Result::Draw:
      said = fmt::format("Draw against {}: {}.", outcome.opponent, outcome.cause);
      break;
    case GameOutcome::Result::OpponentLeft:
      rating_before_left_game_ = session_.my_rating();
      said = fmt::format("{} left the game: you win (leaving a game loses it).", outcome.opponent);
      if (!config_.local && !outcome.reason) said += "\nYour new rating shows when you play again.";
      break;
    case GameOutcome::Result::Resigned:
      rating_before_left_game_ = session_.my_rating();
      said = fmt::format("You resigned: the game against {} counts as a loss.", outcome.opponent);
      break;
    case GameOutcome::Result::Unfinished:
      if (outcome.reason) {  // v2 tells: the server shut down
        said = fmt::format("The game against {} ended without a result: {}.", outcome.opponent,
                           outcome.cause);
        break;
      }
      said =
          fmt::format("Draw against {}: {}; the server does not end such games, so {} left it.",
                      outcome.opponent, outcome.cause, outcome.we_left ? "you" : outcome.opponent);
      break;
  }
  // The rating on a line of its own: the first line must fit a narrow terminal.
  if (outcome.old_rating && outcome.new_rating && !config_.local &&
      outcome.result != GameOutcome::Result::Unfinished)
    said +=
        fmt::format("\nYour rating: {}.", rating_change(*outcome.old_rating, *outcome.new_rating));
  screen_.println(said);
  if (config_.on_game_saved) {
    const std::string saved = config_.on_game_saved(session_.game(), outcome);
    if (!saved.empty()) screen_.println(saved);
  }
  screen_.status(status_text());
  ask(Ask::PlayAgain);
}

// ---- drawing ----

// Several events of one server message each want the board: draw it once, after them.
void InteractivePlayer::schedule_draw() {
  if (draw_timer_ != 0) return;
  draw_timer_ = session_.loop().run_after(reactor::EventLoop::Clock::duration::zero(), [this] {
    draw_timer_ = 0;
    if (!session_.finished()) draw(false);
  });
}

void InteractivePlayer::redraw() {
  screen_.status(status_text());
  if (session_.game().display_board()) draw();
}

void InteractivePlayer::draw(bool force) {
  if (draw_timer_ != 0) session_.loop().cancel(std::exchange(draw_timer_, 0));
  const auto board = session_.game().display_board();
  const auto me = session_.game().my_color();
  if (!board || !me) return;
  RenderOptions opts;
  opts.ansi = config_.ansi;
  opts.highlight = highlight_;
  opts.width = screen_.width();
  opts.key = screen_.width() >= 60;
  const GameRecord& record = session_.game().record();
  const int room = screen_.width() - 1 - board_columns(opts.key) - 2;
  const bool beside = room >= 14;
  if (beside) {
    opts.side = side_move_lines(session_.game().record().move_list(), room);
  }
  std::string text = "\n" + render_board(*board, *me, opts);
  if (!beside && !record.plies().empty())
    text += wrapped("Last moves: " + record.move_list(2), "  ") + "\n";
  // Several server messages in a row may leave the same board: draw it once.
  if (!force && text == last_drawn_ && screen_.prints() == prints_at_last_draw_) return;
  screen_.print(text);
  last_drawn_ = text;
  prints_at_last_draw_ = screen_.prints();
}

std::string InteractivePlayer::status_text() const {
  const GameTracker& g = session_.game();
  const auto now = session_.loop().now();
  if (session_.watching()) return watching_status();
  if (!g.in_game() || !g.my_color()) {
    if (g.in_game())
      return fmt::format("Game against {}: waiting for the first move", g.opponent());
    if (session_.state() != proto::State::InQueue) return {};
    return screen_.live() && queued_since_ ? queue_text_ + " | " + clock_text(now - *queued_since_)
                                           : queue_text_;
  }
  // What matters most first: a narrow terminal cuts the end.
  const Color me = *g.my_color();
  std::string turn = g.my_turn() ? "Your turn" : fmt::format("{}'s turn", g.opponent());
  const auto since = g.my_turn() ? session_.turn_started() : opponent_turn_since_;
  const Session::Clocks clocks = session_.clocks();
  const auto my_ms = me == Color::Black ? clocks.black_ms : clocks.white_ms;
  const auto their_ms = me == Color::Black ? clocks.white_ms : clocks.black_ms;
  if (session_.version() == 2 && my_ms && their_ms) {
    // Both clocks, the side to move's counting down.
    turn += fmt::format(" | you {} {} {}", clock_text(std::chrono::milliseconds(*my_ms)),
                        g.opponent(), clock_text(std::chrono::milliseconds(*their_ms)));
  } else if (screen_.live() && since) {
    turn += " " + clock_text(now - *since);
  }
  if (config_.local)
    return fmt::format("{} | move {} | you {} vs {} {}", turn, g.moves(), colour_name(me),
                       g.opponent(), colour_name(game::opponent(me)));
  const std::string mine =
      session_.my_rating() ? fmt::format(" {}", *session_.my_rating()) : std::string();
  const std::string watched =
      session_.watchers() > 0 ? fmt::format(" | {} watching", session_.watchers()) : std::string();
  // Who watches matters more than the colours and ratings the board and the game start show.
  return fmt::format("{} | move {}{} | you {}{} vs {} {} {}", turn, g.moves(), watched,
                     colour_name(me), mine, g.opponent(), colour_name(game::opponent(me)),
                     g.opponent_rating());
}

// A watched game: both players' clocks (a narrow terminal cuts the end), whose turn, the
// move, the watchers and the ratings.
std::string InteractivePlayer::watching_status() const {
  const GameTracker& g = session_.game();
  const Session::Clocks clocks = session_.clocks();
  const auto side = [&](Color c) {
    const auto ms = c == Color::Black ? clocks.black_ms : clocks.white_ms;
    return fmt::format("{} {}{}", colour_name(c), g.name_of(c),
                       ms ? " " + clock_text(std::chrono::milliseconds(*ms)) : std::string());
  };
  const Color to_move = g.record().position().side_to_move();
  return fmt::format("Watching: {}, {} | {}'s turn | move {} | {} watching | ratings {}, {}",
                     side(Color::Black), side(Color::White), g.name_of(to_move), g.moves(),
                     session_.watchers(), g.rating_of(Color::Black), g.rating_of(Color::White));
}

std::string InteractivePlayer::wrapped(const std::string& text,
                                       const std::string& separator) const {
  return wrap_text(text, screen_.width() - 1, separator, "  ");
}

void InteractivePlayer::show_legal_moves() {
  const game::Position pos = session_.game().my_position();
  screen_.println(wrapped(fmt::format("Legal moves: {}.", legal_move_list(pos)), ", "));
}

void InteractivePlayer::show_history() {
  const std::string moves = session_.game().record().move_list();
  screen_.println(moves.empty() ? "No moves yet." : wrapped("Moves: " + moves, "  "));
}

}  // namespace checkers::client

namespace checkers::client {

// ---- protocol v2 events: lines above the prompt, never inside the board ----

void InteractivePlayer::draw_offered() {
  screen_.println(
      fmt::format("{} offers a draw: type accept or decline.", session_.game().opponent()));
  show_prompt();
}

void InteractivePlayer::chat(const std::string& from, const std::string& text) {
  screen_.println(fmt::format("<{}> {}", from, text));
  show_prompt();
}

void InteractivePlayer::notice(const std::string& text) {
  screen_.println(text);
  show_prompt();
}

void InteractivePlayer::game_fetched(const GameTracker& game, const GameOutcome& outcome) {
  std::string when;
  if (outcome.ended_at) {
    std::tm tm{};
    ::localtime_r(&*outcome.ended_at, &tm);
    when = fmt::format(" ({:04}-{:02}-{:02} {:02}:{:02})", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min);
  }
  const std::string moves = game.record().move_list();
  const char* result = outcome.winner ? (outcome.winner == game.my_color() ? "win" : "loss")
                       : outcome.result == GameOutcome::Result::Unfinished ? "no result"
                                                                           : "draw";
  screen_.println(
      fmt::format("Game against {}{}: {}, {}.", outcome.opponent, when, result, outcome.cause));
  screen_.println(moves.empty() ? "  No moves." : wrapped("  Moves: " + moves, "  "));
  if (config_.on_game_saved) {
    const std::string saved = config_.on_game_saved(game, outcome);
    if (!saved.empty()) screen_.println("  " + saved);
  }
  show_prompt();
}

void InteractivePlayer::watch_started() {
  // Watching from the "Play again?" question: it is asked again when the watching ends.
  if (asking_ == Ask::PlayAgain) ask(Ask::Nothing);
  highlight_.clear();
  queued_since_.reset();
  const GameTracker& g = session_.game();
  const Color to_move = g.record().position().side_to_move();
  screen_.println("");
  screen_.println(fmt::format(
      "Watching {} ({}, Black, at the bottom) against {} ({}, White): move {}, {} to move. "
      "Type unwatch to stop.",
      g.name_of(Color::Black), g.rating_of(Color::Black), g.name_of(Color::White),
      g.rating_of(Color::White), g.moves(), g.name_of(to_move)));
  screen_.status(status_text());
}

void InteractivePlayer::watch_ended(const GameOutcome* outcome, bool requeued) {
  if (draw_timer_ != 0) draw(false);  // the last move's board, before the result
  const GameTracker& g = session_.game();
  std::string said = "You stopped watching.";
  if (outcome) {
    said = outcome->winner ? fmt::format("The watched game is over: {} won, {}.",
                                         g.name_of(*outcome->winner), outcome->cause)
           : outcome->result == GameOutcome::Result::Unfinished
               ? fmt::format("The watched game ended without a result: {}.", outcome->cause)
               : fmt::format("The watched game is over: a draw, {}.", outcome->cause);
    if (const auto& r = outcome->ratings; r && outcome->result != GameOutcome::Result::Unfinished)
      said += fmt::format("\nRatings: {} {}, {} {}.", g.name_of(Color::Black),
                          rating_change(r->black_old, r->black_new), g.name_of(Color::White),
                          rating_change(r->white_old, r->white_new));
  }
  if (requeued) said += "\nBack to the queue.";
  screen_.println(said);
  screen_.status(status_text());
  if (!requeued) ask(Ask::PlayAgain);
}

}  // namespace checkers::client
