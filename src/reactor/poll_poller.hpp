// PollPoller: poll(2) backend. The pollfd array is kept between calls and edited in
// place (O(1) add / modify / swap-remove) so nothing is rebuilt per iteration.
#pragma once

#include "reactor/poller.hpp"

#include <poll.h>

#include <vector>

namespace checkers::reactor {

// CONCURRENT: poll(2) backend of the reactor (CHECKERS_POLLER=poll, --poller poll).
class PollPoller final : public Poller {
 public:
  void update(Channel* channel) override;
  void remove(Channel* channel) override;
  void poll(int timeout_ms, std::vector<Channel*>& active) override;
  PollerKind kind() const override { return PollerKind::Poll; }

 private:
  std::vector<pollfd> pollfds_;     // fd is -fd-1 while a channel has no interest
  std::vector<Channel*> channels_;  // parallel to pollfds_
};

}  // namespace checkers::reactor
