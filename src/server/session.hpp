// Session: one client connection of the server - framing (messages are decoded
// in place from the connection's input buffer; an incomplete one waits there),
// the protocol state (DfaTracker over the shared table), sending with --verbose
// logging, and the per-connection protections (partial-message timer from the
// first byte, login timeout, per-iteration input budget, output high-water
// mark, command flood counter). What a message *means* is decided by the
// SessionEvents implementation (the Server); the Session only guarantees that
// it sees messages the DFA accepts, in order.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "proto/dfa.hpp"
#include "proto/format.hpp"
#include "proto/messages.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/tcp_connection.hpp"
#include "reactor/work_queue.hpp"
#include "server/rate_limit.hpp"

namespace checkers::server {

class Session;

// What the server does with accepted messages. Each is called after the DFA
// applied the message (the session is already in the new state).
class SessionEvents {
 public:
  virtual ~SessionEvents() = default;
  virtual void on_connect_message(Session& s, const proto::Connect& m) = 0;
  virtual void on_make_move(Session& s, const proto::MakeMove& m) = 0;
  virtual void on_requeue(Session& s, proto::State from) = 0;
  virtual void on_logout(Session& s, proto::State from) = 0;
  // Every protocol v2 message from a client (docs/PROTOCOL-v2.md), after the DFA
  // accepted it on a version-2 connection.
  virtual void on_v2_message(Session& s, const proto::Message& m) = 0;
  // The connection is gone (any reason). The session may be destroyed in here.
  virtual void on_session_closed(Session& s) = 0;
};

class Session {
 public:
  using Clock = reactor::EventLoop::Clock;

  Session(uint64_t id, reactor::TcpConnectionPtr conn, SessionEvents& events, std::string peer_ip);
  // Detaches from the connection and closes it (no more callbacks).
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Installs the connection callbacks and arms the login timer.
  void start(Clock::duration login_timeout);

  // Sends `m` if the DFA allows it (the state advances); false otherwise (a
  // server bug: logged at ERROR, nothing sent). Allocation-free.
  template <class T>
  bool send(const T& m);

  // Closes now (unsent output dropped); `why` is logged at INFO.
  void close(std::string_view why);
  // Stops reading, flushes what was sent, then closes.
  void close_after_flush(std::string_view why);
  bool closing() const { return closing_; }

  // From a Connect until its answer (the password job, then for a new account the
  // commit), input is buffered unprocessed (kept in order). `registering` names the
  // account the job creates, if any. The server cancels a job still queued or running
  // when the session closes, so a connect-and-leave flood costs no hashing.
  // After end_login(), process_input() handles what was buffered.
  void begin_login(reactor::JobId job, std::string registering = {});
  void login_job_done() { login_job_ = 0; }
  void end_login();
  void process_input();
  bool login_pending() const { return login_pending_; }
  reactor::JobId login_job() const { return login_job_; }
  const std::string& registering() const { return registering_; }

  void arm_login_timer(Clock::duration timeout);
  void cancel_login_timer();

  // False when the connection sends session commands (Connect, LogOut,
  // ReQueue) faster than the flood limit.
  bool command_allowed(Clock::time_point now) { return commands_.hit(now); }
  // False when the connection sends more Connects than kConnectsPerConnection
  // per kConnectWindow (each one costs the server a password hash).
  bool connect_allowed(Clock::time_point now) { return connects_.hit(now); }

  // ---- identity and game bookkeeping (owned by the server) ----
  uint64_t id() const { return id_; }
  proto::State state() const { return dfa_.state(); }
  const std::string& peer_ip() const { return peer_ip_; }
  const std::string& peer_address() const { return conn_->peer_address(); }
  bool logged_in() const { return !account_.empty(); }
  const std::string& account() const { return account_; }
  void set_account(std::string name);
  void clear_account();
  uint32_t rating() const { return rating_; }
  void set_rating(uint32_t r) { rating_ = r; }
  uint64_t room() const { return room_; }
  void set_room(uint64_t room) { room_ = room; }
  const std::string& last_opponent() const { return last_opponent_; }
  void set_last_opponent(std::string name) { last_opponent_ = std::move(name); }
  // The protocol version of the connection's last Connect (1 before any): which
  // type bytes are decoded and which DFA columns apply.
  uint8_t version() const { return dfa_.version(); }
  void set_version(uint8_t v) { dfa_.set_version(v); }
  // The server end of a house bot connection (--house-bot, PROTOCOL-v2.md §10): v2
  // players see it as version 0; it is never chatted with nor challenged.
  bool is_house_bot() const { return house_bot_; }
  void mark_house_bot() { house_bot_ = true; }
  // Per-session state of the v2 features (chat rate, list-request rate, ...).
  struct V2 {
    double chat_tokens = 5;
    Clock::time_point chat_refill{};
    Clock::time_point last_chat_refusal{};
    double list_tokens = 5;
    Clock::time_point list_refill{};
    uint64_t watching = 0;        // game id while Watching
    bool last_was_black = false;  // colour in the last game (a rematch swaps it)
    double invite_tokens = 10;    // invitations: 10 per minute
    Clock::time_point invite_refill{};
  };
  V2& v2() { return v2_; }
  // "[#12 1.2.3.4:5555 alice]" - the prefix of every log line about this session.
  const std::string& tag() const { return tag_; }

 private:
  void on_input(reactor::Buffer& in);
  // Dispatches the complete messages at the front of `in` and consumes them.
  // False: an unknown type byte (the session is closing).
  bool decode(reactor::Buffer& in);
  // False: stop decoding (closing, or input paused).
  bool dispatch(const proto::Message& m);
  void watch_partial(const reactor::Buffer& in, bool front_changed);
  void limit_backlog(const reactor::Buffer& in);
  void on_partial_timeout();
  void cancel_timer(reactor::TimerId& t);
  void update_tag();
  void log_violation(std::string_view what);

  uint64_t id_;
  reactor::TcpConnectionPtr conn_;
  reactor::EventLoop& loop_;
  SessionEvents& events_;
  std::string peer_ip_;
  std::string tag_;
  // STATEFUL: this session's state in the protocol DFA (server side of the shared table).
  proto::DfaTracker dfa_{proto::Role::Server};
  BurstCounter commands_;
  BurstCounter connects_;
  reactor::TimerId partial_timer_ = 0;
  reactor::TimerId login_timer_ = 0;
  bool closing_ = false;
  bool login_pending_ = false;
  reactor::JobId login_job_ = 0;
  std::string registering_;

  std::string account_;
  uint32_t rating_ = 0;
  uint64_t room_ = 0;
  std::string last_opponent_;
  bool house_bot_ = false;
  V2 v2_;
};

template <class T>
bool Session::send(const T& m) {
  if (closing_) return false;
  // STATEFUL: the server never sends a message its DFA state does not allow.
  if (dfa_.on_send(T::kType).verdict != proto::Verdict::Accept) {
    spdlog::error("{} BUG: not sending {} in state {}", tag_, T::kType, dfa_.state());
    return false;
  }
  if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("{} send {}", tag_, m);
  std::array<uint8_t, T::kSize> buf;
  const size_t n = m.encode(buf);
  if (n == 0) {
    spdlog::error("{} BUG: cannot encode {}", tag_, m);
    return false;
  }
  conn_->send(buf.data(), n);
  return true;
}

}  // namespace checkers::server
