#include "reactor/channel.hpp"

#include "reactor/event_loop.hpp"

#include <poll.h>

namespace checkers::reactor {

const std::uint32_t Channel::kReadEvents = POLLIN | POLLPRI | POLLRDHUP;
const std::uint32_t Channel::kWriteEvents = POLLOUT;

Channel::Channel(EventLoop& loop, int fd) : loop_(loop), fd_(fd) {}

Channel::~Channel() {
  if (registered_) loop_.remove_channel(this);
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

bool Channel::dispatch_next_event() {
  while (next_step_ < 4) {
    std::function<void()>* cb = nullptr;
    switch (next_step_++) {
      case 0:  // POLLHUP without POLLIN: nothing left to read
        if ((revents_ & POLLHUP) && !(revents_ & POLLIN)) cb = &close_cb_;
        break;
      case 1:
        if (revents_ & (POLLERR | POLLNVAL)) cb = &error_cb_;
        break;
      case 2:
        if ((revents_ & (kReadEvents | POLLHUP)) && is_reading()) cb = &read_cb_;
        break;
      default:
        if ((revents_ & POLLOUT) && is_writing()) cb = &write_cb_;
        break;
    }
    if (cb != nullptr && *cb) {
      (*cb)();  // may destroy *this: return without touching it
      return true;
    }
  }
  return false;
}

}  // namespace checkers::reactor
