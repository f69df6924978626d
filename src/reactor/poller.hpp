// Poller: the I/O multiplexing backend interface of the EventLoop (muduo's Poller,
// redis's ae_*.c), plus the run-time selection of a backend (epoll or poll).
// Backends live in their own files: epoll_poller.hpp, poll_poller.hpp.
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace checkers::reactor {

class Channel;

enum class PollerKind { Epoll, Poll };

// "epoll" or "poll"; anything else is nullopt.
std::optional<PollerKind> parse_poller(std::string_view name);
// CHECKERS_POLLER from the environment if set and valid, otherwise Epoll.
PollerKind default_poller();
const char* to_string(PollerKind kind);

// CONCURRENT: readiness of all connections from one system call (epoll or poll backend).
class Poller {
 public:
  virtual ~Poller() = default;
  Poller() = default;
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  // Adds the channel, or changes its interest set (Channel::events()). A channel with
  // no interest stays known to the poller but reports nothing.
  virtual void update(Channel* channel) = 0;
  // Forgets the channel entirely; it must be called before the channel dies.
  virtual void remove(Channel* channel) = 0;
  // Waits up to timeout_ms (-1 = forever, 0 = don't block) and appends every channel with
  // pending events to `active`, its revents set. EINTR returns with nothing appended.
  virtual void poll(int timeout_ms, std::vector<Channel*>& active) = 0;

  virtual PollerKind kind() const = 0;

  static std::unique_ptr<Poller> create(PollerKind kind);
};

}  // namespace checkers::reactor
