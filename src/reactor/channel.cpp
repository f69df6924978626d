#include "reactor/channel.hpp"

#include "reactor/event_loop.hpp"

#include <poll.h>

namespace checkers::reactor {

const std::uint32_t Channel::kReadEvents = POLLIN | POLLPRI | POLLRDHUP;
const std::uint32_t Channel::kWriteEvents = POLLOUT;

Channel::Channel(EventLoop& loop, int fd) : loop_(loop), fd_(fd) {}

Channel::~Channel() {
  if (registered_) loop_.remove_channel(this);
  if (destroyed_flag_ != nullptr) *destroyed_flag_ = true;
}

void Channel::update() {
  registered_ = true;
  loop_.update_channel(this);
}

void Channel::remove() {
  if (!registered_) return;
  events_ = 0;
  registered_ = false;
  loop_.remove_channel(this);
}

void Channel::handle_event() {
  bool destroyed = false;
  destroyed_flag_ = &destroyed;
  dispatch(revents_, destroyed);
  if (!destroyed) destroyed_flag_ = nullptr;
}

void Channel::dispatch(std::uint32_t rev, const bool& destroyed) {
  // Each callback may disable interest, remove or even destroy this channel; re-check.
  auto gone = [&] { return destroyed || !registered_; };

  if ((rev & POLLHUP) && !(rev & POLLIN)) {
    if (close_cb_) close_cb_();
    if (gone()) return;
  }
  if (rev & (POLLERR | POLLNVAL)) {
    if (error_cb_) error_cb_();
    if (gone()) return;
  }
  if ((rev & (POLLIN | POLLPRI | POLLRDHUP | POLLHUP)) && is_reading()) {
    if (read_cb_) read_cb_();
    if (gone()) return;
  }
  if ((rev & POLLOUT) && is_writing()) {
    if (write_cb_) write_cb_();
  }
}

}  // namespace checkers::reactor
