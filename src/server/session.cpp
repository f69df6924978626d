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
  conn_->set_read_limit(limits::kInputPerIteration);
  conn_->set_message_callback(
      [this](const reactor::TcpConnectionPtr&, reactor::Buffer& in) { on_input(in); });
  conn_->set_close_callback([this](const reactor::TcpConnectionPtr&) {
    closing_ = true;
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
  cancel_timer(partial_timer_);
  cancel_timer(login_timer_);
  conn_->close();
}

void Session::close_after_flush(std::string_view why) {
  if (closing_) return;
  spdlog::info("{} closing: {}", tag_, why);
  closing_ = true;
  cancel_timer(partial_timer_);
  cancel_timer(login_timer_);
  conn_->close_after_flush();
}

void Session::begin_login(reactor::JobId job, std::string registering) {
  login_pending_ = true;
  login_job_ = job;
  registering_ = std::move(registering);
  if (!closing_) limit_backlog(conn_->input_buffer());
}

void Session::end_login() {
  login_pending_ = false;
  login_job_ = 0;
  registering_.clear();
  if (!closing_) limit_backlog(conn_->input_buffer());
}

void Session::arm_login_timer(Clock::duration timeout) {
  cancel_timer(login_timer_);
  login_timer_ = loop_.run_after(timeout, [this, timeout] {
    login_timer_ = 0;
    if (logged_in()) return;
    // The client did its part; our password job is late (a login storm).
    if (login_pending()) return arm_login_timer(timeout);
    close("no login within the login timeout");
  });
}

void Session::cancel_login_timer() { cancel_timer(login_timer_); }

void Session::process_input() { on_input(conn_->input_buffer()); }

void Session::on_input(reactor::Buffer& in) {
  if (closing_) return;
  if (!login_pending()) {
    const size_t before = in.size();
    if (!decode(in)) return;
    if (closing_) return;
    watch_partial(in, in.size() != before);
  }
  limit_backlog(in);
}

bool Session::decode(reactor::Buffer& in) {
  const std::span<const uint8_t> bytes = in.readable();
  size_t pos = 0;
  while (pos < bytes.size()) {
    // The connection's version decides which type bytes exist (v1: 0x01-0x0D only).
    const std::span<const uint8_t> rest = bytes.subspan(pos);
    const proto::FrameSize f = proto::frame_size(rest, dfa_.version());
    if (f.status == proto::FrameSize::UnknownType) {
      log_violation(fmt::format("unknown message type byte {:#04x}", bytes[pos]));
      in.retrieve(pos);
      close("unknown message type");
      return false;
    }
    if (f.status == proto::FrameSize::BadLength) {
      log_violation(fmt::format("{} with a text length of 0 or over {} bytes",
                                static_cast<proto::MsgType>(bytes[pos]), proto::kMaxChatBytes));
      in.retrieve(pos);
      close("malformed message");
      return false;
    }
    if (f.status == proto::FrameSize::NeedHeader || rest.size() < f.size)
      break;  // incomplete: stays in the buffer
    const std::optional<proto::Message> m = proto::decode(rest.first(f.size), dfa_.version());
    if (!m) {
      log_violation(fmt::format("{} with text that is not valid UTF-8 or has control characters",
                                static_cast<proto::MsgType>(bytes[pos])));
      in.retrieve(pos);
      close("malformed message");
      return false;
    }
    pos += f.size;
    if (!dispatch(*m)) break;
  }
  in.retrieve(pos);
  return true;
}

// The partial-message clock starts at the first byte of the incomplete message;
// more bytes of the same message (the front of the buffer unchanged) do not
// restart it.
void Session::watch_partial(const reactor::Buffer& in, bool front_changed) {
  if (in.empty() || login_pending()) {
    cancel_timer(partial_timer_);
  } else if (partial_timer_ == 0 || front_changed) {
    cancel_timer(partial_timer_);
    partial_timer_ = loop_.run_after(limits::kPartialMessageTimeout, [this] {
      partial_timer_ = 0;
      on_partial_timeout();
    });
  }
}

// Backpressure while a login job runs: up to kInputBacklog is buffered, further
// bytes stay in the kernel (the flooder's sends block). Otherwise the read limit
// keeps the buffer down to at most one incomplete message. The backlog is decoded
// in one go when the job is done: that stops at the next Connect (another job)
// or at the first message the DFA rejects, so it is short.
void Session::limit_backlog(const reactor::Buffer& in) {
  if (login_pending() && in.readable_bytes() > limits::kInputBacklog) {
    conn_->stop_reading();
  } else {
    conn_->start_reading();
  }
}

void Session::on_partial_timeout() {
  const reactor::Buffer& in = conn_->input_buffer();
  log_violation(fmt::format(
      "incomplete message ({} of {} bytes) for {} ms", in.size(),
      in.empty() ? 0 : proto::frame_size(in.readable(), dfa_.version()).size,
      std::chrono::duration_cast<std::chrono::milliseconds>(limits::kPartialMessageTimeout)
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
  // STATEFUL: every client message is checked against the DFA; a violation closes the session,
  // MakeMove in GameEnd is ignored.
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
      // PROTOCOL-v2.md §4.9: every invitation gets its one ChallengeResult, crossings too.
      if (type == proto::MsgType::Challenge || type == proto::MsgType::AnswerChallenge ||
          type == proto::MsgType::Rematch)
        events_.on_v2_message(*this, m);
      return !closing_;
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
          events_.on_requeue(*this, from);
        } else if constexpr (std::is_same_v<T, proto::LogOut>) {
          events_.on_logout(*this, from);
        } else if constexpr (proto::HasFieldList<T>) {
          events_.on_v2_message(*this, m);
        }
        // Server-to-client types never get here: the table rejects them.
      },
      m);
  return !closing_ && !login_pending();
}

}  // namespace checkers::server
