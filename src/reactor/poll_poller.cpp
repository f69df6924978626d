#include "reactor/poll_poller.hpp"

#include "reactor/channel.hpp"

#include <cerrno>
#include <system_error>

namespace checkers::reactor {

namespace {
// Negative fds are ignored by poll(2); this keeps a channel's slot while it has no interest.
int ignored_fd(int fd) { return -fd - 1; }
}  // namespace

void PollPoller::update(Channel* channel) {
  const int index = channel->poller_index();
  const short events = static_cast<short>(channel->events());
  const int fd = channel->has_no_interest() ? ignored_fd(channel->fd()) : channel->fd();
  if (index < 0) {
    channel->set_poller_index(static_cast<int>(pollfds_.size()));
    pollfds_.push_back(pollfd{fd, events, 0});
    channels_.push_back(channel);
    return;
  }
  pollfd& pfd = pollfds_[static_cast<std::size_t>(index)];
  pfd.fd = fd;
  pfd.events = events;
  pfd.revents = 0;
}

void PollPoller::remove(Channel* channel) {
  const int index = channel->poller_index();
  if (index < 0) return;
  const auto slot = static_cast<std::size_t>(index);
  const std::size_t last = pollfds_.size() - 1;
  if (slot != last) {
    pollfds_[slot] = pollfds_[last];
    channels_[slot] = channels_[last];
    channels_[slot]->set_poller_index(index);
  }
  pollfds_.pop_back();
  channels_.pop_back();
  channel->set_poller_index(-1);
}

void PollPoller::poll(int timeout_ms, std::vector<Channel*>& active) {
  int n = ::poll(pollfds_.data(), pollfds_.size(), timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return;
    throw std::system_error(errno, std::generic_category(), "poll");
  }
  for (std::size_t i = 0; i < pollfds_.size() && n > 0; ++i) {
    if (pollfds_[i].revents == 0) continue;
    --n;
    channels_[i]->set_revents(static_cast<std::uint16_t>(pollfds_[i].revents));
    pollfds_[i].revents = 0;
    active.push_back(channels_[i]);
  }
}

}  // namespace checkers::reactor
