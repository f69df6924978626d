// Names of the state-machine enums, for logs and test messages.
#include "proto/dfa.hpp"

namespace checkers::proto {

const char* name_of(State s) noexcept {
  switch (s) {
    case State::Unauthenticated:
      return "Unauthenticated";
    case State::InQueue:
      return "InQueue";
    case State::ProcessingGameState:
      return "ProcessingGameState";
    case State::UserMove:
      return "UserMove";
    case State::GameEnd:
      return "GameEnd";
    case State::Watching:
      return "Watching";
  }
  return "Unknown";
}

const char* name_of(Direction d) noexcept {
  return d == Direction::ClientToServer ? "C->S" : "S->C";
}

const char* name_of(Verdict v) noexcept {
  switch (v) {
    case Verdict::Accept:
      return "Accept";
    case Verdict::Violation:
      return "Violation";
    case Verdict::IgnoreTolerated:
      return "IgnoreTolerated";
  }
  return "Unknown";
}

const char* name_of(Role r) noexcept { return r == Role::Server ? "server" : "client"; }

}  // namespace checkers::proto
