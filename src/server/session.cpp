#include "server/session.hpp"

#include "server/limits.hpp"

namespace checkers::server {

Session::Session(uint64_t id, reactor::TcpConnectionPtr conn, SessionEvents& events,
                 std::string peer_ip)
    : id_(id),
      conn_(std::move(conn)),
      loop_(conn_->loop()),
      events_(events),
      peer_ip_(std::move(peer_ip)),
      commands_(limits::kSessionCommandsPerSecond),
      connects_(limits::kConnectsPerConnection, limits::kConnectWindow) {
  update_tag();
}

Session::~Session() {
  cancel_timer(partial_timer_);
  cancel_timer(login_timer_);
  conn_->set_message_callback([](const reactor::TcpConnectionPtr&, reactor::Buffer&) {});
  conn_->set_close_callback([](const reactor::TcpConnectionPtr&) {});
  conn_->set_high_water_callback([](const reactor::TcpConnectionPtr&, size_t) {},
                                 limits::kOutputHighWater);
  conn_->close();
}

void Session::start(Clock::duration login_timeout) {
  conn_->set_message_callback(
      [this](const reactor::TcpConnectionPtr&, reactor::Buffer& in) { on_input(in); });
  conn_->set_close_callback([this](const reactor::TcpConnectionPtr&) {
    closing_ = true;
    lifetime_.reset();
    events_.on_session_closed(*this);  // may destroy *this
  });
  conn_->set_high_water_callback(
      [this](const reactor::TcpConnectionPtr&, size_t bytes) {
        spdlog::warn("{} disconnected: {} bytes of output not read by the peer", tag_, bytes);
        close("output high-water mark");
      },
      limits::kOutputHighWater);
  arm_login_timer(login_timeout);
}

void Session::update_tag() {
  tag_ = account_.empty() ? fmt::format("[#{} {}]", id_, conn_->peer_address())
                          : fmt::format("[#{} {} {}]", id_, conn_->peer_address(), account_);
}

void Session::set_account(std::string name) {
  account_ = std::move(name);
  update_tag();
}

void Session::clear_account() {
  account_.clear();
  rating_ = 0;
  update_tag();
}

void Session::cancel_timer(reactor::TimerId& t) {
  if (t != 0) loop_.cancel(t);
  t = 0;
}

void Session::close(std::string_view why) {
  if (closing_) return;
  spdlog::info("{} closing: {}", tag_, why);
  closing_ = true;
  lifetime_.reset();
  cancel_timer(partial_timer_);
  cancel_timer(login_timer_);
  conn_->close();
}

void Session::close_after_flush(std::string_view why) {
  if (closing_) return;
  spdlog::info("{} closing: {}", tag_, why);
  closing_ = true;
  lifetime_.reset();
  cancel_timer(partial_timer_);
  cancel_timer(login_timer_);
  conn_->close_after_flush();
}

void Session::set_login_pending(bool pending) {
  if (login_pending_ == pending || closing_) {
    login_pending_ = pending;
    return;
  }
  login_pending_ = pending;
  // While the job runs, input is only buffered (see on_input); reading goes on so
  // that a client who hangs up is noticed and its queued password job skipped.
  if (!pending) conn_->schedule_redelivery();  // bytes that arrived meanwhile, in order
}

void Session::arm_login_timer(Clock::duration timeout) {
  cancel_timer(login_timer_);
  login_timer_ = loop_.run_after(timeout, [this, timeout] {
    login_timer_ = 0;
    if (logged_in()) return;
    // The client did its part; our password job is late (a login storm).
    if (login_pending_) return arm_login_timer(timeout);
    close("no login within the login timeout");
  });
}

void Session::cancel_login_timer() { cancel_timer(login_timer_); }

void Session::on_input(reactor::Buffer& in) {
  if (closing_) return;
  if (login_pending_) {
    limit_backlog(in);
    return;
  }
  const auto r = decoder_.feed(
      in.readable(), [this](const proto::Message& m) { return dispatch(m); },
      limits::kMessagesPerIteration);
  in.retrieve(r.consumed);
  if (closing_) return;
  switch (r.status) {
    case proto::DecodeStatus::UnknownType:
      log_violation(fmt::format("unknown message type byte {:#04x}", r.bad_type));
      close("unknown message type");
      return;
    case proto::DecodeStatus::Paused:
      // Budget used up (or a login job started): the rest waits for later.
      if (!login_pending_) conn_->schedule_redelivery();
      break;
    case proto::DecodeStatus::Incomplete:
    case proto::DecodeStatus::Ok:
      break;
  }
  limit_backlog(in);
  // The partial-message clock starts at the first byte of the incomplete
  // message; more bytes of the same message do not restart it.
  if (!decoder_.has_partial()) {
    cancel_timer(partial_timer_);
  } else if (partial_timer_ == 0 || r.partial_is_new) {
    cancel_timer(partial_timer_);
    partial_timer_ = loop_.run_after(limits::kPartialMessageTimeout, [this] {
      partial_timer_ = 0;
      on_partial_timeout();
    });
  }
}

// Backpressure: while a backlog waits (for the per-iteration budget or a login
// job), leave further bytes in the kernel (the flooder's sends block) instead of
// buffering them without bound.
void Session::limit_backlog(const reactor::Buffer& in) {
  if (in.readable_bytes() > limits::kInputBacklog) {
    conn_->stop_reading();
  } else {
    conn_->start_reading();
  }
}

void Session::on_partial_timeout() {
  log_violation(fmt::format("incomplete message ({} of {} bytes) for {} ms",
                            decoder_.pending_bytes(),
                            decoder_.pending_bytes() + decoder_.missing_bytes(),
                            std::chrono::duration_cast<std::chrono::milliseconds>(
                                limits::kPartialMessageTimeout)
                                .count()));
  close("partial message timeout");
}

void Session::log_violation(std::string_view what) {
  spdlog::info("{} protocol violation in state {}: {}", tag_, dfa_.state(), what);
}

bool Session::dispatch(const proto::Message& m) {
  if (closing_) return false;
  if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("{} recv {}", tag_, m);
  const proto::MsgType type = proto::type_of(m);
  const proto::State from = dfa_.state();
  // STATEFUL: every client message is checked against the DFA; a violation closes the session, MakeMove in GameEnd is ignored.
  const proto::Transition t = dfa_.on_receive(type);
  switch (t.verdict) {
    case proto::Verdict::Violation:
      log_violation(fmt::format("{} not allowed", type));
      close("protocol violation");
      return false;
    case proto::Verdict::IgnoreTolerated:
      // Tolerated once (a race with the opponent leaving); a stream of them is a flood.
      if (!command_allowed(loop_.now())) {
        close("too many ignored messages per second");
        return false;
      }
      spdlog::debug("{} ignored {} in state {} (tolerated)", tag_, type, from);
      return true;
    case proto::Verdict::Accept:
      break;
  }
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, proto::Connect>) {
          events_.on_connect_message(*this, msg);
        } else if constexpr (std::is_same_v<T, proto::MakeMove>) {
          events_.on_make_move(*this, msg);
        } else if constexpr (std::is_same_v<T, proto::ReQueue>) {
          events_.on_requeue(*this);
        } else if constexpr (std::is_same_v<T, proto::LogOut>) {
          events_.on_logout(*this, from);
        }
        // Server-to-client types never get here: the table rejects them.
      },
      m);
  return !closing_ && !login_pending_;
}

}  // namespace checkers::server
