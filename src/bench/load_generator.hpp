// LoadGenerator: the engine of checkers-bench. On one EventLoop it opens N client
// connections to a checkers-server (spread over several 127.0.0.x source addresses when
// one address's ephemeral ports would not do), logs them in, and then, for one or more
// measurement windows, runs one workload:
//   play  - exactly `games` games in progress (connections / 2 by default): every player
//           answers each YourTurn (v1, one hop) or YourTurn2 (v2, the whole move) at once
//           with a random legal move. When a game ends its two players rest and two
//           rested players ReQueue for the next one, each connection at most 16 times
//           per second (the server's flood limit is 20 session commands per second), so
//           a pool larger than 2 x games keeps the games in flight however fast they end.
//           A move is counted when the first server message caused by a MakeMove reaches
//           either player of the game (latency = that gap). With `watchers` (v2), each
//           game is also watched by that many extra connections sending Watch for it;
//   idle  - logged-in sessions just read what the server sends (QueuePosition ticks);
//   login - every connection cycles Connect -> reply -> LogOut + Connect (at most 8
//           cycles per second per connection, below the server's flood limit).
// The login phase is outside the windows; a play window starts once the games are in
// progress. Nothing is allocated and nothing is logged per message; results go to the
// caller through callbacks (the library prints nothing).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/hop_picker.hpp"
#include "bench/latency_histogram.hpp"
#include "bench/options.hpp"
#include "bench/process_stats.hpp"
#include "proto/dfa.hpp"
#include "proto/messages.hpp"
#include "proto/stream_decoder.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/tcp_connection.hpp"
#include "reactor/tcp_connector.hpp"

namespace checkers::reactor {
class TlsContext;
}

namespace checkers::bench {

// Counters of one interval (a second, or a whole window).
struct IntervalStats {
  double seconds = 0;
  size_t connections = 0;  // held at the end of the interval
  size_t queued = 0;       // of those: waiting in the queue
  size_t in_game = 0;      // of those: in a game
  uint64_t moves = 0;
  uint64_t games = 0;  // finished games (GameOver pairs)
  uint64_t logins = 0;
  uint64_t errors = 0;       // protocol errors, refused logins, InvalidMoves, dropped connections
  uint64_t disconnects = 0;  // connections the server closed
  uint64_t opponent_disconnects = 0;  // OpponentDisconnect received
  uint64_t invalid_moves = 0;
  uint64_t queue_positions = 0;
  // play: games in progress (players in a game / 2), sampled every 10 ms of a window
  // (median, min); max: the most at any moment of the window.
  double games_in_progress_median = 0;
  size_t games_in_progress_min = 0, games_in_progress_max = 0;
  // play with watchers: watching connections (sampled as above), Watches answered.
  double watching_median = 0;
  uint64_t watch_starts = 0, watch_refused = 0;
  uint64_t watched_moves = 0;  // MoveMades received by watchers
  // play: the shortest gap between two ReQueues of one connection (ms; < 0 none).
  double min_requeue_gap_ms = -1;
  uint64_t latency_samples = 0;
  double p50_ms = 0, p99_ms = 0, p999_ms = 0;
  double bench_cpu = -1, server_cpu = -1;  // % of one core; < 0 unknown
  // idle: QueuePosition broadcast ticks seen (a burst of arrivals) and how long each
  // burst took from first to last arrival; the longest silence any session saw.
  uint64_t ticks = 0;
  double tick_spread_ms_median = 0, tick_spread_ms_max = 0;
  double max_gap_ms = 0;

  double per_second(uint64_t n) const { return seconds > 0 ? static_cast<double>(n) / seconds : 0; }
};

struct RunSummary {
  Mode mode = Mode::Play;
  size_t requested = 0;     // connections (players, and watchers on top)
  size_t games_target = 0;  // play: games kept in progress
  size_t ready = 0;         // logged in (play, idle) or connected (login) after set-up
  uint64_t setup_errors = 0;
  double setup_seconds = 0;         // connect (+ login) of all connections
  long server_rss_before_kib = -1;  // before the first connect
  long server_rss_after_kib = -1;   // at the end of the first window
  long bench_rss_kib = -1;
  std::vector<IntervalStats> windows;
};

class LoadGenerator {
 public:
  using TickCallback = std::function<void(int window, double t, const IntervalStats&)>;
  using NoteCallback = std::function<void(const std::string&)>;

  LoadGenerator(reactor::EventLoop& loop, BenchOptions options);
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  void on_tick(TickCallback cb) { tick_cb_ = std::move(cb); }
  void on_note(NoteCallback cb) { note_cb_ = std::move(cb); }

  // Runs set-up and every window; returns when done (the loop is run inside).
  RunSummary run();

 private:
  enum class Phase : uint8_t {
    Off,
    Connecting,
    LoggingIn,
    Queued,
    InGame,
    GameEnd,  // a player resting between games; a watcher waiting for one (v2: idle)
    WatchAsked,
    Watching,
    Redialing,
    Closed
  };
  enum class Owed : uint8_t { Nothing, Move, Login };

  struct Player {
    reactor::TcpConnectionPtr conn;
    std::unique_ptr<reactor::TcpConnector> connector;
    proto::StreamDecoder decoder;
    proto::DfaTracker dfa{proto::Role::Client};
    Phase phase = Phase::Off;  // changed only through set_phase()
    bool watcher = false;
    Owed owed = Owed::Nothing;
    Side side = Side::Unknown;
    Square8 continuing;
    Square8 last_landing;   // where this player's last jump landed
    uint8_t retries = 0;    // InvalidMoves in a row
    uint32_t connects = 0;  // Connects sent on `conn` (login workload)
    bool move_pending = false;
    int32_t opponent = -1;
    proto::Board board;
    reactor::EventLoop::Clock::time_point move_sent{};
    reactor::EventLoop::Clock::time_point login_sent{};
    reactor::EventLoop::Clock::time_point last_qp{};
    reactor::EventLoop::Clock::time_point last_requeue{};
    bool requeued = false;  // last_requeue is set
  };

  // Counters shared by the per-second and the per-window views.
  struct Counters {
    uint64_t moves = 0, games_x2 = 0, logins = 0, errors = 0, disconnects = 0,
             opponent_disconnects = 0, invalid_moves = 0, queue_positions = 0, watch_starts = 0,
             watch_refused = 0, watched_moves = 0;
    double min_requeue_gap_ms = -1;
    LatencyHistogram latency;
    void clear() { *this = Counters{}; }
  };

  // set-up
  void start_setup();
  void launch_next();
  void connect(size_t i);
  void dial(size_t i);
  void redial(size_t i);
  void connected(size_t i, const reactor::TcpConnectionPtr& conn);
  void connect_failed(size_t i, const std::string& why);
  void send_login(size_t i);
  void setup_step_done(size_t i, bool ok);
  void finish_setup();
  std::string source_address(size_t i) const;

  // traffic
  void on_bytes(size_t i, reactor::Buffer& in);
  void on_message(size_t i, const proto::Message& m, reactor::EventLoop::Clock::time_point now);
  void on_login_reply(size_t i, bool ok, reactor::EventLoop::Clock::time_point now);
  void on_queue_position(size_t i, reactor::EventLoop::Clock::time_point now);
  void on_message_v2(size_t i, const proto::Message& m, reactor::EventLoop::Clock::time_point now);
  void on_watcher_message(size_t i, proto::MsgType type);
  void on_game_start(size_t i, std::string_view opponent_name);
  void on_your_turn(size_t i, const proto::YourTurn& m);
  void on_your_turn2(size_t i, const proto::YourTurn2& m);
  void on_invalid_move(size_t i, const proto::InvalidMove& m);
  void on_game_end(size_t i, bool game_over);
  void set_phase(size_t i, Phase phase);
  void on_closed(size_t i, const reactor::TcpConnectionPtr& conn);
  void settle_move(size_t mover, reactor::EventLoop::Clock::time_point now);
  void make_move(size_t i);
  void make_move_v2(size_t i);
  void rest(size_t i);
  void refill();
  void schedule_refill(reactor::EventLoop::Clock::time_point due);
  void send_requeue(size_t i);
  void send_watchers(uint32_t game_id);
  void send_relogin(size_t i);
  void relogin_when_allowed(size_t i);
  void owe_or_do(size_t i, Owed what);
  void error(size_t i);
  bool is_ours(std::string_view name, size_t& index) const;

  // windows
  void start_window();
  void begin_measuring();
  void sample();
  void end_window();
  void second_tick();
  void run_between_command();
  void wait_for_child(pid_t child);
  IntervalStats snapshot(const Counters& c, double seconds, CpuMeter& bench,
                         CpuMeter* server) const;
  void count_phases(IntervalStats& s) const;
  void note(const std::string& text) const;

  reactor::EventLoop& loop_;
  std::shared_ptr<reactor::TlsContext> tls_;  // --tls; shared_ptr: incomplete without TLS
  BenchOptions opt_;
  std::vector<Player> players_;
  std::vector<std::string> names_;  // player i's account name
  size_t player_count_ = 0;         // players_[0, player_count_) play; the rest watch
  size_t target_games_ = 0;

  // play: players queued or in a game (at most 2 x target_games_), players in a game,
  // watchers watching; resting players by the time they may ReQueue again; idle watchers.
  size_t engaged_ = 0, in_game_ = 0, watching_ = 0;
  using Due = std::pair<reactor::EventLoop::Clock::time_point, size_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> resting_;
  std::vector<size_t> idle_watchers_;
  reactor::TimerId refill_timer_ = 0;
  reactor::EventLoop::Clock::time_point refill_due_{};
  Rng rng_;
  size_t sources_ = 1;

  size_t next_to_launch_ = 0;
  size_t in_flight_ = 0;
  size_t setup_done_ = 0;
  bool setup_finished_ = false;
  reactor::TimerId setup_timer_ = 0;
  reactor::EventLoop::Clock::time_point setup_start_{};

  bool measuring_ = false;
  bool paused_ = true;
  bool settling_ = false;  // play: unpaused, waiting for the games to be in progress
  reactor::EventLoop::Clock::time_point settle_start_{};
  reactor::TimerId sample_timer_ = 0;
  std::vector<uint32_t> game_samples_, watching_samples_;
  size_t most_games_ = 0;  // the most games in progress at any moment of the window
  bool stopping_ = false;
  int window_ = 0;
  reactor::EventLoop::Clock::time_point window_start_{}, second_start_{};
  reactor::TimerId second_timer_ = 0;
  Counters window_counts_, second_counts_;
  CpuMeter bench_cpu_window_{0}, bench_cpu_second_{0};
  std::unique_ptr<CpuMeter> server_cpu_window_, server_cpu_second_;

  // idle: QueuePosition burst tracking
  reactor::EventLoop::Clock::time_point tick_first_{}, tick_last_{};
  bool tick_open_ = false;
  std::vector<double> tick_spreads_ms_;
  double max_gap_ms_ = 0;

  RunSummary summary_;
  TickCallback tick_cb_;
  NoteCallback note_cb_;
};

}  // namespace checkers::bench
