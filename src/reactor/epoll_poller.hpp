// EpollPoller: level-triggered epoll(7) backend with a reusable, growing event array.
#pragma once

#include "reactor/fd.hpp"
#include "reactor/poller.hpp"

#include <sys/epoll.h>

#include <vector>

namespace checkers::reactor {

// CONCURRENT: epoll(7) backend of the reactor, O(ready) per wait.
class EpollPoller final : public Poller {
 public:
  EpollPoller();

  void update(Channel* channel) override;
  void remove(Channel* channel) override;
  void poll(int timeout_ms, std::vector<Channel*>& active) override;
  PollerKind kind() const override { return PollerKind::Epoll; }

 private:
  void control(int op, Channel* channel);

  UniqueFd epfd_;
  std::vector<epoll_event> events_;
};

}  // namespace checkers::reactor
