// TcpConnection: one established TCP socket in an EventLoop, with an input and an output
// Buffer. send() only appends to the output buffer and marks the connection pending; the
// loop flushes every pending connection once per pass, right before it polls, so all the
// messages of one pass leave in one send(2) (redis's handleClientsWithPendingWrites).
// Write interest is enabled only for what the kernel did not take.
//
// Lifetime: owned by whoever accepted or dialled it (through the TcpConnectionPtr it was
// handed); dropping the last reference closes the socket without a close callback. The
// loop holds a reference only for work it does later in the same pass (the flush, the
// close callback), so close() is safe from any callback, including this connection's own.
// Destroy every connection before its EventLoop.
//
// Bytes move through a Transport (reactor/transport.hpp): plain by default, TLS when the
// owner sets one, or chosen from the peer's first byte by a selector (one port for both).
// Output sent before a TLS handshake completes waits in the buffer and leaves after it.
#pragma once

#include "reactor/buffer.hpp"
#include "reactor/channel.hpp"
#include "reactor/fd.hpp"
#include "reactor/transport.hpp"

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace checkers::reactor {

class EventLoop;
class TcpConnection;
using TcpConnectionPtr = std::shared_ptr<TcpConnection>;

// CONCURRENT: per-connection non-blocking input/output buffers, so one slow peer never blocks the
// others.
class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  // Consume what you want from the Buffer; an unconsumed tail stays for the next call.
  using MessageCallback = std::function<void(const TcpConnectionPtr&, Buffer&)>;
  using CloseCallback = std::function<void(const TcpConnectionPtr&)>;
  using HighWaterCallback = std::function<void(const TcpConnectionPtr&, std::size_t)>;
  using HandshakeCallback = std::function<void(const TcpConnectionPtr&)>;
  // Picks the transport from the first byte the peer sends (peeked: it stays in the
  // socket for the transport to read). nullptr refuses the connection: it is closed.
  using TransportSelector =
      std::function<std::unique_ptr<Transport>(TcpConnection&, std::uint8_t first_byte)>;

  // Wraps a connected, non-blocking socket. Call start() to begin reading
  // (TcpListener and TcpConnector do it right after their callback returns).
  static TcpConnectionPtr create(EventLoop& loop, UniqueFd fd, const sockaddr_storage& peer);

  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  void set_message_callback(MessageCallback cb) { message_cb_ = std::move(cb); }
  void set_close_callback(CloseCallback cb) { close_cb_ = std::move(cb); }
  // Called when a send() makes output_bytes() cross `mark` upwards.
  void set_high_water_callback(HighWaterCallback cb, std::size_t mark) {
    high_water_cb_ = std::move(cb);
    high_water_mark_ = mark;
  }

  // Before start(): the transport to use instead of plain (a TLS client's).
  void set_transport(std::unique_ptr<Transport> transport);
  // Before start(): choose the transport from the peer's first byte (a TLS server's sniff).
  void set_transport_selector(TransportSelector selector);
  // Runs once when a transport with a handshake (TLS) has completed it, before any
  // application byte moves.
  void set_handshake_callback(HandshakeCallback cb) { handshake_cb_ = std::move(cb); }
  // Null until the selector has chosen.
  const Transport* transport() const { return transport_.get(); }

  // Starts reading (unless stop_reading() was called). Idempotent. send() and close()
  // already work before it.
  void start();

  // Appends to the output; the loop writes it before it next polls. Ignored once the
  // connection is draining or closed.
  void send(std::span<const std::uint8_t> data);
  void send(std::string_view data);
  void send(const void* data, std::size_t len) {
    send(std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(data), len));
  }
  // Stops I/O now and closes the socket; unsent output is dropped. The close callback
  // runs at the end of the pass.
  void close();
  // Stops reading, flushes the output, then close()s.
  void close_after_flush();

  // Reads at most `bytes` per readiness report (default: whatever is there, up to 64
  // KiB more than the buffer holds). The rest stays in the kernel, and level-triggered
  // polling reports the socket again in the next pass: this is how a handler gets a
  // per-pass budget without any redelivery machinery.
  void set_read_limit(std::size_t bytes) { read_limit_ = bytes; }

  // Back-pressure: stop / resume reading from the socket.
  void stop_reading();
  void start_reading();
  bool reading() const { return reading_; }

  void set_tcp_nodelay(bool on);

  std::size_t output_bytes() const { return output_.size(); }
  // send(2) calls made for this connection's output so far (one per loop pass at most,
  // plus one per writability event while the kernel's buffer is full).
  std::uint64_t write_calls() const { return write_calls_; }
  Buffer& input_buffer() { return input_; }
  const std::string& peer_address() const { return peer_address_; }  // "ip:port", "[v6]:port"
  const std::string& local_address() const { return local_address_; }
  const sockaddr_storage& peer() const { return peer_; }
  // From start() until closed (by either side).
  bool connected() const { return state_ == State::Connected || state_ == State::Draining; }
  bool closed() const { return state_ == State::Closed || state_ == State::Finished; }
  std::uint64_t id() const { return id_; }
  EventLoop& loop() const { return loop_; }
  int fd() const { return fd_.get(); }

  // Loop plumbing: writes the output queued this pass.
  void flush();

 private:
  struct Private {};

 public:
  TcpConnection(Private, EventLoop& loop, UniqueFd fd, const sockaddr_storage& peer);

 private:
  // Idle -> Connected (start()) -> Draining (close_after_flush() or the peer's EOF: no
  // more reading or sending, the output is flushed) -> Closed (socket gone, close
  // callback queued) -> Finished (close callback ran). close() jumps to Closed from any
  // state before it.
  enum class State { Idle, Connected, Draining, Closed, Finished };

  void handle_read();
  bool read_input();  // true if it read something (and handed it on)
  void handle_write();
  bool choose_transport();
  bool advance_handshake();
  void wait_for(Transport::Wait what);
  void read_again_next_pass();
  void handle_close();
  void handle_error();
  void write_output();
  void after_output_drained();
  void finish_close();

  EventLoop& loop_;
  UniqueFd fd_;
  Channel channel_;
  std::uint64_t id_;
  State state_ = State::Idle;
  bool reading_ = true;         // wanted by the application (stop_reading/start_reading)
  bool flush_pending_ = false;  // queued in the loop's flush list
  // The transport's other direction blocks one of ours (TLS: a record needs both).
  bool read_waits_for_write_ = false;
  bool write_waits_for_read_ = false;
  bool reread_queued_ = false;
  std::uint64_t write_calls_ = 0;

  sockaddr_storage peer_{};
  std::string peer_address_;
  std::string local_address_;

  // Small to start with: protocol messages are tens of bytes, a larger read spills
  // into read_fd's stack buffer, and the output of one pass is a few messages.
  // Idle sessions then cost a few hundred bytes, not two pages.
  Buffer input_{256};
  Buffer output_{0};
  std::size_t high_water_mark_ = 64 * 1024 * 1024;
  std::size_t read_limit_ = SIZE_MAX;

  MessageCallback message_cb_;
  CloseCallback close_cb_;
  HighWaterCallback high_water_cb_;
  HandshakeCallback handshake_cb_;
  TransportSelector selector_;
  std::unique_ptr<Transport> transport_;
};

}  // namespace checkers::reactor
