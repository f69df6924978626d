// The protocol state machine: ONE constexpr table, (state, direction, message
// type) -> next state or violation, shared by the server and the client through
// DfaTracker. The rows mirror the table in docs/PROTOCOL.md §6, including the one
// tolerated out-of-DFA case (the server receives MakeMove in GameEnd: ignore it,
// log it, keep the connection), which is an explicit cell, not code elsewhere.
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

enum class State : uint8_t { Unauthenticated, InQueue, ProcessingGameState, UserMove, GameEnd };
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

inline constexpr size_t kStateCount = 5;

namespace dfa_table {

struct Row {
  MsgType type;
  Direction dir;                              // the only direction this message may travel
  std::array<Transition, kStateCount> cells;  // indexed by State
};

inline constexpr Transition X{Verdict::Violation, State::Unauthenticated};  // next unused
constexpr Transition to(State s) { return {Verdict::Accept, s}; }
constexpr Transition ignored(State s) { return {Verdict::IgnoreTolerated, s}; }

using S = State;
inline constexpr Direction C2S = Direction::ClientToServer;
inline constexpr Direction S2C = Direction::ServerToClient;
inline constexpr S U = S::Unauthenticated, Q = S::InQueue, P = S::ProcessingGameState,
                   M = S::UserMove, E = S::GameEnd;

// Rows in type-byte order. Columns: Unauthenticated, InQueue, PGS, UserMove, GameEnd.
// STATEFUL: the protocol DFA itself - every (message, state) cell of PROTOCOL-v1.md §6 in one table
// for both ends.
inline constexpr std::array<Row, kMsgTypeCount> kRows{{
    {MsgType::Connect, C2S, {to(Q), X, X, X, X}},
    {MsgType::InvalidLogin, S2C, {X, to(U), X, X, X}},
    {MsgType::QueuePosition, S2C, {X, to(Q), X, X, X}},
    {MsgType::GameStart, S2C, {X, to(P), X, X, X}},
    {MsgType::YourTurn, S2C, {X, X, to(M), X, X}},
    {MsgType::MakeMove, C2S, {X, X, X, to(P), ignored(E)}},
    {MsgType::CompulsoryMove, S2C, {X, X, to(P), X, X}},
    {MsgType::InvalidMove, S2C, {X, X, to(M), X, X}},
    {MsgType::OpponentDisconnect, S2C, {X, X, to(E), to(E), X}},
    {MsgType::GameOver, S2C, {X, X, to(E), X, X}},
    {MsgType::ReQueue, C2S, {X, X, X, X, to(Q)}},
    {MsgType::LogOut, C2S, {X, to(U), to(U), to(U), to(U)}},
    {MsgType::InvalidVersion, S2C, {X, to(U), X, X, X}},
}};

constexpr bool rows_in_type_order() {
  for (size_t i = 0; i < kRows.size(); ++i)
    if (static_cast<size_t>(kRows[i].type) != i + kFirstMsgType) return false;
  return true;
}
static_assert(rows_in_type_order());

}  // namespace dfa_table

// The direction a message type travels.
constexpr Direction direction_of(MsgType t) noexcept {
  return dfa_table::kRows[static_cast<size_t>(t) - kFirstMsgType].dir;
}

// The table lookup. A message travelling against its direction is a violation.
// A Violation keeps `next` == `s`.
// STATEFUL: the only lookup into the DFA; a message the table does not allow is a violation.
constexpr Transition transition(State s, Direction d, MsgType t) noexcept {
  const auto raw = static_cast<size_t>(t);
  if (raw < kFirstMsgType || raw > kLastMsgType) return {Verdict::Violation, s};
  const dfa_table::Row& row = dfa_table::kRows[raw - kFirstMsgType];
  if (row.dir != d) return {Verdict::Violation, s};
  const Transition cell = row.cells[static_cast<size_t>(s)];
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
  explicit constexpr DfaTracker(Role role, State start = State::Unauthenticated) noexcept
      : role_(role), state_(start) {}

  constexpr State state() const noexcept { return state_; }
  constexpr Role role() const noexcept { return role_; }

  // A message this end received. Accept: state advances. IgnoreTolerated: drop
  // the message, keep the connection. Violation: state unchanged; close.
  constexpr Transition on_receive(MsgType t) noexcept {
    const Transition tr = transition(state_, incoming(role_), t);
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
    const Transition tr = transition(state_, outgoing(role_), t);
    if (tr.verdict != Verdict::Accept) return {Verdict::Violation, state_};
    return tr;
  }
  // on_receive without applying it.
  constexpr Transition can_receive(MsgType t) const noexcept {
    return transition(state_, incoming(role_), t);
  }
  constexpr void reset(State s = State::Unauthenticated) noexcept { state_ = s; }

 private:
  Role role_;
  State state_;
};

const char* name_of(State s) noexcept;
const char* name_of(Direction d) noexcept;
const char* name_of(Verdict v) noexcept;
const char* name_of(Role r) noexcept;

}  // namespace checkers::proto
