// The protocol state machine: ONE constexpr table, (version, state, direction,
// message type) -> next state or violation, shared by the server and the client
// through DfaTracker. The rows mirror the tables in docs/PROTOCOL.md §5 (version 1,
// unchanged) and docs/PROTOCOL-v2.md §5, including v1's one tolerated out-of-DFA case (the server
// receives MakeMove in GameEnd: ignore it, log it, keep the connection), which is an explicit cell,
// not code elsewhere.
//
// Usage (server session):
//   DfaTracker dfa(Role::Server);
//   switch (dfa.on_receive(type_of(msg)).verdict) {
//     case Verdict::Accept: handle(msg); break;
//     case Verdict::IgnoreTolerated: log_ignored(msg); break;
//     case Verdict::Violation: close(); break; }
//   if (dfa.on_send(MsgType::QueuePosition).verdict == Verdict::Accept) send(...);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "proto/messages.hpp"

namespace checkers::proto {

enum class State : uint8_t {
  Unauthenticated,
  InQueue,
  ProcessingGameState,
  UserMove,
  GameEnd,   // v2: also "idle" (logged in, not queued, not playing, not watching)
  Watching,  // v2 only
};
enum class Direction : uint8_t { ClientToServer, ServerToClient };
enum class Verdict : uint8_t {
  Accept,           // apply: the state becomes `next`
  Violation,        // fatal protocol error; the state does not change
  IgnoreTolerated,  // the receiver drops the message and stays (`next` == current)
};
struct Transition {
  Verdict verdict;
  State next;
  constexpr bool operator==(const Transition&) const = default;
};

// The states of a version-1 connection (Unauthenticated..GameEnd).
inline constexpr size_t kStateCount = 5;
// All states (version 2 adds Watching).
inline constexpr size_t kStateCountV2 = 6;

constexpr bool state_exists(State s, uint8_t version) noexcept {
  return static_cast<size_t>(s) < (version >= 2 ? kStateCountV2 : kStateCount);
}

namespace dfa_table {

using Cells = std::array<Transition, kStateCountV2>;  // indexed by State

struct Row {
  MsgType type;
  Direction dir;  // the only direction this message may travel
  bool in_v1;     // the message exists on a version-1 connection
  bool in_v2;     // ... on a version-2 connection
  Cells v1;       // next states on a version-1 connection (Watching: always X)
  Cells v2;       // ... on a version-2 connection
};

inline constexpr Transition X{Verdict::Violation, State::Unauthenticated};  // next unused
constexpr Transition to(State s) { return {Verdict::Accept, s}; }
constexpr Transition ignored(State s) { return {Verdict::IgnoreTolerated, s}; }

using S = State;
inline constexpr Direction C2S = Direction::ClientToServer;
inline constexpr Direction S2C = Direction::ServerToClient;
inline constexpr S U = S::Unauthenticated, Q = S::InQueue, P = S::ProcessingGameState,
                   M = S::UserMove, E = S::GameEnd, W = S::Watching;
inline constexpr Cells kNone{X, X, X, X, X, X};
// A request answered in place, in every logged-in state.
inline constexpr Cells kLoggedInSelf{X, to(Q), to(P), to(M), to(E), to(W)};
// Challenge, AnswerChallenge, Rematch: sent only when idle; elsewhere a crossing the
// server still answers (ChallengeResult, every invitation gets exactly one).
inline constexpr Cells kInvitation{X, ignored(Q), ignored(P), ignored(M), to(E), ignored(W)};

constexpr Row v1_only(MsgType t, Direction d, Cells v1) { return {t, d, true, false, v1, kNone}; }
constexpr Row both(MsgType t, Direction d, Cells v1, Cells v2) {
  return {t, d, true, true, v1, v2};
}
constexpr Row v2_only(MsgType t, Direction d, Cells v2) { return {t, d, false, true, kNone, v2}; }

// Rows in type-byte order. Cells: Unauthenticated, InQueue, PGS, UserMove, GameEnd, Watching.
// STATEFUL: the protocol DFA itself - every (version, message, state) cell of PROTOCOL.md §5 and
// PROTOCOL-v2.md §5 in one table for both ends.
inline constexpr std::array<Row, kMsgTypeCountV2> kRows{{
    // v1 messages. The v1 cells are PROTOCOL.md §5 unchanged.
    both(MsgType::Connect, C2S, {to(Q), X, X, X, X, X}, {to(Q), X, X, X, X, X}),
    both(MsgType::InvalidLogin, S2C, {X, to(U), X, X, X, X}, {X, to(U), X, X, X, X}),
    both(MsgType::QueuePosition, S2C, {X, to(Q), X, X, X, X}, {X, to(Q), X, X, to(Q), X}),
    v1_only(MsgType::GameStart, S2C, {X, to(P), X, X, X, X}),
    v1_only(MsgType::YourTurn, S2C, {X, X, to(M), X, X, X}),
    v1_only(MsgType::MakeMove, C2S, {X, X, X, to(P), ignored(E), X}),
    v1_only(MsgType::CompulsoryMove, S2C, {X, X, to(P), X, X, X}),
    v1_only(MsgType::InvalidMove, S2C, {X, X, to(M), X, X, X}),
    v1_only(MsgType::OpponentDisconnect, S2C, {X, X, to(E), to(E), X, X}),
    v1_only(MsgType::GameOver, S2C, {X, X, to(E), X, X, X}),
    both(MsgType::ReQueue, C2S, {X, X, X, X, to(Q), X},
         {X, ignored(Q), ignored(P), ignored(M), to(E), ignored(W)}),
    both(MsgType::LogOut, C2S, {X, to(U), to(U), to(U), to(U), X},
         {X, to(U), to(U), to(U), to(U), to(U)}),
    both(MsgType::InvalidVersion, S2C, {X, to(U), X, X, X, X}, {X, to(U), X, X, X, X}),
    // v2 messages (PROTOCOL-v2.md §5.1). A v2 request that changes the state (ReQueue,
    // LeaveQueue, Watch, Unwatch) leaves it unchanged when sent; the server's answer moves
    // both ends. The `ignored` cells are the server's side of the crossings of §5.2.
    v2_only(MsgType::Welcome, S2C, {X, to(E), X, X, X, to(E)}),
    v2_only(MsgType::LeaveQueue, C2S, {X, to(Q), ignored(P), ignored(M), ignored(E), X}),
    v2_only(MsgType::GameStart2, S2C, {X, to(P), X, X, to(P), X}),
    v2_only(MsgType::YourTurn2, S2C, {X, X, to(M), X, X, X}),
    v2_only(MsgType::MakeMove2, C2S, {X, X, X, to(P), ignored(E), X}),
    v2_only(MsgType::MoveMade, S2C, {X, X, to(P), X, X, to(W)}),
    v2_only(MsgType::InvalidMove2, S2C, {X, X, to(M), X, X, X}),
    v2_only(MsgType::GameOver2, S2C, {X, X, to(E), to(E), X, to(E)}),
    v2_only(MsgType::Resign, C2S, {X, X, to(P), to(M), ignored(E), X}),
    v2_only(MsgType::OfferDraw, C2S, {X, X, to(P), to(M), ignored(E), X}),
    v2_only(MsgType::DrawOffered, S2C, {X, X, to(P), to(M), X, X}),
    v2_only(MsgType::AnswerDraw, C2S, {X, X, to(P), to(M), ignored(E), X}),
    v2_only(MsgType::DrawDeclined, S2C, {X, X, to(P), to(M), X, X}),
    v2_only(MsgType::Chat, C2S, {X, ignored(Q), to(P), to(M), to(E), ignored(W)}),
    v2_only(MsgType::ChatFrom, S2C, {X, X, to(P), to(M), to(E), X}),
    v2_only(MsgType::ChatRefused, S2C, {X, X, to(P), to(M), to(E), X}),
    v2_only(MsgType::Who, C2S, kLoggedInSelf),
    v2_only(MsgType::PlayerEntry, S2C, kLoggedInSelf),
    v2_only(MsgType::Challenge, C2S, kInvitation),
    v2_only(MsgType::ChallengeReceived, S2C, {X, to(Q), X, X, to(E), X}),
    v2_only(MsgType::AnswerChallenge, C2S, kInvitation),
    v2_only(MsgType::ChallengeResult, S2C, kLoggedInSelf),
    v2_only(MsgType::Rematch, C2S, kInvitation),
    v2_only(MsgType::ListGames, C2S, kLoggedInSelf),
    v2_only(MsgType::GameEntry, S2C, kLoggedInSelf),
    v2_only(MsgType::Watch, C2S, {X, ignored(Q), ignored(P), ignored(M), to(E), ignored(W)}),
    v2_only(MsgType::WatchStart, S2C, {X, X, X, X, to(W), X}),
    v2_only(MsgType::WatchRefused, S2C, {X, X, X, X, to(E), X}),
    v2_only(MsgType::Unwatch, C2S, {X, X, ignored(P), ignored(M), ignored(E), to(W)}),
    v2_only(MsgType::WatcherCount, S2C, {X, X, to(P), to(M), X, to(W)}),
    v2_only(MsgType::FetchGames, C2S, kLoggedInSelf),
    v2_only(MsgType::RecordEntry, S2C, kLoggedInSelf),
    v2_only(MsgType::RecordMove, S2C, kLoggedInSelf),
}};

constexpr bool rows_in_type_order() {
  for (size_t i = 0; i < kRows.size(); ++i)
    if (static_cast<size_t>(kRows[i].type) != i + kFirstMsgType) return false;
  return true;
}
static_assert(rows_in_type_order());
// A version-1 connection has no Watching state, and v1 rows are exactly the v1 types.
constexpr bool v1_rows_consistent() {
  for (const Row& r : kRows) {
    if (r.in_v1 != (static_cast<size_t>(r.type) <= kLastMsgType)) return false;
    if (r.v1[static_cast<size_t>(W)].verdict != Verdict::Violation) return false;
  }
  return true;
}
static_assert(v1_rows_consistent());

}  // namespace dfa_table

// The direction a message type travels.
constexpr Direction direction_of(MsgType t) noexcept {
  return dfa_table::kRows[static_cast<size_t>(t) - kFirstMsgType].dir;
}

// The table lookup for a connection of `version` (1 before any Connect). A message
// travelling against its direction, not part of that version, or a state that
// version does not have, is a violation. A Violation keeps `next` == `s`.
// STATEFUL: the only lookup into the DFA; a message the table does not allow is a violation.
constexpr Transition transition(State s, Direction d, MsgType t, uint8_t version = 1) noexcept {
  const auto raw = static_cast<size_t>(t);
  if (raw < kFirstMsgType || raw > kLastMsgTypeV2) return {Verdict::Violation, s};
  if (version < 1 || version > 2 || !state_exists(s, version)) return {Verdict::Violation, s};
  const dfa_table::Row& row = dfa_table::kRows[raw - kFirstMsgType];
  if (row.dir != d || !(version == 1 ? row.in_v1 : row.in_v2)) return {Verdict::Violation, s};
  const Transition cell = (version == 1 ? row.v1 : row.v2)[static_cast<size_t>(s)];
  if (cell.verdict == Verdict::Violation) return {Verdict::Violation, s};
  return cell;
}

enum class Role : uint8_t { Server, Client };

constexpr Direction incoming(Role r) noexcept {
  return r == Role::Server ? Direction::ClientToServer : Direction::ServerToClient;
}
constexpr Direction outgoing(Role r) noexcept {
  return r == Role::Server ? Direction::ServerToClient : Direction::ClientToServer;
}

// One end's view of the connection state, driven by the table above.
// The server's handling of Connect (§6.1) is two table steps: on_receive(Connect)
// moves to InQueue, then on_send(InvalidLogin | InvalidVersion) goes back to
// Unauthenticated, or on_send(QueuePosition) stays in InQueue.
// STATEFUL: one connection end's current DFA state; each server session and the client's link own
// one.
class DfaTracker {
 public:
  explicit constexpr DfaTracker(Role role, State start = State::Unauthenticated,
                                uint8_t version = 1) noexcept
      : role_(role), state_(start), version_(version) {}

  constexpr State state() const noexcept { return state_; }
  constexpr Role role() const noexcept { return role_; }
  // The connection's version: that of its last Connect (1 before any). The server
  // sets it on receiving Connect, the client on sending it.
  constexpr uint8_t version() const noexcept { return version_; }
  constexpr void set_version(uint8_t v) noexcept { version_ = v; }

  // A message this end received. Accept: state advances. IgnoreTolerated: drop
  // the message, keep the connection. Violation: state unchanged; close.
  constexpr Transition on_receive(MsgType t) noexcept {
    const Transition tr = transition(state_, incoming(role_), t, version_);
    if (tr.verdict == Verdict::Accept) state_ = tr.next;
    return tr;
  }
  // A message this end is about to send. Only Accept means "send it" (and the
  // state advances); a sender never sends what its peer would have to ignore,
  // so IgnoreTolerated is reported as a Violation here. State unchanged then.
  constexpr Transition on_send(MsgType t) noexcept {
    const Transition tr = can_send(t);
    if (tr.verdict == Verdict::Accept) state_ = tr.next;
    return tr;
  }
  // on_send without applying it.
  constexpr Transition can_send(MsgType t) const noexcept {
    const Transition tr = transition(state_, outgoing(role_), t, version_);
    if (tr.verdict != Verdict::Accept) return {Verdict::Violation, state_};
    return tr;
  }
  // on_receive without applying it.
  constexpr Transition can_receive(MsgType t) const noexcept {
    return transition(state_, incoming(role_), t, version_);
  }
  constexpr void reset(State s = State::Unauthenticated) noexcept { state_ = s; }

 private:
  Role role_;
  State state_;
  uint8_t version_;
};

const char* name_of(State s) noexcept;
const char* name_of(Direction d) noexcept;
const char* name_of(Verdict v) noexcept;
const char* name_of(Role r) noexcept;

}  // namespace checkers::proto
