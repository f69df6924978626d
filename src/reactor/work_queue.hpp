// WorkQueue: runs blocking functions (password hashing, fsync, engine search) on worker
// threads and delivers each result back on the loop thread (eventfd wake-up), like libuv's
// uv_queue_work or redis's bio threads. The loop thread never blocks on such work. It lives
// beside the loop, owned by whoever needs it (the server, the client), and must be
// destroyed before the loop.
//
//   JobId job = work.submit([] { return hash(pw); },             // worker thread
//                           [](std::string h) { reply(h); });    // loop thread
//   work.cancel(job);   // in the owner's destructor: the completion will never run
//
// submit(): any of N pool threads (default 2), completions in completion order.
// submit_serial(): one dedicated thread, jobs run one at a time in FIFO order and their
// completions are delivered in the same order (e.g. journal appends + fsync).
// A job that throws has its exception rethrown on the loop thread, out of run(),
// where its completion would have been delivered.
#pragma once

#include "reactor/fd.hpp"

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace checkers::reactor {

class EventLoop;
class Channel;

// Identifies a submitted job; 0 is never a valid id.
using JobId = std::uint64_t;

namespace detail {
template <class T>
struct is_std_function : std::false_type {};
template <class S>
struct is_std_function<std::function<S>> : std::true_type {};
}  // namespace detail

// CONCURRENT: slow CPU work (password hashing, bot search) on worker threads; completions run on
// the loop.
class WorkQueue {
 public:
  static constexpr std::size_t kDefaultThreads = 2;

  explicit WorkQueue(EventLoop& loop, std::size_t threads = kDefaultThreads);
  // Finishes every queued job, joins the threads; undelivered completions are dropped.
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Threads start lazily on the first submit; the count can change until then.
  void set_thread_count(std::size_t n);
  std::size_t thread_count() const { return thread_count_; }

  template <class R>
  JobId submit(std::function<R()> job, std::function<void(R)> done) {
    return enqueue(make_task(std::move(job), std::move(done)), false);
  }
  JobId submit(std::function<void()> job, std::function<void()> done) {
    return enqueue(make_task(std::move(job), std::move(done)), false);
  }
  // Any callables: done takes job's result (or nothing when job returns void).
  template <class Job, class Done>
  requires(!detail::is_std_function<std::remove_cvref_t<Job>>::value) JobId
      submit(Job&& job, Done&& done) {
    return enqueue(make_task(std::forward<Job>(job), std::forward<Done>(done)), false);
  }

  template <class R>
  JobId submit_serial(std::function<R()> job, std::function<void(R)> done) {
    return enqueue(make_task(std::move(job), std::move(done)), true);
  }
  JobId submit_serial(std::function<void()> job, std::function<void()> done) {
    return enqueue(make_task(std::move(job), std::move(done)), true);
  }
  template <class Job, class Done>
  requires(!detail::is_std_function<std::remove_cvref_t<Job>>::value) JobId
      submit_serial(Job&& job, Done&& done) {
    return enqueue(make_task(std::forward<Job>(job), std::forward<Done>(done)), true);
  }

  // Loop thread. The job's completion will never run. A job not yet started is dropped
  // (true); one already running finishes on its thread, its result discarded (false, as
  // for an id already delivered or cancelled).
  bool cancel(JobId id);

  // Jobs submitted whose completion has not yet been delivered or cancelled.
  std::size_t pending() const { return pending_; }

 private:
  struct Task {
    JobId id = 0;
    virtual ~Task() = default;
    virtual void run() noexcept = 0;  // worker thread
    virtual void complete() = 0;      // loop thread
  };

  template <class Job, class Done>
  class TaskImpl final : public Task {
    using R = std::decay_t<std::invoke_result_t<Job&>>;

   public:
    TaskImpl(Job job, Done done) : job_(std::move(job)), done_(std::move(done)) {}
    void run() noexcept override {
      try {
        if constexpr (std::is_void_v<R>) {
          job_();
        } else {
          result_.emplace(job_());
        }
      } catch (...) {
        error_ = std::current_exception();
      }
    }
    void complete() override {
      if (error_) std::rethrow_exception(error_);
      if constexpr (std::is_void_v<R>) {
        done_();
      } else {
        done_(std::move(*result_));
      }
    }

   private:
    Job job_;
    Done done_;
    std::optional<std::conditional_t<std::is_void_v<R>, char, R>> result_;
    std::exception_ptr error_;
  };

  template <class Job, class Done>
  static std::unique_ptr<Task> make_task(Job&& job, Done&& done) {
    return std::make_unique<TaskImpl<std::decay_t<Job>, std::decay_t<Done>>>(
        std::forward<Job>(job), std::forward<Done>(done));
  }

  JobId enqueue(std::unique_ptr<Task> task, bool serial);
  void start_threads();
  void worker(std::deque<std::unique_ptr<Task>>& queue, std::condition_variable& cv);
  void deliver_completions();
  void wake_loop();

  EventLoop& loop_;
  std::size_t thread_count_;
  std::size_t pending_ = 0;
  JobId last_id_ = 0;
  std::unordered_set<JobId> live_;  // submitted, neither delivered nor cancelled

  UniqueFd event_fd_;
  std::unique_ptr<Channel> channel_;

  std::mutex mutex_;
  // One per queue, so a job wakes one thread that can take it, never the others.
  std::condition_variable jobs_cv_;
  std::condition_variable serial_cv_;
  bool stopping_ = false;
  std::deque<std::unique_ptr<Task>> jobs_;
  std::deque<std::unique_ptr<Task>> serial_jobs_;
  std::vector<std::unique_ptr<Task>> done_;
  std::vector<std::thread> workers_;
  std::thread serial_worker_;
};

}  // namespace checkers::reactor
