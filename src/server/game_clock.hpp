// GameClock: the two players' clocks of one game (docs/PROTOCOL-v2.md §7).
// Fischer: each side starts with `base`; only the side to move's clock runs, from
// start_turn() to end_turn(), which adds the increment. Per move (a game with a v1
// player, v1's --turn-timeout): every turn gets the same limit, nothing carries
// over. Pure arithmetic on the loop's clock; the GameRoom owns the one timer.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "game/types.hpp"
#include "proto/v2_types.hpp"
#include "reactor/event_loop.hpp"

namespace checkers::server {

// --time-control BASE+INC.
struct TimeControl {
  std::chrono::milliseconds base{5 * 60 * 1000};
  std::chrono::milliseconds increment{3000};
  friend bool operator==(const TimeControl&, const TimeControl&) = default;
};
// "5+3", "0.5+0", "30s+2" (docs/PROTOCOL-v2.md §7.1): BASE minutes or seconds with
// an 's' suffix, INC seconds; nullopt if malformed or outside 1 s..180 min / 0..60 s.
std::optional<TimeControl> parse_time_control(const std::string& text);
std::string to_string(const TimeControl& tc);

class GameClock {
 public:
  using Clock = reactor::EventLoop::Clock;
  using ms = std::chrono::milliseconds;

  static GameClock fischer(const TimeControl& tc);
  static GameClock per_move(Clock::duration limit);

  proto::ClockKind kind() const { return kind_; }
  ms base() const { return base_; }
  ms increment() const { return increment_; }

  // `side`'s clock starts running now; returns the moment it reaches zero.
  Clock::time_point start_turn(game::Color side, Clock::time_point now);
  // The running clock stops; `add_increment` for a move the player made.
  void end_turn(Clock::time_point now, bool add_increment);
  // Time left for `side` at `now` (never negative), in wire form (ms, u32).
  uint32_t wire_remaining(game::Color side, Clock::time_point now) const;
  bool running() const { return running_.has_value(); }
  std::optional<game::Color> running_side() const { return running_; }

 private:
  GameClock(proto::ClockKind kind, ms base, ms increment);
  Clock::duration left(game::Color side, Clock::time_point now) const;

  proto::ClockKind kind_;
  ms base_;
  ms increment_;
  std::array<Clock::duration, 2> remaining_;  // by Color
  std::optional<game::Color> running_;
  Clock::time_point started_{};
};

}  // namespace checkers::server
