// Tools of the hardening tests: raw sockets that misbehave on purpose (partial
// messages, resets, never reading, chosen 127.0.0.x source addresses), a
// watcher that timestamps when the server closes each of many sockets, honest
// side games that keep playing in a background thread and measure move
// latency, and small probes of the server process (RSS, `user list`).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/protocol_client.hpp"
#include "support/server_process.hpp"
#include "support/timing.hpp"

namespace checkers::test::hardening {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Raises RLIMIT_NOFILE (soft) to at least `want` (capped by the hard limit);
// returns the new soft limit. Children (the server) inherit it.
size_t raise_fd_limit(size_t want);

// Connect message bytes with raw fields (any bytes in name and password).
std::vector<uint8_t> connect_bytes(std::string_view user, std::string_view password,
                                   uint8_t version = 1);

// A TCP socket to 127.0.0.1:port, optionally from a chosen local address
// (127.0.0.x), with an optional small receive buffer (set before connect).
class RawSocket {
 public:
  RawSocket(uint16_t port, const std::string& source_ip = {}, int rcvbuf = 0);
  ~RawSocket();
  RawSocket(RawSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  RawSocket& operator=(RawSocket&&) = delete;
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  int fd() const { return fd_; }
  // Non-blocking send; returns bytes sent, 0 if the socket buffer is full,
  // -1 on error (peer gone).
  long send(std::span<const uint8_t> bytes);
  long send(std::string_view bytes) {
    return send(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  long send(const std::vector<uint8_t>& bytes) { return send(std::span<const uint8_t>(bytes)); }
  // Reads and discards what is there; true if the peer closed (EOF or reset).
  bool drain_closed();
  // Waits until the peer closes (discarding data); true if it did in time.
  bool wait_closed(std::chrono::milliseconds timeout);
  // Abortive close: SO_LINGER 0, so the server sees a reset.
  void reset();
  void close();

 private:
  int fd_ = -1;
};

// Waits until the server has closed each socket (or the deadline passes) and
// returns when each close was seen (nullopt: still open at the deadline).
// `tick` runs about every 10 ms on the waiting thread (for trickling bytes).
std::vector<std::optional<Clock::time_point>> watch_closes(
    std::vector<RawSocket>& sockets, Clock::time_point deadline,
    const std::function<void(Clock::time_point)>& tick = {});

struct LatencyStats {
  size_t moves = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  size_t games_finished = 0;
};
LatencyStats summarize(std::vector<double> samples_ms, size_t games_finished = 0);

// Honest players in the background: `pairs` pairs of fresh accounts are logged
// in and matched (before the constructor returns), then a thread plays their
// games with random legal moves, at most one move per `pace` per player, and
// re-queues after each game. Latency of a move = from the MakeMove being sent
// to the opponent receiving the server's answer (YourTurn, CompulsoryMove or
// GameOver).
class SideGames {
 public:
  SideGames(uint16_t port, const std::string& prefix, int pairs, std::chrono::milliseconds pace,
            uint32_t seed = 1);
  ~SideGames();
  SideGames(const SideGames&) = delete;
  SideGames& operator=(const SideGames&) = delete;

  size_t moves() const { return moves_.load(); }
  // Drops the samples so far (e.g. the warm-up before an attack starts).
  void reset_samples();
  // Statistics of the samples so far, which are then dropped; play goes on.
  LatencyStats stop_sampling();
  // Stops the thread (idempotent) and returns the statistics.
  LatencyStats stop();
  // First error the player thread hit (empty if none).
  std::string error() const;
  // Each player's new_rating from the last GameOver it received.
  std::map<std::string, uint32_t> last_ratings() const;
  // How many GameOvers each player received.
  std::map<std::string, uint32_t> games_over() const;

 private:
  void run();

  std::vector<std::unique_ptr<ProtocolClient>> clients_;
  std::vector<std::string> names_;
  std::chrono::milliseconds pace_;
  uint32_t seed_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> moves_{0};
  mutable std::mutex mu_;
  std::vector<double> samples_;
  size_t games_finished_ = 0;
  std::map<std::string, uint32_t> last_ratings_;
  std::map<std::string, uint32_t> games_over_;
  std::string error_;
  std::thread thread_;
};

// A game between two honest players that advances one move at a time, on the
// test's own thread, so a test can check after each hostile act that other
// sessions were not affected. A finished game is replaced by a new one.
class Bystander {
 public:
  Bystander(uint16_t port, std::string prefix);
  // One MakeMove and the server's answer to it; throws if anything goes wrong.
  void step();
  int moves() const { return moves_; }
  int games() const { return gen_ + 1; }

 private:
  void start_game();
  uint16_t port_;
  std::string prefix_;
  int gen_ = 0;
  int moves_ = 0;
  std::unique_ptr<ProtocolClient> a_, b_;
};

// kill -9 at random moments while pairs of fresh accounts play games to the
// end, `kills` times; after each kill the store is opened (`user list`) and
// every rating a GameOver announced must be there, then the server restarts
// on the same data dir.
struct Kill9Stats {
  int kills = 0;
  size_t games_over = 0;       // GameOver messages received
  size_t ratings_checked = 0;  // accounts whose GameOver rating was compared
  std::vector<std::string> problems;
};
Kill9Stats kill9_loop(ServerProcess& srv, int kills, int pairs, uint32_t seed);

// A well-formed message of `type` (zero fields; a Connect for `user`/"pw").
std::vector<uint8_t> message_bytes(uint8_t type, const std::string& user);

// Seeded random clients: mixes of valid messages, random bytes, truncations,
// resets and reconnections from 127.0.0.2-9, for `duration`.
struct FuzzStats {
  size_t connections = 0, bytes = 0, actions = 0;
};
FuzzStats fuzz_server(uint16_t port, uint32_t seed, std::chrono::milliseconds duration);

// Current and peak resident set size of a process, in KiB (VmRSS, VmHWM).
struct Rss {
  long rss_kb = 0, peak_kb = 0;
};
Rss process_rss(pid_t pid);

// `checkers-server user list` on the server's data dir.
struct StoredAccount {
  uint32_t rating = 0;
  uint32_t games = 0;
};
std::map<std::string, StoredAccount> stored_accounts(const ServerProcess& srv);
// The same, name -> rating.
std::map<std::string, uint32_t> stored_ratings(const ServerProcess& srv);

// Percent-free figure formatting for the printed lines.
std::string ms(double v);

}  // namespace checkers::test::hardening
