// Settings of one checkers-bench run (filled from the command line by cli.cpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "reactor/poller.hpp"

namespace checkers::bench {

enum class Mode { Play, Idle, Login };
const char* to_string(Mode m);

struct BenchOptions {
  Mode mode = Mode::Play;
  std::string host = "127.0.0.1";
  uint16_t port = 8864;
  size_t connections = 50;
  // play: games kept in progress at all times (0 = connections / 2). With more than
  // 2 x games connections the spare players rest between games, so that every
  // connection stays under the server's session-command limit while N games run.
  size_t games = 0;
  // play: the protocol version the players speak (1 or 2; 2 = whole-path moves, clocks).
  uint8_t protocol = 1;
  // play, protocol 2: extra connections per game that watch it (Watch of its game id).
  size_t watchers = 0;
  double duration_s = 10.0;  // one measurement window
  uint64_t seed = 1;
  bool json = false;
  bool per_second = true;  // print a line every second

  // Accounts: <name_prefix><first_id + i>, all with the same password, so later runs
  // against the same data dir only verify (open registration creates them once).
  std::string name_prefix = "bench-";
  size_t first_id = 0;
  std::string password = "bench-pw";

  // Source addresses 127.0.0.1 .. 127.0.0.<sources> (0 = as many as the ephemeral port
  // range needs). Used only when the server is on a loopback address.
  size_t sources = 0;
  // TCP connects + logins in flight during set-up: the server hashes passwords on its
  // work queue, and a longer queue only makes each login wait longer.
  size_t login_window = 64;
  // Login workload: Connects on one TCP connection before it is closed and a fresh one
  // dialled. The server cuts a connection off after 8 Connects in 10 s (each costs a
  // password hash), so a cycling client must move to a new connection at that point.
  uint32_t logins_per_connection = 8;
  double setup_timeout_s = 600.0;

  // Measurement windows; between two of them the players pause (no moves) and
  // `between_cmd` runs through /bin/sh (e.g. a redis-benchmark round).
  int rounds = 1;
  std::string between_cmd;

  // Every connection over TLS (the server's certificate is not checked: a load test).
  bool tls = false;

  pid_t server_pid = 0;  // > 0: also report the server's CPU% and RSS
  reactor::PollerKind poller = reactor::PollerKind::Epoll;
};

}  // namespace checkers::bench
