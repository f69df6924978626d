// GroupCommitter: one write+fsync job per loop iteration's worth of commits,
// run on the work queue's serial thread, at most one in flight. The timer and the job
// are reached by id and cancelled on destruction (the reactor's one lifetime rule).
#include <utility>

#include <spdlog/spdlog.h>

#include "reactor/event_loop.hpp"
#include "server/store.hpp"

namespace checkers::server {

GroupCommitter::GroupCommitter(reactor::EventLoop& loop, reactor::WorkQueue& work,
                               AccountStore& store)
    : loop_(loop), work_(work), store_(store) {}

GroupCommitter::~GroupCommitter() {
  if (scheduled_ != 0) loop_.cancel(scheduled_);
  if (in_flight_ != 0) work_.cancel(in_flight_);
}

void GroupCommitter::commit(std::function<void(bool ok)> on_durable) {
  waiting_.push_back(std::move(on_durable));
  schedule();
}

void GroupCommitter::schedule() {
  if (scheduled_ != 0 || in_flight_ != 0) return;  // a running job starts the next batch
  scheduled_ = loop_.run_after(reactor::EventLoop::Clock::duration::zero(), [this] {
    scheduled_ = 0;
    if (in_flight_ == 0 && !waiting_.empty()) start_job();
  });
}

void GroupCommitter::start_job() {
  store_.stage();
  ++batches_;
  in_flight_ = work_.submit_serial([store = &store_] { return store->write_staged(); },
                                   [this, callbacks = std::exchange(waiting_, {})](
                                       bool ok) mutable { on_job_done(std::move(callbacks), ok); });
}

void GroupCommitter::on_job_done(std::vector<std::function<void(bool)>> callbacks, bool ok) {
  in_flight_ = 0;
  if (!ok) {
    spdlog::error(
        "store: group commit of {} result(s) failed; they are not durable (will retry with a full "
        "snapshot on the next commit)",
        callbacks.size());
  }
  for (auto& cb : callbacks) {
    if (cb) cb(ok);
  }
  if (!waiting_.empty() && scheduled_ == 0) start_job();
}

}  // namespace checkers::server
