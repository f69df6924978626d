#include "reactor/work_queue.hpp"

#include "reactor/channel.hpp"
#include "reactor/event_loop.hpp"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace checkers::reactor {

WorkQueue::WorkQueue(EventLoop& loop, std::size_t threads)
    : loop_(loop),
      thread_count_(threads == 0 ? 1 : threads),
      event_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!event_fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
  channel_ = std::make_unique<Channel>(loop_, event_fd_.get());
  channel_->set_read_callback([this] { deliver_completions(); });
  channel_->enable_reading();
}

WorkQueue::~WorkQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  jobs_cv_.notify_all();
  serial_cv_.notify_all();
  for (auto& t : workers_) t.join();
  if (serial_worker_.joinable()) serial_worker_.join();
  channel_.reset();
}

void WorkQueue::set_thread_count(std::size_t n) {
  if (!workers_.empty()) throw std::logic_error("WorkQueue: threads already started");
  thread_count_ = n == 0 ? 1 : n;
}

void WorkQueue::start_threads() {
  // Workers must never take the process's signals (the loop reads them via signalfd),
  // so they are created with everything blocked.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  try {
    if (workers_.empty() && !jobs_.empty()) {
      for (std::size_t i = 0; i < thread_count_; ++i) {
        workers_.emplace_back([this] { worker(jobs_, jobs_cv_); });
      }
    }
    if (!serial_worker_.joinable() && !serial_jobs_.empty()) {
      serial_worker_ = std::thread([this] { worker(serial_jobs_, serial_cv_); });
    }
  } catch (...) {
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    throw;
  }
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

JobId WorkQueue::enqueue(std::unique_ptr<Task> task, bool serial) {
  const JobId id = ++last_id_;
  task->id = id;
  {
    std::lock_guard lock(mutex_);
    (serial ? serial_jobs_ : jobs_).push_back(std::move(task));
  }
  live_.insert(id);
  ++pending_;
  if ((serial && !serial_worker_.joinable()) || (!serial && workers_.empty())) start_threads();
  (serial ? serial_cv_ : jobs_cv_).notify_one();
  return id;
}

bool WorkQueue::cancel(JobId id) {
  if (live_.erase(id) == 0) return false;
  std::lock_guard lock(mutex_);
  for (auto* queue : {&jobs_, &serial_jobs_}) {
    auto it =
        std::find_if(queue->begin(), queue->end(), [id](const auto& t) { return t->id == id; });
    if (it != queue->end()) {
      queue->erase(it);
      --pending_;
      return true;
    }
  }
  return false;  // running or done: deliver_completions() drops it
}

void WorkQueue::worker(std::deque<std::unique_ptr<Task>>& queue, std::condition_variable& cv) {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv.wait(lock, [&] { return stopping_ || !queue.empty(); });
    if (queue.empty()) return;  // stopping and drained
    std::unique_ptr<Task> task = std::move(queue.front());
    queue.pop_front();
    lock.unlock();
    task->run();
    lock.lock();
    const bool was_idle = done_.empty();
    done_.push_back(std::move(task));
    // One wake-up per batch: the loop takes every completion queued so far.
    if (was_idle) wake_loop();
  }
}

void WorkQueue::wake_loop() {
  const std::uint64_t one = 1;
  while (::write(event_fd_.get(), &one, sizeof one) < 0 && errno == EINTR) {
  }
}

void WorkQueue::deliver_completions() {
  std::uint64_t value;
  while (::read(event_fd_.get(), &value, sizeof value) < 0 && errno == EINTR) {
  }
  std::vector<std::unique_ptr<Task>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(done_);
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    --pending_;
    std::unique_ptr<Task> task = std::move(batch[i]);
    if (live_.erase(task->id) == 0) continue;  // cancelled while it ran
    try {
      task->complete();
    } catch (...) {
      // Keep the rest of the batch for the next iteration, in order.
      std::lock_guard lock(mutex_);
      done_.insert(done_.begin(),
                   std::make_move_iterator(batch.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                   std::make_move_iterator(batch.end()));
      if (!done_.empty()) wake_loop();
      throw;
    }
  }
}

}  // namespace checkers::reactor
