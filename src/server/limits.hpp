// Fixed protection limits of the session layer: values that are policy, not
// deployment choices, so they are constants here rather than CLI options.
// (Deployment choices - max clients, timeouts - are in ServerConfig.)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace checkers::server::limits {

using namespace std::chrono_literals;

// Protocol §7: an incomplete message older than this (from its first byte) closes.
inline constexpr auto kPartialMessageTimeout = 1s;
// A TLS handshake must be done this long after its first byte (a stalled or trickled
// ClientHello is closed like a partial message; the handshake takes two round trips).
inline constexpr auto kTlsHandshakeTimeout = 2 * kPartialMessageTimeout;
// Bytes read per connection per loop iteration: 8 MakeMoves (a Connect takes
// three iterations). The rest stays in the kernel, and level-triggered polling
// reports the socket again next iteration, so one flooding client cannot
// monopolise the loop. (16 MakeMoves let an illegal-move flooder push honest
// players' p99 past the hardening test's 20 ms: replies now leave at the end
// of the pass, after every other connection's work in it.)
inline constexpr size_t kInputPerIteration = 8 * 2;
// Input buffered unprocessed while a login job runs. Reading goes on up to this
// so that a client who hangs up is noticed and its queued password job skipped;
// beyond it the socket is not read until the job is done.
inline constexpr size_t kInputBacklog = 64u << 10;
// Unsent output beyond this means the peer does not read: disconnect it.
inline constexpr size_t kOutputHighWater = 1u << 20;
// Failed logins per source address: a burst, then one more every kLoginFailureRefill.
inline constexpr double kLoginFailureBurst = 5;
inline constexpr auto kLoginFailureRefill = 2s;
// Connect / LogOut / ReQueue per connection per second before it counts as a flood.
inline constexpr uint32_t kSessionCommandsPerSecond = 20;
// Connects (each costs a password hash) per connection per window: a
// Connect/LogOut loop is throttled by the hash, then cut off here. Above the
// failed-login burst, so a password guesser meets the per-address limit first.
inline constexpr uint32_t kConnectsPerConnection = 8;
inline constexpr auto kConnectWindow = 10s;
// Interval of QueuePosition broadcasts and of the matchmaking sweep.
inline constexpr auto kQueueTick = 1s;
// QueuePositions sent per loop iteration during a broadcast.
inline constexpr size_t kQueueBroadcastChunk = 4096;
// Shutdown: the loop stops after this even if peers have not drained.
inline constexpr auto kShutdownGrace = 1500ms;
// At most one "too many clients" warning per this interval.
inline constexpr auto kRejectWarningInterval = 10s;

}  // namespace checkers::server::limits
