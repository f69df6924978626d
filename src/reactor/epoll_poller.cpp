#include "reactor/epoll_poller.hpp"

#include "reactor/channel.hpp"

#include <poll.h>

#include <cerrno>
#include <system_error>

namespace checkers::reactor {

namespace {
// Channel::poller_index() states for this backend.
constexpr int kNew = -1;
constexpr int kAdded = 1;
constexpr int kDetached = 2;  // known but not in the epoll set (no interest)

static_assert(EPOLLIN == POLLIN && EPOLLPRI == POLLPRI && EPOLLOUT == POLLOUT &&
                  EPOLLRDHUP == POLLRDHUP && EPOLLERR == POLLERR && EPOLLHUP == POLLHUP,
              "Channel uses poll(2) bits for both backends");
}  // namespace

EpollPoller::EpollPoller() : epfd_(::epoll_create1(EPOLL_CLOEXEC)), events_(64) {
  if (!epfd_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

void EpollPoller::control(int op, Channel* channel) {
  epoll_event ev{};
  ev.events = channel->events();
  ev.data.ptr = channel;
  if (::epoll_ctl(epfd_.get(), op, channel->fd(), &ev) < 0) {
    throw std::system_error(errno, std::generic_category(),
                            "epoll_ctl fd " + std::to_string(channel->fd()));
  }
}

void EpollPoller::update(Channel* channel) {
  const int state = channel->poller_index();
  if (state == kAdded) {
    if (channel->has_no_interest()) {
      control(EPOLL_CTL_DEL, channel);
      channel->set_poller_index(kDetached);
    } else {
      control(EPOLL_CTL_MOD, channel);
    }
  } else if (!channel->has_no_interest()) {
    control(EPOLL_CTL_ADD, channel);
    channel->set_poller_index(kAdded);
  } else if (state == kNew) {
    channel->set_poller_index(kDetached);
  }
}

void EpollPoller::remove(Channel* channel) {
  if (channel->poller_index() == kAdded) control(EPOLL_CTL_DEL, channel);
  channel->set_poller_index(kNew);
}

void EpollPoller::poll(int timeout_ms, std::vector<Channel*>& active) {
  const int n =
      ::epoll_wait(epfd_.get(), events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return;
    throw std::system_error(errno, std::generic_category(), "epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    auto* channel = static_cast<Channel*>(events_[i].data.ptr);
    channel->set_revents(events_[i].events);
    active.push_back(channel);
  }
  // A full array means more may be ready: grow so one call sees them all next time.
  if (static_cast<std::size_t>(n) == events_.size()) events_.resize(events_.size() * 2);
}

}  // namespace checkers::reactor
