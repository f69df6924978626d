#include "server/game_clock.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace checkers::server {

namespace {

std::optional<double> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  try {
    size_t used = 0;
    const double v = std::stod(std::string(s), &used);
    if (used != s.size() || !std::isfinite(v) || v < 0) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

size_t index(game::Color c) { return c == game::Color::Black ? 0 : 1; }

}  // namespace

std::optional<TimeControl> parse_time_control(const std::string& text) {
  const size_t plus = text.find('+');
  if (plus == std::string::npos) return std::nullopt;
  std::string_view base = std::string_view(text).substr(0, plus);
  const std::string_view inc = std::string_view(text).substr(plus + 1);
  double base_seconds_per_unit = 60;
  if (!base.empty() && base.back() == 's') {
    base.remove_suffix(1);
    base_seconds_per_unit = 1;
  }
  const std::optional<double> b = parse_number(base);
  const std::optional<double> i = parse_number(inc);
  if (!b || !i) return std::nullopt;
  const double base_ms = *b * base_seconds_per_unit * 1000;
  const double inc_ms = *i * 1000;
  if (base_ms < 1000 || base_ms > 180 * 60 * 1000 || inc_ms > 60 * 1000) return std::nullopt;
  return TimeControl{std::chrono::milliseconds(std::llround(base_ms)),
                     std::chrono::milliseconds(std::llround(inc_ms))};
}

std::string to_string(const TimeControl& tc) {
  const auto b = tc.base.count();
  const std::string base =
      b % 60000 == 0 ? fmt::format("{}", b / 60000) : fmt::format("{}s", b / 1000.0);
  return fmt::format("{}+{}", base, tc.increment.count() / 1000.0);
}

GameClock::GameClock(proto::ClockKind kind, ms base, ms increment)
    : kind_(kind), base_(base), increment_(increment), remaining_{base, base} {}

GameClock GameClock::fischer(const TimeControl& tc) {
  return GameClock(proto::ClockKind::Fischer, tc.base, tc.increment);
}

GameClock GameClock::per_move(Clock::duration limit) {
  return GameClock(proto::ClockKind::PerMove, std::chrono::duration_cast<ms>(limit), ms(0));
}

GameClock::Clock::time_point GameClock::start_turn(game::Color side, Clock::time_point now) {
  running_ = side;
  started_ = now;
  if (kind_ == proto::ClockKind::PerMove) remaining_[index(side)] = base_;
  return now + remaining_[index(side)];
}

void GameClock::end_turn(Clock::time_point now, bool add_increment) {
  if (!running_) return;
  Clock::duration& r = remaining_[index(*running_)];
  if (kind_ == proto::ClockKind::PerMove) {
    r = base_;
  } else {
    r = std::max(Clock::duration::zero(), r - (now - started_));
    if (add_increment) r += increment_;
  }
  running_.reset();
}

GameClock::Clock::duration GameClock::left(game::Color side, Clock::time_point now) const {
  Clock::duration r = remaining_[index(side)];
  if (running_ == side) r -= now - started_;
  return std::max(Clock::duration::zero(), r);
}

uint32_t GameClock::wire_remaining(game::Color side, Clock::time_point now) const {
  const auto v = std::chrono::duration_cast<ms>(left(side, now)).count();
  return static_cast<uint32_t>(std::min<int64_t>(v, proto::kNoClock - 1));
}

}  // namespace checkers::server
