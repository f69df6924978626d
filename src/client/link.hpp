// Link: what the Session talks to - a server over TCP (ServerLink) or the local referee
// of a game against the computer (LocalGame). Both speak protocol v1 messages and keep
// the client side of the shared DFA, so the Session and the UI cannot tell them apart.
#pragma once

#include <functional>
#include <string>

#include "proto/dfa.hpp"
#include "proto/messages.hpp"

namespace checkers::client {

class Link {
 public:
  enum class Failure {
    ConnectFailed,      // nobody answered at host:port
    ProtocolViolation,  // a message not allowed in the current state
    Malformed,          // unknown type byte or a message left incomplete
    ServerClosed,       // the server closed the connection (or crashed)
  };

  struct Callbacks {
    std::function<void()> connected;
    // A DFA-checked message; the state has already advanced.
    std::function<void(const proto::Message&)> message;
    // The link is dead (closed by the other side or because of bad input); it will not
    // call anything again. Not called after close().
    std::function<void(Failure, const std::string& why)> failed;
    // Something about the connection's security the player must see (a first-seen TLS
    // certificate, a password about to travel in plain text).
    std::function<void(const std::string& text)> notice;
  };

  virtual ~Link() = default;
  virtual void connect() = 0;
  // Sends if the DFA allows it (the state advances); false otherwise (logged).
  virtual bool send(const proto::Message& m) = 0;
  // Sends LogOut when logged in, then closes. Quiet: no `failed` callback afterwards.
  virtual void close() = 0;
  virtual bool connected() const = 0;
  virtual proto::State state() const = 0;
  bool logged_in() const { return state() != proto::State::Unauthenticated; }
};

}  // namespace checkers::client
