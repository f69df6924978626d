// EventLoop: the single-threaded reactor (redis's ae, muduo's EventLoop). One pass is
//   flush pending output -> poll (timeout = next timer) -> I/O callbacks -> due timers
//   -> defer()ed functions (close callbacks among them).
// Everything runs on the thread that calls run(); only post() and the work queue's
// completion path may be used from other threads.
//
// How long every object of the reactor lives - the one rule: whatever completes in a later
// pass is reached through an id that its owner cancels, or looks up again, and never
// through a raw pointer or a liveness flag.
//   EventLoop      outlives everything below: destroy connections, listeners, connectors
//                  and sockets first. Its destructor writes pending output once, joins the
//                  worker threads and drops what is still queued.
//   Channel        owned by the object whose fd it watches; remove() (or destruction)
//                  drops the events of the current pass.
//   TcpConnection  owned by whoever accepted or dialled it (server Session, client
//                  ServerLink, bench player). The loop holds a reference only for work
//                  later in the same pass: the flush before the next poll and the close
//                  callback (deferred). Dropping the last reference closes the socket and
//                  runs no callback.
//   timer          a TimerId: fires once (or every interval) until cancel(id); owners
//                  cancel their ids in their destructors (Session, GameRoom, TcpListener,
//                  TcpConnector - which also starts connect() from a zero-delay timer).
//   defer(fn)      runs at the end of this pass (the next, if called from a deferred fn);
//                  fn holds what it touches by id or by shared_ptr.
//   worker job     WorkQueue: the completion runs on the loop thread and looks its target
//                  up again by id (the server's password jobs: session id); when the loop
//                  is destroyed, queued jobs finish and their completions are dropped.
#pragma once

#include "reactor/poller.hpp"
#include "reactor/work_queue.hpp"

#include <signal.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
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
  // Writes pending output once (non-blocking), joins the work-queue threads (queued
  // jobs are finished, their completions dropped),
  // drops live connections without callbacks and restores the signal mask.
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
  std::size_t timer_count() const { return timers_.size(); }

  // Runs fn at the end of the current iteration, after all I/O callbacks and timers.
  // Called from such a deferred function, fn runs in the next iteration.
  void defer(std::function<void()> fn);
  // Thread-safe: queues fn to run on the loop thread (wakes the loop via eventfd).
  void post(std::function<void()> fn);

  // Blocks signo in the calling (loop) thread and delivers it through a signalfd as a
  // loop event. Call before creating other threads, which otherwise inherit no mask
  // and may receive the signal themselves. The loop's own worker threads block all.
  void on_signal(int signo, std::function<void(int)> cb);

  WorkQueue& work_queue() { return *work_queue_; }

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
  };
  struct HeapItem {
    Clock::time_point deadline;
    std::uint64_t seq;
    TimerId id;
  };

  TimerId add_timer(Clock::time_point deadline, Clock::duration interval, std::function<void()> cb);
  void push_heap_item(Clock::time_point deadline, TimerId id);
  void drop_cancelled_heap_top();
  int poll_timeout_ms(int max_wait_ms);
  void iterate(int max_wait_ms);
  void run_due_timers();
  void flush_pending_output();
  void run_deferred();
  void run_posted();
  void handle_signals();

  std::unique_ptr<Poller> poller_;
  std::vector<Channel*> active_;
  bool handling_events_ = false;
  bool quit_ = false;
  std::size_t iteration_ = 0;
  Clock::time_point now_;

  std::unordered_map<TimerId, TimerEntry> timers_;
  std::vector<HeapItem> timer_heap_;  // min-heap on (deadline, seq), lazily cancelled
  TimerId last_timer_id_ = 0;
  std::uint64_t timer_seq_ = 0;

  std::vector<std::function<void()>> deferred_;
  std::vector<std::function<void()>> deferred_running_;

  std::unique_ptr<UniqueFd> wake_fd_;  // eventfd for post()
  std::unique_ptr<Channel> wake_channel_;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;

  std::unique_ptr<UniqueFd> signal_fd_;
  std::unique_ptr<Channel> signal_channel_;
  sigset_t signal_mask_;
  sigset_t blocked_by_us_;
  std::map<int, std::function<void(int)>> signal_handlers_;

  std::uint64_t last_connection_id_ = 0;
  std::vector<std::shared_ptr<TcpConnection>> pending_flush_;
  std::vector<std::shared_ptr<TcpConnection>> flushing_;

  std::unique_ptr<WorkQueue> work_queue_;
};

}  // namespace checkers::reactor
