// EventLoop: the single-threaded reactor (redis's ae, muduo's EventLoop) - the poller,
// timers, a deferred-work queue and a cross-thread wake-up, nothing more. One pass is
//   flush pending output -> poll (timeout = next timer) -> I/O callbacks -> due timers
//   -> defer()ed functions (close callbacks among them).
// Everything runs on the thread that calls run(); only post() may be used from other
// threads. Beside the loop, owned by whoever needs them: SignalWatcher (signals as loop
// events), WorkQueue (worker threads), the connections (their acceptor or dialler).
//
// How long every object of the reactor lives - the one rule: whatever completes in a later
// pass is reached through an id that its owner cancels in its destructor (a TimerId, a
// JobId) or looks up again (a session id), never through a raw pointer or a liveness flag.
//   EventLoop      outlives everything below: destroy connections, listeners, connectors,
//                  sockets, watchers and work queues first. Its destructor writes pending
//                  output once and drops deferred functions and timers without running them.
//   Channel        owned by the object whose fd it watches; remove() (or destruction) nulls
//                  its entry in this pass's ready list, and the loop looks the entry up again
//                  before each callback, so a callback may destroy any channel.
//   TcpConnection  owned by whoever accepted or dialled it (server Session, client
//                  ServerLink, bench player). The loop holds a reference only for work
//                  later in the same pass: the flush before the next poll and the close
//                  callback (deferred). Dropping the last reference closes the socket and
//                  runs no callback.
//   timer          a TimerId: fires once (or every interval) until cancel(id); owners
//                  cancel their ids in their destructors. "Later in this pass, after the I/O"
//                  is a zero-delay timer (TcpConnector's connect(), the client's deliveries,
//                  GroupCommitter's batch).
//   defer(fn)      runs at the end of this pass (the next, if called from a deferred fn);
//                  fn owns what it touches (a shared_ptr: a session being destroyed, a TLS
//                  connection re-reading what its transport holds next pass) or
//                  reaches it by id, or touches only objects that outlive run().
//   worker job     WorkQueue::submit() returns a JobId; the completion runs on the loop
//                  thread unless cancel(id) came first (the server cancels a closed
//                  session's password job; GroupCommitter its write). Destroying the queue
//                  finishes started and queued jobs and drops their completions.
#pragma once

#include "reactor/poller.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace checkers::reactor {

class Channel;
class TcpConnection;
class UniqueFd;

// Identifies a timer; 0 is never a valid id.
using TimerId = std::uint64_t;

// CONCURRENT: the reactor - one thread serves every connection by waiting on all sockets at once.
class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;

  explicit EventLoop(PollerKind kind = default_poller());
  // Writes pending output once (non-blocking); drops deferred functions, timers and the
  // connections queued for a flush without running callbacks.
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs iterations until quit() is called (from a callback on this thread), then
  // writes the output sent until then once more.
  void run();
  // Runs exactly one iteration, blocking at most max_wait for I/O or timers.
  void run_once(std::chrono::milliseconds max_wait);
  void quit() { quit_ = true; }
  PollerKind poller_kind() const;

  // Time cached when the current iteration's poll returned.
  Clock::time_point now() const { return now_; }
  // Number of completed poll() calls.
  std::size_t iteration() const { return iteration_; }

  // Timers: on the monotonic clock, fired in (deadline, insertion) order; O(log n).
  TimerId run_after(Clock::duration delay, std::function<void()> cb);
  // First run one interval from now, then every interval (without catch-up bursts).
  TimerId run_every(Clock::duration interval, std::function<void()> cb);
  TimerId run_at(Clock::time_point deadline, std::function<void()> cb);
  // False for fired one-shot, already cancelled or unknown ids. Safe from any callback,
  // including the timer's own.
  bool cancel(TimerId id);
  // Moves a pending timer to a new deadline, earlier or later, keeping its id and callback
  // (a game clock re-armed on every move). False for fired one-shot, cancelled or unknown
  // ids. A repeating timer fires at the new deadline, then every interval from there.
  bool move_timer(TimerId id, Clock::time_point deadline);
  std::size_t timer_count() const { return timers_.size(); }

  // Runs fn at the end of the current iteration, after all I/O callbacks and timers.
  // Called from such a deferred function, fn runs in the next iteration.
  void defer(std::function<void()> fn);
  // Thread-safe: queues fn to run on the loop thread (wakes the loop via eventfd).
  void post(std::function<void()> fn);

  // Plumbing for Channel and TcpConnection (not for application code).
  void update_channel(Channel* channel);
  void remove_channel(Channel* channel);
  std::uint64_t next_connection_id() { return ++last_connection_id_; }
  // conn has output to write; flush it once right before the next poll.
  void queue_flush(std::shared_ptr<TcpConnection> conn);

 private:
  struct TimerEntry {
    std::function<void()> cb;
    Clock::duration interval{};  // zero for one-shot
    std::uint64_t seq = 0;       // of its one live heap item; older items are stale
  };
  struct HeapItem {
    Clock::time_point deadline;
    std::uint64_t seq;
    TimerId id;
  };

  TimerId add_timer(Clock::time_point deadline, Clock::duration interval, std::function<void()> cb);
  void push_heap_item(Clock::time_point deadline, TimerEntry& entry, TimerId id);
  void drop_heap_top();
  bool is_live(const HeapItem& item) const;
  void compact_heap_if_stale();
  int poll_timeout_ms(int max_wait_ms);
  void iterate(int max_wait_ms);
  void run_due_timers();
  void flush_pending_output();
  void run_deferred();
  void run_posted();

  std::unique_ptr<Poller> poller_;
  std::vector<Channel*> active_;
  bool handling_events_ = false;
  bool quit_ = false;
  std::size_t iteration_ = 0;
  Clock::time_point now_;

  std::unordered_map<TimerId, TimerEntry> timers_;
  std::vector<HeapItem> timer_heap_;  // min-heap on (deadline, seq); cancelled and moved
                                      // timers leave stale items, skipped lazily
  TimerId last_timer_id_ = 0;
  std::uint64_t timer_seq_ = 0;

  std::vector<std::function<void()>> deferred_;
  std::vector<std::function<void()>> deferred_running_;

  std::unique_ptr<UniqueFd> wake_fd_;  // eventfd for post()
  std::unique_ptr<Channel> wake_channel_;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;

  std::uint64_t last_connection_id_ = 0;
  std::vector<std::shared_ptr<TcpConnection>> pending_flush_;
  std::vector<std::shared_ptr<TcpConnection>> flushing_;
};

}  // namespace checkers::reactor
