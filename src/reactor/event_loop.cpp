#include "reactor/event_loop.hpp"

#include "reactor/channel.hpp"
#include "reactor/fd.hpp"
#include "reactor/tcp_connection.hpp"

#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <system_error>
#include <utility>

namespace checkers::reactor {

namespace {

// Min-heap order: earliest deadline first, then insertion order.
bool later(const auto& a, const auto& b) {
  return a.deadline != b.deadline ? a.deadline > b.deadline : a.seq > b.seq;
}

void drain_eventfd(int fd) {
  std::uint64_t value;
  while (::read(fd, &value, sizeof value) < 0 && errno == EINTR) {
  }
}

}  // namespace

EventLoop::EventLoop(PollerKind kind) : poller_(Poller::create(kind)), now_(Clock::now()) {
  wake_fd_ = std::make_unique<UniqueFd>(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!*wake_fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
  wake_channel_ = std::make_unique<Channel>(*this, wake_fd_->get());
  wake_channel_->set_read_callback([this] {
    drain_eventfd(wake_fd_->get());
    run_posted();
  });
  wake_channel_->enable_reading();
}

EventLoop::~EventLoop() {
  flush_pending_output();  // best effort, non-blocking: output sent but not yet written
  // Connections queued here deregister while the poller still exists.
  pending_flush_.clear();
  // Dropping a deferred function may destroy what it owns (a session, a link), whose
  // destructor may defer() again: drop in rounds, never while the vector is being cleared.
  while (!deferred_.empty()) std::exchange(deferred_, {}).clear();
  pending_flush_.clear();
  timers_.clear();
  wake_channel_.reset();
}

PollerKind EventLoop::poller_kind() const { return poller_->kind(); }

void EventLoop::run() {
  quit_ = false;
  while (!quit_) iterate(-1);
  // What was sent before quit() (a goodbye) still leaves, as one write per connection.
  flush_pending_output();
}

void EventLoop::run_once(std::chrono::milliseconds max_wait) {
  iterate(static_cast<int>(std::min<std::chrono::milliseconds::rep>(max_wait.count(), INT_MAX)));
}

// CONCURRENT: one reactor iteration - poll every registered fd, then run the callbacks of the ready
// ones.
void EventLoop::iterate(int max_wait_ms) {
  flush_pending_output();
  active_.clear();
  poller_->poll(poll_timeout_ms(max_wait_ms), active_);
  now_ = Clock::now();
  ++iteration_;

  handling_events_ = true;
  // A callback may remove or destroy any channel, its own included: remove_channel()
  // nulls the entry, so the channel is looked up again before each of its callbacks.
  for (std::size_t i = 0; i < active_.size(); ++i) {
    while (active_[i] != nullptr && active_[i]->dispatch_next_event()) {
    }
  }
  handling_events_ = false;
  active_.clear();

  run_due_timers();
  run_deferred();
}

int EventLoop::poll_timeout_ms(int max_wait_ms) {
  if (!deferred_.empty() || !pending_flush_.empty()) return 0;
  int timeout = max_wait_ms;
  while (!timer_heap_.empty() && !is_live(timer_heap_.front())) drop_heap_top();
  if (!timer_heap_.empty()) {
    const auto left = timer_heap_.front().deadline - Clock::now();
    // Round up: waking a little early would only spin until the deadline.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    const int until_timer = ms <= 0 ? 0 : static_cast<int>(std::min<decltype(ms)>(ms, INT_MAX));
    timeout = timeout < 0 ? until_timer : std::min(timeout, until_timer);
  }
  return timeout;
}

// ---- timers ---------------------------------------------------------------------------

TimerId EventLoop::run_after(Clock::duration delay, std::function<void()> cb) {
  return add_timer(Clock::now() + delay, Clock::duration::zero(), std::move(cb));
}

TimerId EventLoop::run_every(Clock::duration interval, std::function<void()> cb) {
  interval = std::max(interval, Clock::duration(1));
  return add_timer(Clock::now() + interval, interval, std::move(cb));
}

TimerId EventLoop::run_at(Clock::time_point deadline, std::function<void()> cb) {
  return add_timer(deadline, Clock::duration::zero(), std::move(cb));
}

TimerId EventLoop::add_timer(Clock::time_point deadline, Clock::duration interval,
                             std::function<void()> cb) {
  const TimerId id = ++last_timer_id_;
  auto [it, inserted] = timers_.emplace(id, TimerEntry{std::move(cb), interval});
  push_heap_item(deadline, it->second, id);
  return id;
}

void EventLoop::push_heap_item(Clock::time_point deadline, TimerEntry& entry, TimerId id) {
  entry.seq = ++timer_seq_;
  timer_heap_.push_back(HeapItem{deadline, entry.seq, id});
  std::push_heap(timer_heap_.begin(), timer_heap_.end(),
                 [](const HeapItem& a, const HeapItem& b) { return later(a, b); });
}

void EventLoop::drop_heap_top() {
  std::pop_heap(timer_heap_.begin(), timer_heap_.end(),
                [](const HeapItem& a, const HeapItem& b) { return later(a, b); });
  timer_heap_.pop_back();
}

// A heap item is live while its timer exists and has not been moved since it was pushed.
bool EventLoop::is_live(const HeapItem& item) const {
  const auto it = timers_.find(item.id);
  return it != timers_.end() && it->second.seq == item.seq;
}

// Stale items are skipped when they surface; compact when they dominate, so a cancel- or
// move-heavy workload cannot grow the heap forever.
void EventLoop::compact_heap_if_stale() {
  if (timer_heap_.size() <= 1024 || timer_heap_.size() <= 2 * timers_.size()) return;
  std::erase_if(timer_heap_, [this](const HeapItem& h) { return !is_live(h); });
  std::make_heap(timer_heap_.begin(), timer_heap_.end(),
                 [](const HeapItem& a, const HeapItem& b) { return later(a, b); });
}

bool EventLoop::cancel(TimerId id) {
  if (timers_.erase(id) == 0) return false;
  compact_heap_if_stale();
  return true;
}

bool EventLoop::move_timer(TimerId id, Clock::time_point deadline) {
  const auto it = timers_.find(id);
  if (it == timers_.end()) return false;
  push_heap_item(deadline, it->second, id);
  compact_heap_if_stale();
  return true;
}

void EventLoop::run_due_timers() {
  // Only timers due at the start of this phase fire; ones added by callbacks wait.
  const Clock::time_point due = Clock::now();
  while (!timer_heap_.empty() && timer_heap_.front().deadline <= due) {
    const HeapItem item = timer_heap_.front();
    drop_heap_top();
    if (!is_live(item)) continue;  // cancelled or moved
    auto it = timers_.find(item.id);
    if (it->second.interval == Clock::duration::zero()) {
      // One-shot: forget it before the call so cancel(id) inside returns false.
      std::function<void()> cb = std::move(it->second.cb);
      timers_.erase(it);
      cb();
      continue;
    }
    // Repeating: the callback may cancel or move its own timer.
    std::function<void()> cb = std::move(it->second.cb);
    const Clock::duration interval = it->second.interval;
    cb();
    it = timers_.find(item.id);
    if (it == timers_.end()) continue;
    it->second.cb = std::move(cb);
    if (it->second.seq != item.seq) continue;  // moved by its callback: already in the heap
    Clock::time_point next = item.deadline + interval;
    if (next <= due) next = due + interval;  // fell behind: skip, don't burst
    push_heap_item(next, it->second, item.id);
  }
}

// ---- deferred work --------------------------------------------------------------------

void EventLoop::defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }

void EventLoop::run_deferred() {
  deferred_running_.swap(deferred_);
  for (auto& fn : deferred_running_) fn();
  deferred_running_.clear();
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(fn));
  }
  const std::uint64_t one = 1;
  while (::write(wake_fd_->get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void EventLoop::run_posted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(posted_mutex_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

// ---- channels -------------------------------------------------------------------------

void EventLoop::update_channel(Channel* channel) { poller_->update(channel); }

void EventLoop::remove_channel(Channel* channel) {
  poller_->remove(channel);
  if (handling_events_)
    std::replace(active_.begin(), active_.end(), channel, static_cast<Channel*>(nullptr));
}

// ---- connections ----------------------------------------------------------------------

void EventLoop::queue_flush(std::shared_ptr<TcpConnection> conn) {
  pending_flush_.push_back(std::move(conn));
}

// One send(2) per connection with output, however many messages it got this pass. A
// flush that closes the connection defers its close callback to the end of the next pass.
void EventLoop::flush_pending_output() {
  flushing_.swap(pending_flush_);
  for (auto& conn : flushing_) conn->flush();
  flushing_.clear();
}

}  // namespace checkers::reactor
