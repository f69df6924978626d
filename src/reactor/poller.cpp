#include "reactor/poller.hpp"

#include "reactor/epoll_poller.hpp"
#include "reactor/poll_poller.hpp"

#include <cstdlib>

namespace checkers::reactor {

std::optional<PollerKind> parse_poller(std::string_view name) {
  if (name == "epoll") return PollerKind::Epoll;
  if (name == "poll") return PollerKind::Poll;
  return std::nullopt;
}

PollerKind default_poller() {
  const char* env = std::getenv("CHECKERS_POLLER");
  if (env != nullptr) {
    if (auto kind = parse_poller(env)) return *kind;
  }
  return PollerKind::Epoll;
}

const char* to_string(PollerKind kind) { return kind == PollerKind::Epoll ? "epoll" : "poll"; }

std::unique_ptr<Poller> Poller::create(PollerKind kind) {
  if (kind == PollerKind::Poll) return std::make_unique<PollPoller>();
  return std::make_unique<EpollPoller>();
}

}  // namespace checkers::reactor
