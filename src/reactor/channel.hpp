// Channel: one fd's interest set and event callbacks inside an EventLoop (muduo-style).
// It does not own the fd. The owner must call remove() (or let the destructor do it)
// before the fd is closed.
#pragma once

#include <cstdint>
#include <functional>

namespace checkers::reactor {

class EventLoop;

class Channel {
 public:
  // Event bits: the poll(2) values, which equal the epoll(7) ones on Linux.
  static const std::uint32_t kReadEvents;   // POLLIN | POLLPRI | POLLRDHUP
  static const std::uint32_t kWriteEvents;  // POLLOUT

  Channel(EventLoop& loop, int fd);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  void set_read_callback(std::function<void()> cb) { read_cb_ = std::move(cb); }
  void set_write_callback(std::function<void()> cb) { write_cb_ = std::move(cb); }
  // POLLHUP without POLLIN: the peer is gone and there is nothing left to read.
  void set_close_callback(std::function<void()> cb) { close_cb_ = std::move(cb); }
  // POLLERR / POLLNVAL.
  void set_error_callback(std::function<void()> cb) { error_cb_ = std::move(cb); }

  void enable_reading() {
    events_ |= kReadEvents;
    update();
  }
  void disable_reading() {
    events_ &= ~kReadEvents;
    update();
  }
  void enable_writing() {
    events_ |= kWriteEvents;
    update();
  }
  void disable_writing() {
    events_ &= ~kWriteEvents;
    update();
  }
  void disable_all() {
    events_ = 0;
    update();
  }
  bool is_writing() const { return (events_ & kWriteEvents) != 0; }
  bool is_reading() const { return (events_ & kReadEvents) != 0; }
  bool has_no_interest() const { return events_ == 0; }

  // Unregisters from the poller; pending events of this iteration are dropped.
  void remove();

  // Runs the next callback that this iteration's revents call for (hang-up, error, read,
  // write - in that order) and returns true; false when none is left. The loop calls it
  // again only while the channel is still registered, so a callback may remove or destroy
  // the channel; nothing here touches it after the callback.
  bool dispatch_next_event();

  int fd() const { return fd_; }
  std::uint32_t events() const { return events_; }
  std::uint32_t revents() const { return revents_; }
  // By the poller, once per iteration: the events to dispatch from the first step.
  void set_revents(std::uint32_t revents) {
    revents_ = revents;
    next_step_ = 0;
  }
  EventLoop& loop() const { return loop_; }

  // Backend bookkeeping (EpollPoller: registration state; PollPoller: array index).
  int poller_index() const { return poller_index_; }
  void set_poller_index(int index) { poller_index_ = index; }

 private:
  void update();

  EventLoop& loop_;
  const int fd_;
  std::uint32_t events_ = 0;
  std::uint32_t revents_ = 0;
  int next_step_ = 0;  // of dispatch_next_event(): hang-up, error, read, write
  int poller_index_ = -1;
  bool registered_ = false;
  std::function<void()> read_cb_;
  std::function<void()> write_cb_;
  std::function<void()> close_cb_;
  std::function<void()> error_cb_;
};

}  // namespace checkers::reactor
