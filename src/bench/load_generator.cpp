#include "bench/load_generator.hpp"

#ifdef CHECKERS_HAVE_TLS
#include "reactor/tls_context.hpp"
#endif

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <type_traits>
#include <variant>

#include "game/movegen.hpp"
#include "proto/board_mapping.hpp"

extern char** environ;

namespace checkers::bench {

using namespace std::chrono_literals;
using Clock = reactor::EventLoop::Clock;
using proto::MsgType;

namespace {

constexpr auto kConnectTimeout = 10s;
constexpr auto kChildPoll = 20ms;
constexpr auto kMinLoginCycle = 125ms;
constexpr auto kMinRequeueGap = 62500us;  // <= 16 ReQueues (session commands) per second
// Games in progress are sampled this often during a play window.
constexpr auto kSampleInterval = 10ms;
// A play window waits at most this long for its games to be in progress.
constexpr auto kSettleTimeout = 5s;
// A QueuePosition arriving this long after the previous one starts a new broadcast tick.
constexpr double kTickGapMs = 300.0;

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Usable ephemeral ports of one source address (ip_local_port_range, minus a margin).
size_t ports_per_address() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  long lo = 32768, hi = 60999;
  in >> lo >> hi;
  const long n = hi - lo + 1;
  return n > 2000 ? static_cast<size_t>(n - 1000) : 1000;
}

bool loopback_host(const std::string& host) {
  return host.rfind("127.", 0) == 0 || host == "localhost";
}

template <size_t N>
void send_bytes(const reactor::TcpConnectionPtr& conn, const std::array<uint8_t, N>& bytes,
                size_t n = N) {
  if (conn) conn->send(bytes.data(), n);
}

template <class T>
void send_message(const reactor::TcpConnectionPtr& conn, const T& m) {
  std::array<uint8_t, T::kSize> bytes{};
  const size_t n = m.encode(bytes);
  if (n > 0) send_bytes(conn, bytes, n);
}

double median_of(std::vector<uint32_t> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

game::Color colour_of(Side s) {
  return s == Side::Primary ? game::Color::Black : game::Color::White;
}

}  // namespace

const char* to_string(Mode m) {
  switch (m) {
    case Mode::Play:
      return "play";
    case Mode::Idle:
      return "idle";
    case Mode::Login:
      return "login";
  }
  return "?";
}

LoadGenerator::LoadGenerator(reactor::EventLoop& loop, BenchOptions options)
    : loop_(loop), opt_(std::move(options)), rng_(opt_.seed) {
  player_count_ = opt_.connections;
  if (opt_.mode == Mode::Play) {
    target_games_ = opt_.games > 0 ? std::min(opt_.games, player_count_ / 2) : player_count_ / 2;
    if (opt_.protocol < 2) opt_.watchers = 0;
  } else {
    opt_.watchers = 0;
    opt_.protocol = 1;
  }
  const size_t total = player_count_ + opt_.watchers * target_games_;
  players_.resize(total);
  names_.reserve(total);
  for (size_t i = 0; i < total; ++i) {
    names_.push_back(opt_.name_prefix + std::to_string(opt_.first_id + i));
    players_[i].watcher = i >= player_count_;
  }
  if (opt_.sources > 0) {
    sources_ = opt_.sources;
  } else {
    const size_t per = ports_per_address();
    sources_ = (total + per - 1) / per;
  }
  if (!loopback_host(opt_.host) || sources_ == 0) sources_ = 1;
#ifdef CHECKERS_HAVE_TLS
  if (opt_.tls) {
    reactor::TlsContext::ClientPolicy any;
    any.check_fingerprint = [](const std::string&) { return true; };
    tls_ = reactor::TlsContext::client(std::move(any));
  }
#endif
  sources_ = std::min<size_t>(sources_, 254);
  if (opt_.server_pid > 0) {
    server_cpu_window_ = std::make_unique<CpuMeter>(opt_.server_pid);
    server_cpu_second_ = std::make_unique<CpuMeter>(opt_.server_pid);
  }
  summary_.mode = opt_.mode;
  summary_.requested = total;
  summary_.games_target = target_games_;
}

LoadGenerator::~LoadGenerator() {
  stopping_ = true;
  for (Player& p : players_) {
    p.connector.reset();
    if (p.conn) p.conn->close();
  }
}

void LoadGenerator::note(const std::string& text) const {
  if (note_cb_) note_cb_(text);
}

RunSummary LoadGenerator::run() {
  start_setup();
  loop_.run();
  stopping_ = true;
  summary_.bench_rss_kib = rss_kib(0).value_or(-1);
  return summary_;
}

// ---- set-up ----------------------------------------------------------------------------

void LoadGenerator::start_setup() {
  if (opt_.server_pid > 0) summary_.server_rss_before_kib = rss_kib(opt_.server_pid).value_or(-1);
  setup_start_ = Clock::now();
  note("set-up: " + std::to_string(players_.size()) + " connections from " +
       std::to_string(sources_) + " source address(es)");
  const auto limit = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(opt_.setup_timeout_s));
  setup_timer_ = loop_.run_after(limit, [this] {
    setup_timer_ = 0;
    note("set-up timed out; measuring with what is ready");
    finish_setup();
  });
  if (players_.empty()) {
    loop_.defer([this] { finish_setup(); });
    return;
  }
  launch_next();
}

void LoadGenerator::launch_next() {
  const size_t window = std::max<size_t>(1, opt_.login_window);
  while (!setup_finished_ && in_flight_ < window && next_to_launch_ < players_.size()) {
    ++in_flight_;
    connect(next_to_launch_++);
  }
}

std::string LoadGenerator::source_address(size_t i) const {
  return "127.0.0." + std::to_string(1 + i % sources_);
}

void LoadGenerator::connect(size_t i) {
  set_phase(i, Phase::Connecting);
  dial(i);
}

void LoadGenerator::dial(size_t i) {
  Player& p = players_[i];
  p.connector = std::make_unique<reactor::TcpConnector>(
      loop_, opt_.host, opt_.port,
      std::chrono::duration_cast<std::chrono::milliseconds>(kConnectTimeout));
  if (sources_ > 1) p.connector->set_local_address(source_address(i));
  p.connector->connect([this, i](reactor::TcpConnectionPtr conn) { connected(i, conn); },
                       [this, i](const std::string& why) { connect_failed(i, why); });
}

void LoadGenerator::connected(size_t i, const reactor::TcpConnectionPtr& conn) {
  Player& p = players_[i];
  p.conn = conn;
  p.connects = 0;
  conn->set_message_callback(
      [this, i](const reactor::TcpConnectionPtr&, reactor::Buffer& in) { on_bytes(i, in); });
  conn->set_close_callback([this, i](const reactor::TcpConnectionPtr& c) { on_closed(i, c); });
  conn->set_tcp_nodelay(true);
#ifdef CHECKERS_HAVE_TLS
  // The Connect sent below waits in the output buffer until the handshake is done.
  if (tls_) conn->set_transport(tls_->connect(conn->fd(), opt_.host));
#endif
  conn->start();
  // The connector may not be destroyed from inside its own callback.
  loop_.defer([this, i] { players_[i].connector.reset(); });
  if (opt_.mode == Mode::Login) {
    const bool redialed = p.phase == Phase::Redialing;
    set_phase(i, Phase::Off);  // connected, not logged in: the window logs in
    if (redialed)
      owe_or_do(i, Owed::Login);
    else
      setup_step_done(i, true);
  } else {
    send_login(i);
  }
}

void LoadGenerator::connect_failed(size_t i, const std::string& why) {
  if (summary_.setup_errors == 0) note("connect failed: " + why);
  if (players_[i].phase == Phase::Redialing) error(i);
  set_phase(i, Phase::Closed);
  loop_.defer([this, i] { players_[i].connector.reset(); });
  setup_step_done(i, false);
}

void LoadGenerator::send_login(size_t i) {
  Player& p = players_[i];
  proto::Connect c;
  c.version = opt_.protocol;
  c.username = proto::Str16(names_[i]);
  c.password = proto::Str16(opt_.password);
  std::array<uint8_t, proto::Connect::kSize> bytes{};
  if (c.encode(bytes) == 0) return;
  p.dfa.reset();
  // The client's end takes the version when it sends Connect (the answer is v2 already).
  p.dfa.set_version(opt_.protocol);
  p.decoder.set_version(opt_.protocol);
  p.dfa.on_send(MsgType::Connect);
  set_phase(i, Phase::LoggingIn);
  p.login_sent = Clock::now();
  send_bytes(p.conn, bytes);
}

void LoadGenerator::setup_step_done(size_t, bool ok) {
  if (setup_finished_) return;
  --in_flight_;
  ++setup_done_;
  if (ok)
    ++summary_.ready;
  else
    ++summary_.setup_errors;
  if (setup_done_ == players_.size()) {
    finish_setup();
    return;
  }
  launch_next();
}

void LoadGenerator::finish_setup() {
  if (setup_finished_) return;
  setup_finished_ = true;
  if (setup_timer_ != 0) loop_.cancel(setup_timer_);
  setup_timer_ = 0;
  summary_.setup_seconds = std::chrono::duration<double>(Clock::now() - setup_start_).count();
  note("set-up done: " + std::to_string(summary_.ready) + " ready, " +
       std::to_string(summary_.setup_errors) + " failed, " +
       std::to_string(summary_.setup_seconds) + " s");
  if (summary_.ready == 0) {
    loop_.quit();  // nothing to measure
    return;
  }
  start_window();
}

// ---- traffic ---------------------------------------------------------------------------

void LoadGenerator::on_bytes(size_t i, reactor::Buffer& in) {
  const Clock::time_point now = loop_.now();
  Player& p = players_[i];
  const proto::FeedResult r =
      p.decoder.feed(in.readable(), [&](const proto::Message& m) { on_message(i, m, now); });
  in.retrieve(r.consumed);
  if (r.status == proto::DecodeStatus::UnknownType) {
    error(i);
    if (p.conn) p.conn->close();
  }
}

void LoadGenerator::on_message(size_t i, const proto::Message& m, Clock::time_point now) {
  Player& p = players_[i];
  const MsgType type = proto::type_of(m);
  if (p.phase == Phase::Closed) return;
  if (opt_.mode == Mode::Login) {
    // Between LogOut and the next reply the server may still deliver what it sent
    // before it saw the LogOut (a pairing, a tick): only the Connect replies matter.
    if (p.phase != Phase::LoggingIn) return;
    if (type == MsgType::QueuePosition)
      on_login_reply(i, true, now);
    else if (type == MsgType::InvalidLogin || type == MsgType::InvalidVersion)
      on_login_reply(i, false, now);
    return;
  }
  if (p.dfa.on_receive(type).verdict == proto::Verdict::Violation) {
    error(i);
    p.conn->close();
    return;
  }
  if (opt_.protocol >= 2) {
    on_message_v2(i, m, now);
    return;
  }
  // The first message caused by a MakeMove settles it, whichever player it reaches.
  if (p.opponent >= 0) settle_move(static_cast<size_t>(p.opponent), now);
  if (type != MsgType::InvalidMove) settle_move(i, now);

  switch (type) {
    case MsgType::QueuePosition:
      if (p.phase == Phase::LoggingIn)
        on_login_reply(i, true, now);
      else
        on_queue_position(i, now);
      break;
    case MsgType::InvalidLogin:
    case MsgType::InvalidVersion:
      on_login_reply(i, false, now);
      break;
    case MsgType::GameStart:
      on_game_start(i, std::get<proto::GameStart>(m).opponent_name.view());
      break;
    case MsgType::YourTurn:
      on_your_turn(i, std::get<proto::YourTurn>(m));
      break;
    case MsgType::CompulsoryMove:
      if (p.side == Side::Unknown) p.side = Side::Secondary;  // the primary starts with YourTurn
      p.continuing = {};
      break;
    case MsgType::InvalidMove:
      on_invalid_move(i, std::get<proto::InvalidMove>(m));
      break;
    case MsgType::GameOver:
      on_game_end(i, true);
      break;
    case MsgType::OpponentDisconnect:
      on_game_end(i, false);
      break;
    default:
      break;
  }
}

// Protocol 2 (docs/PROTOCOL-v2.md §6): GameStart2 names the colour, YourTurn2 asks for
// a whole move, MoveMade confirms it to both players (and the watchers).
void LoadGenerator::on_message_v2(size_t i, const proto::Message& m, Clock::time_point now) {
  Player& p = players_[i];
  const MsgType type = proto::type_of(m);
  if (type == MsgType::Welcome && p.phase == Phase::LoggingIn) {
    on_login_reply(i, true, now);
    return;
  }
  if (type == MsgType::InvalidLogin || type == MsgType::InvalidVersion) {
    on_login_reply(i, false, now);
    return;
  }
  if (p.watcher) {
    on_watcher_message(i, type);
    return;
  }
  // WatcherCount reaches the players when a watcher comes or goes: no MakeMove caused it.
  if (type != MsgType::WatcherCount) {
    if (p.opponent >= 0) settle_move(static_cast<size_t>(p.opponent), now);
    if (type != MsgType::InvalidMove2) settle_move(i, now);
  }
  switch (type) {
    case MsgType::QueuePosition:
      on_queue_position(i, now);
      break;
    case MsgType::GameStart2: {
      const auto& g = std::get<proto::GameStart2>(m);
      on_game_start(i, g.opponent_name.view());
      p.side = g.colour == proto::Colour::Primary ? Side::Primary : Side::Secondary;
      if (p.side == Side::Primary) send_watchers(g.game_id);  // once per game
      break;
    }
    case MsgType::YourTurn2:
      on_your_turn2(i, std::get<proto::YourTurn2>(m));
      break;
    case MsgType::InvalidMove2:
      ++window_counts_.invalid_moves;
      ++second_counts_.invalid_moves;
      error(i);
      p.board = std::get<proto::InvalidMove2>(m).board;
      if (++p.retries <= 8 && opt_.mode == Mode::Play) owe_or_do(i, Owed::Move);
      break;
    case MsgType::GameOver2:
      on_game_end(i, true);
      break;
    default:
      break;  // MoveMade (the board comes with the next YourTurn2), WatcherCount
  }
}

void LoadGenerator::on_watcher_message(size_t i, MsgType type) {
  switch (type) {
    case MsgType::WatchStart:
      set_phase(i, Phase::Watching);
      ++window_counts_.watch_starts;
      ++second_counts_.watch_starts;
      break;
    case MsgType::WatchRefused:  // the game ended before the Watch arrived
      ++window_counts_.watch_refused;
      ++second_counts_.watch_refused;
      set_phase(i, Phase::GameEnd);
      idle_watchers_.push_back(i);
      break;
    case MsgType::MoveMade:
      if (measuring_) {
        ++window_counts_.watched_moves;
        ++second_counts_.watched_moves;
      }
      break;
    case MsgType::GameOver2:
      set_phase(i, Phase::GameEnd);
      idle_watchers_.push_back(i);
      break;
    default:
      break;
  }
}

void LoadGenerator::on_login_reply(size_t i, bool ok, Clock::time_point now) {
  Player& p = players_[i];
  if (!ok) {
    error(i);
    set_phase(i, Phase::Closed);
    if (!setup_finished_) setup_step_done(i, false);
    if (p.conn) p.conn->close();
    return;
  }
  if (opt_.mode == Mode::Login) {
    set_phase(i, Phase::Queued);
    if (measuring_) {
      ++window_counts_.logins;
      ++second_counts_.logins;
      window_counts_.latency.record(now - p.login_sent);
      second_counts_.latency.record(now - p.login_sent);
    }
    owe_or_do(i, Owed::Login);
    return;
  }
  p.last_qp = now;
  if (opt_.protocol >= 2) {
    // Welcome: idle, not queued. Players rest until a game needs them.
    set_phase(i, Phase::GameEnd);
    if (p.watcher)
      idle_watchers_.push_back(i);
    else
      rest(i);
  } else {
    set_phase(i, Phase::Queued);  // a v1 login queues the player
  }
  if (!setup_finished_) setup_step_done(i, true);
}

void LoadGenerator::on_queue_position(size_t i, Clock::time_point now) {
  Player& p = players_[i];
  if (p.phase == Phase::GameEnd) set_phase(i, Phase::Queued);  // v2: the ReQueue's answer
  if (!measuring_) {
    p.last_qp = now;
    return;
  }
  ++window_counts_.queue_positions;
  ++second_counts_.queue_positions;
  max_gap_ms_ = std::max(max_gap_ms_, ms_between(p.last_qp, now));
  p.last_qp = now;
  if (!tick_open_ || ms_between(tick_last_, now) > kTickGapMs) {
    if (tick_open_) tick_spreads_ms_.push_back(ms_between(tick_first_, tick_last_));
    tick_open_ = true;
    tick_first_ = now;
  }
  tick_last_ = now;
}

bool LoadGenerator::is_ours(std::string_view name, size_t& index) const {
  if (name.substr(0, opt_.name_prefix.size()) != opt_.name_prefix) return false;
  const std::string_view digits = name.substr(opt_.name_prefix.size());
  size_t id = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return false;
  if (id < opt_.first_id || id - opt_.first_id >= player_count_) return false;
  index = id - opt_.first_id;
  return true;
}

void LoadGenerator::on_game_start(size_t i, std::string_view opponent_name) {
  Player& p = players_[i];
  set_phase(i, Phase::InGame);
  p.side = Side::Unknown;
  p.continuing = {};
  p.last_landing = {};
  p.retries = 0;
  p.move_pending = false;
  size_t opp = 0;
  p.opponent = is_ours(opponent_name, opp) ? static_cast<int32_t>(opp) : -1;
}

void LoadGenerator::on_your_turn(size_t i, const proto::YourTurn& m) {
  Player& p = players_[i];
  if (p.side == Side::Unknown)
    p.side = m.last_move == proto::kFirstTurnSentinel ? Side::Primary : Side::Secondary;
  p.board = m.board;
  p.continuing = continuing_piece(p.board, p.side, m.last_move);
  p.retries = 0;
  if (opt_.mode == Mode::Play) owe_or_do(i, Owed::Move);
}

void LoadGenerator::on_your_turn2(size_t i, const proto::YourTurn2& m) {
  Player& p = players_[i];
  p.board = m.board;
  p.retries = 0;
  if (opt_.mode == Mode::Play) owe_or_do(i, Owed::Move);
}

void LoadGenerator::on_invalid_move(size_t i, const proto::InvalidMove& m) {
  Player& p = players_[i];
  p.move_pending = false;
  ++window_counts_.invalid_moves;
  ++second_counts_.invalid_moves;
  error(i);
  p.board = m.board;
  // Mid-capture only the piece that just jumped may go on: try that first.
  p.continuing = (p.retries == 0 && p.last_landing.valid()) ? p.last_landing : Square8{};
  if (++p.retries > 8) return;  // give up: the turn timeout ends this game
  if (opt_.mode == Mode::Play) owe_or_do(i, Owed::Move);
}

void LoadGenerator::on_game_end(size_t i, bool game_over) {
  Player& p = players_[i];
  if (measuring_) {
    if (game_over) {
      ++window_counts_.games_x2;
      ++second_counts_.games_x2;
    } else {
      ++window_counts_.opponent_disconnects;
      ++second_counts_.opponent_disconnects;
    }
  }
  set_phase(i, Phase::GameEnd);
  p.opponent = -1;
  p.move_pending = false;
  p.owed = Owed::Nothing;
  if (opt_.mode != Mode::Play) return;
  rest(i);
  refill();
}

void LoadGenerator::on_closed(size_t i, const reactor::TcpConnectionPtr& conn) {
  Player& p = players_[i];
  if (conn != p.conn) return;  // a connection this player already left (redial)
  const bool was_setup = p.phase == Phase::Connecting || p.phase == Phase::LoggingIn;
  p.conn.reset();
  if (stopping_ || p.phase == Phase::Closed) {
    set_phase(i, Phase::Closed);
    return;
  }
  set_phase(i, Phase::Closed);
  ++window_counts_.disconnects;
  ++second_counts_.disconnects;
  error(i);
  if (was_setup && !setup_finished_) setup_step_done(i, false);
  if (opt_.mode == Mode::Play) refill();  // its place in the games is free
}

void LoadGenerator::error(size_t) {
  ++window_counts_.errors;
  ++second_counts_.errors;
}

// Every phase change goes through here, so the counts of players queued or in a game
// (what keeps exactly N games in progress) and of watchers watching cannot drift.
void LoadGenerator::set_phase(size_t i, Phase phase) {
  Player& p = players_[i];
  const auto engaged = [](Phase ph) { return ph == Phase::Queued || ph == Phase::InGame; };
  if (p.watcher) {
    watching_ -= p.phase == Phase::Watching;
    watching_ += phase == Phase::Watching;
  } else {
    engaged_ -= engaged(p.phase);
    engaged_ += engaged(phase);
    in_game_ -= p.phase == Phase::InGame;
    in_game_ += phase == Phase::InGame;
    if (measuring_) most_games_ = std::max(most_games_, in_game_ / 2);
  }
  p.phase = phase;
}

void LoadGenerator::settle_move(size_t mover, Clock::time_point now) {
  Player& p = players_[mover];
  // `now` is when this iteration's poll returned: a message read in the iteration that
  // sent the MakeMove was already here before it, so it cannot be the answer.
  if (!p.move_pending || now < p.move_sent) return;
  p.move_pending = false;
  if (!measuring_) return;
  ++window_counts_.moves;
  ++second_counts_.moves;
  const auto d = now - p.move_sent;
  window_counts_.latency.record(d);
  second_counts_.latency.record(d);
}

void LoadGenerator::owe_or_do(size_t i, Owed what) {
  Player& p = players_[i];
  if (paused_) {
    p.owed = what;
    return;
  }
  p.owed = Owed::Nothing;
  switch (what) {
    case Owed::Move:
      if (opt_.protocol >= 2)
        make_move_v2(i);
      else
        make_move(i);
      break;
    case Owed::Login:
      relogin_when_allowed(i);
      break;
    case Owed::Nothing:
      break;
  }
}

void LoadGenerator::make_move(size_t i) {
  Player& p = players_[i];
  if (p.dfa.state() != proto::State::UserMove || !p.conn) return;
  HopList hops;
  legal_hops(p.board, p.side, p.continuing, hops);
  if (hops.size == 0 && p.continuing.valid()) legal_hops(p.board, p.side, Square8{}, hops);
  if (hops.size == 0) {
    error(i);  // the server should have ended the game
    return;
  }
  const proto::Move mv = hops.hops[rng_.below(static_cast<uint32_t>(hops.size))];
  p.last_landing = hops.captures ? Square8{static_cast<int8_t>(mv.x + 2 * mv.dx),
                                           static_cast<int8_t>(mv.y + 2 * mv.dy)}
                                 : Square8{};
  const std::array<uint8_t, 2> bytes{static_cast<uint8_t>(MsgType::MakeMove), mv.encode()};
  p.dfa.on_send(MsgType::MakeMove);
  p.move_pending = true;
  p.move_sent = Clock::now();
  send_bytes(p.conn, bytes);
}

// Protocol 2: a random legal whole move (a multi-capture in one MakeMove2), from the
// rules library's generator (a fixed-size list on the stack: nothing is allocated).
void LoadGenerator::make_move_v2(size_t i) {
  Player& p = players_[i];
  if (p.dfa.state() != proto::State::UserMove || !p.conn || p.side == Side::Unknown) return;
  const game::Color me = colour_of(p.side);
  game::MoveList moves;
  game::generate_moves(proto::position_from(p.board, me, me), moves);
  if (moves.empty()) {
    error(i);  // the server should have ended the game
    return;
  }
  const game::Move& mv = moves[rng_.below(static_cast<uint32_t>(moves.size()))];
  proto::MakeMove2 msg;
  msg.path.count = static_cast<uint8_t>(std::min<int>(mv.length(), proto::Path::kMaxSquares));
  for (size_t k = 0; k < msg.path.count; ++k) {
    const game::Square s = game::square_of_index(mv.index(static_cast<int>(k)));
    msg.path.squares[k] = proto::square_index(s.x, s.y);
  }
  p.dfa.on_send(MsgType::MakeMove2);
  p.move_pending = true;
  p.move_sent = Clock::now();
  send_message(p.conn, msg);
}

// ---- keeping N games in progress --------------------------------------------------------

// A player whose game ended waits here until it may ReQueue again.
void LoadGenerator::rest(size_t i) {
  const Player& p = players_[i];
  resting_.emplace(p.requeued ? p.last_requeue + kMinRequeueGap : Clock::time_point{}, i);
}

// Starts games until target_games_ are in progress or queued for: two rested players
// ReQueue together (the server pairs whoever is queued), so the players queued or in a
// game never exceed 2 x target_games_. Rested means: at least kMinRequeueGap since that
// connection's previous ReQueue, which keeps it under the server's flood limit.
void LoadGenerator::refill() {
  if (paused_ || opt_.mode != Mode::Play) return;
  const Clock::time_point now = Clock::now();
  while (engaged_ + 2 <= 2 * target_games_) {
    std::array<size_t, 2> pair{};
    size_t got = 0;
    while (got < 2 && !resting_.empty() && resting_.top().first <= now) {
      const size_t i = resting_.top().second;
      resting_.pop();
      if (players_[i].conn && players_[i].phase == Phase::GameEnd) pair[got++] = i;
    }
    if (got < 2) {
      if (got == 1) resting_.emplace(Clock::time_point{}, pair[0]);  // ready: first next time
      if (!resting_.empty() && resting_.top().first > now) schedule_refill(resting_.top().first);
      return;
    }
    send_requeue(pair[0]);
    send_requeue(pair[1]);
  }
}

void LoadGenerator::schedule_refill(Clock::time_point due) {
  if (refill_timer_ != 0) {
    if (refill_due_ <= due) return;
    loop_.cancel(refill_timer_);
  }
  refill_due_ = due;
  refill_timer_ = loop_.run_at(due, [this] {
    refill_timer_ = 0;
    refill();
  });
}

void LoadGenerator::send_requeue(size_t i) {
  Player& p = players_[i];
  const Clock::time_point now = Clock::now();
  if (p.dfa.on_send(MsgType::ReQueue).verdict != proto::Verdict::Accept) return;
  if (p.requeued && measuring_) {
    const double gap = ms_between(p.last_requeue, now);
    for (Counters* c : {&window_counts_, &second_counts_})
      if (c->min_requeue_gap_ms < 0 || gap < c->min_requeue_gap_ms) c->min_requeue_gap_ms = gap;
  }
  p.last_requeue = now;
  p.requeued = true;
  set_phase(i, Phase::Queued);
  const std::array<uint8_t, 1> bytes{static_cast<uint8_t>(MsgType::ReQueue)};
  send_bytes(p.conn, bytes);
}

// Protocol 2: up to `watchers` idle watcher connections watch the game that just began.
void LoadGenerator::send_watchers(uint32_t game_id) {
  size_t sent = 0;
  while (sent < opt_.watchers && !idle_watchers_.empty()) {
    const size_t w = idle_watchers_.back();
    idle_watchers_.pop_back();
    Player& p = players_[w];
    if (!p.conn || p.phase != Phase::GameEnd ||
        p.dfa.on_send(MsgType::Watch).verdict != proto::Verdict::Accept)
      continue;  // closed meanwhile
    set_phase(w, Phase::WatchAsked);
    send_message(p.conn, proto::Watch{game_id});
    ++sent;
  }
}

// The server treats more than 20 Connect/LogOut/ReQueue per connection per second as a
// flood (server/limits.hpp), and a cycle is two of them: keep each connection below that.
void LoadGenerator::relogin_when_allowed(size_t i) {
  const Clock::time_point due = players_[i].login_sent + kMinLoginCycle;
  if (players_[i].phase == Phase::Off || Clock::now() >= due) {
    send_relogin(i);
    return;
  }
  loop_.run_at(due, [this, i] {
    if (paused_)
      players_[i].owed = Owed::Login;
    else
      send_relogin(i);
  });
}

// Login workload: LogOut (when logged in) and a new Connect in one write.
void LoadGenerator::send_relogin(size_t i) {
  Player& p = players_[i];
  if (!p.conn) return;
  if (p.connects >= opt_.logins_per_connection) {
    redial(i);
    return;
  }
  ++p.connects;
  std::array<uint8_t, 1 + proto::Connect::kSize> bytes{};
  size_t off = 0;
  if (p.phase == Phase::Queued) bytes[off++] = static_cast<uint8_t>(MsgType::LogOut);
  proto::Connect c;
  c.username = proto::Str16(names_[i]);
  c.password = proto::Str16(opt_.password);
  off += c.encode(std::span<uint8_t>(bytes.data() + off, proto::Connect::kSize));
  set_phase(i, Phase::LoggingIn);
  p.login_sent = Clock::now();
  send_bytes(p.conn, bytes, off);
}

// Login workload: this connection has used its Connects; log out, leave it, dial anew.
void LoadGenerator::redial(size_t i) {
  Player& p = players_[i];
  if (p.phase == Phase::Queued) {
    const std::array<uint8_t, 1> bytes{static_cast<uint8_t>(MsgType::LogOut)};
    send_bytes(p.conn, bytes);
  }
  set_phase(i, Phase::Redialing);
  const reactor::TcpConnectionPtr old = std::move(p.conn);
  old->close_after_flush();
  dial(i);
}

// ---- windows ---------------------------------------------------------------------------

// A window: the players resume; in play, measuring begins once the games are in
// progress (after set-up a v1 pool has more games going than asked, a v2 pool none).
void LoadGenerator::start_window() {
  paused_ = false;
  // What the players were asked for while paused (or during set-up) goes out now.
  for (size_t i = 0; i < players_.size(); ++i) {
    Player& p = players_[i];
    if (opt_.mode == Mode::Login && p.conn && p.phase == Phase::Off) p.owed = Owed::Login;
    if (p.owed != Owed::Nothing) owe_or_do(i, p.owed);
  }
  if (opt_.mode != Mode::Play) {
    begin_measuring();
    return;
  }
  refill();
  settling_ = true;
  settle_start_ = Clock::now();
  sample_timer_ = loop_.run_every(kSampleInterval, [this] { sample(); });
  sample();
}

void LoadGenerator::begin_measuring() {
  window_counts_.clear();
  second_counts_.clear();
  tick_open_ = false;
  tick_spreads_ms_.clear();
  max_gap_ms_ = 0;
  game_samples_.clear();
  watching_samples_.clear();
  most_games_ = in_game_ / 2;
  bench_cpu_window_.reset();
  bench_cpu_second_.reset();
  if (server_cpu_window_) {
    server_cpu_window_->reset();
    server_cpu_second_->reset();
  }
  window_start_ = second_start_ = Clock::now();
  for (Player& p : players_) p.last_qp = window_start_;
  measuring_ = true;
  const auto length =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt_.duration_s));
  second_timer_ = loop_.run_every(1s, [this] { second_tick(); });
  loop_.run_after(length, [this] { end_window(); });
}

// Play: every kSampleInterval. While settling, starts the measurement once every place
// in the target games is taken (no excess game left from a v1 set-up, every player in a
// game or queued for one) and at least 95 % of the games are in progress (the rest wait
// one round trip for their GameStart), or once kSettleTimeout has passed; while
// measuring, records how many games are in progress and how many watchers watch.
void LoadGenerator::sample() {
  if (settling_) {
    const size_t places = 2 * target_games_;
    const bool ready = engaged_ == places && in_game_ * 20 >= places * 19;
    const bool late = Clock::now() - settle_start_ > kSettleTimeout;
    if (!ready && !late) return;
    if (!ready)
      note("only " + std::to_string(in_game_ / 2) + " of " + std::to_string(target_games_) +
           " games in progress after " + std::to_string(kSettleTimeout.count()) +
           " s: measuring anyway");
    settling_ = false;
    begin_measuring();
  }
  if (!measuring_) return;
  game_samples_.push_back(static_cast<uint32_t>(in_game_ / 2));
  watching_samples_.push_back(static_cast<uint32_t>(watching_));
}

void LoadGenerator::count_phases(IntervalStats& s) const {
  for (const Player& p : players_) {
    if (!p.conn) continue;
    ++s.connections;
    if (p.phase == Phase::Queued) ++s.queued;
    if (p.phase == Phase::InGame) ++s.in_game;
  }
}

IntervalStats LoadGenerator::snapshot(const Counters& c, double seconds, CpuMeter& bench,
                                      CpuMeter* server) const {
  IntervalStats s;
  s.seconds = seconds;
  count_phases(s);
  s.moves = c.moves;
  s.games = c.games_x2 / 2;
  s.logins = c.logins;
  s.errors = c.errors;
  s.disconnects = c.disconnects;
  s.opponent_disconnects = c.opponent_disconnects;
  s.invalid_moves = c.invalid_moves;
  s.queue_positions = c.queue_positions;
  s.games_in_progress_median = static_cast<double>(in_game_ / 2);  // now; a window: sampled
  s.games_in_progress_min = s.games_in_progress_max = in_game_ / 2;
  s.watching_median = static_cast<double>(watching_);
  s.watch_starts = c.watch_starts;
  s.watch_refused = c.watch_refused;
  s.watched_moves = c.watched_moves;
  s.min_requeue_gap_ms = c.min_requeue_gap_ms;
  s.latency_samples = c.latency.count();
  s.p50_ms = c.latency.quantile_ms(0.50);
  s.p99_ms = c.latency.quantile_ms(0.99);
  s.p999_ms = c.latency.quantile_ms(0.999);
  s.bench_cpu = bench.sample();
  if (server) s.server_cpu = server->sample();
  return s;
}

void LoadGenerator::second_tick() {
  const Clock::time_point now = Clock::now();
  IntervalStats s =
      snapshot(second_counts_, std::chrono::duration<double>(now - second_start_).count(),
               bench_cpu_second_, server_cpu_second_.get());
  second_counts_.clear();
  second_start_ = now;
  if (tick_cb_) tick_cb_(window_, std::chrono::duration<double>(now - window_start_).count(), s);
}

void LoadGenerator::end_window() {
  const Clock::time_point now = Clock::now();
  measuring_ = false;
  paused_ = true;
  loop_.cancel(second_timer_);
  if (sample_timer_ != 0) loop_.cancel(sample_timer_);
  sample_timer_ = 0;
  IntervalStats s =
      snapshot(window_counts_, std::chrono::duration<double>(now - window_start_).count(),
               bench_cpu_window_, server_cpu_window_.get());
  if (tick_open_) tick_spreads_ms_.push_back(ms_between(tick_first_, tick_last_));
  if (!tick_spreads_ms_.empty()) {
    std::vector<double> v = tick_spreads_ms_;
    std::sort(v.begin(), v.end());
    s.ticks = v.size();
    s.tick_spread_ms_median = v[v.size() / 2];
    s.tick_spread_ms_max = v.back();
  }
  s.max_gap_ms = max_gap_ms_;
  if (!game_samples_.empty()) {
    s.games_in_progress_median = median_of(game_samples_);
    s.games_in_progress_min = *std::min_element(game_samples_.begin(), game_samples_.end());
    s.games_in_progress_max = most_games_;  // at any moment, not only at the samples
    s.watching_median = median_of(watching_samples_);
  }
  if (window_ == 0 && opt_.server_pid > 0)
    summary_.server_rss_after_kib = rss_kib(opt_.server_pid).value_or(-1);
  summary_.windows.push_back(s);
  ++window_;
  if (window_ >= opt_.rounds) {
    loop_.quit();
    return;
  }
  if (opt_.between_cmd.empty()) {
    start_window();
  } else {
    run_between_command();
  }
}

// Runs the between-rounds command while the loop keeps serving the (paused) players.
void LoadGenerator::run_between_command() {
  pid_t child = 0;
  const char* argv[] = {"/bin/sh", "-c", opt_.between_cmd.c_str(), nullptr};
  if (posix_spawn(&child, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
    note("cannot run the between-rounds command");
    start_window();
    return;
  }
  wait_for_child(child);
}

void LoadGenerator::wait_for_child(pid_t child) {
  int status = 0;
  const pid_t r = waitpid(child, &status, WNOHANG);
  if (r == 0) {
    loop_.run_after(kChildPoll, [this, child] { wait_for_child(child); });
    return;
  }
  if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    note("the between-rounds command failed");
  start_window();
}

}  // namespace checkers::bench
