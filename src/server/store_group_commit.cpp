// GroupCommitter: one write+fsync job per loop iteration's worth of commits,
// run on the work queue's serial thread, at most one in flight.
#include <condition_variable>
#include <mutex>
#include <utility>

#include <spdlog/spdlog.h>

#include "reactor/event_loop.hpp"
#include "server/store.hpp"

namespace checkers::server {

// State shared with queued jobs and completions, which may outlive the
// committer: `owner` (loop thread only) is cleared on destruction, and
// `job_running` lets the destructor wait for the write to finish.
struct GroupCommitter::Shared {
  GroupCommitter* owner = nullptr;
  std::mutex mutex;
  std::condition_variable idle;
  bool job_running = false;
};

GroupCommitter::GroupCommitter(reactor::EventLoop& loop, AccountStore& store)
    : loop_(loop), store_(store), shared_(std::make_shared<Shared>()) {
  shared_->owner = this;
}

GroupCommitter::~GroupCommitter() {
  shared_->owner = nullptr;
  std::unique_lock lock(shared_->mutex);
  shared_->idle.wait(lock, [&] { return !shared_->job_running; });
}

void GroupCommitter::commit(std::function<void(bool ok)> on_durable) {
  waiting_.push_back(std::move(on_durable));
  schedule();
}

void GroupCommitter::schedule() {
  if (scheduled_ || in_flight_) return;  // a running job starts the next batch when it completes
  scheduled_ = true;
  loop_.defer([shared = shared_] {
    GroupCommitter* self = shared->owner;
    if (self == nullptr) return;
    self->scheduled_ = false;
    if (!self->in_flight_ && !self->waiting_.empty()) self->start_job();
  });
}

void GroupCommitter::start_job() {
  store_.stage();
  auto callbacks = std::exchange(waiting_, {});
  in_flight_ = true;
  ++batches_;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->job_running = true;
  }
  loop_.work_queue().submit_serial(
      [shared = shared_, store = &store_] {
        const bool ok = store->write_staged();
        std::lock_guard lock(shared->mutex);
        shared->job_running = false;
        shared->idle.notify_all();
        return ok;
      },
      [shared = shared_, callbacks = std::move(callbacks)](bool ok) mutable {
        if (GroupCommitter* self = shared->owner) self->on_job_done(std::move(callbacks), ok);
      });
}

void GroupCommitter::on_job_done(std::vector<std::function<void(bool)>> callbacks, bool ok) {
  in_flight_ = false;
  if (!ok) {
    spdlog::error(
        "store: group commit of {} result(s) failed; they are not durable (will retry with a full "
        "snapshot on the next commit)",
        callbacks.size());
  }
  for (auto& cb : callbacks) {
    if (cb) cb(ok);
  }
  if (!waiting_.empty() && !scheduled_) start_job();
}

}  // namespace checkers::server
