// Incremental message framing for one connection: fed whatever read() returned, it
// hands out every complete message, keeps an incomplete trailing message (at most
// 34 bytes, in a fixed internal buffer), and reports an unknown type byte the
// moment it is seen. Complete messages are decoded straight from the caller's
// buffer (no copy); nothing is allocated. It never reads past the given span.
//
// Usage (server, at most 64 messages per loop iteration):
//   auto r = decoder.feed(input, [&](const Message& m) { return session.handle(m); }, 64);
//   input.consume(r.consumed);            // bytes after r.consumed are still the caller's
//   switch (r.status) { case DecodeStatus::UnknownType: close(); break;
//     case DecodeStatus::Incomplete: if (r.partial_is_new) arm_1s_timer(); break;
//     case DecodeStatus::Paused: resume_next_iteration(); break; case DecodeStatus::Ok: disarm(); }
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include "proto/messages.hpp"

namespace checkers::proto {

enum class DecodeStatus : uint8_t {
  Ok,           // every byte consumed, nothing pending
  Incomplete,   // every byte consumed; an incomplete message is kept (arm the 1 s timer)
  Paused,       // stopped early (budget reached or the visitor returned false);
                // bytes from `consumed` on were not looked at and stay the caller's
  UnknownType,  // fatal: `bad_type` at input offset `consumed` is no message type
};

struct FeedResult {
  DecodeStatus status = DecodeStatus::Ok;
  size_t consumed = 0;          // bytes of the input used (incl. those moved to the tail)
  size_t messages = 0;          // messages handed to the visitor by this call
  uint8_t bad_type = 0;         // the offending byte, for UnknownType
  bool partial_is_new = false;  // Incomplete: the kept message began in this call
};

class StreamDecoder {
 public:
  static constexpr size_t kUnlimited = std::numeric_limits<size_t>::max();

  // Decodes messages from `data` (after completing a kept partial message first)
  // and calls `visit(const Message&)` for each, in order. The visitor may return
  // void, or bool: false stops right after that message (status Paused).
  // At most `max_messages` messages are delivered by this call.
  // After UnknownType the decoder stays failed (every feed reports it again, with
  // consumed = 0) until reset(): the connection must be closed.
  template <class Visitor>
  FeedResult feed(std::span<const uint8_t> data, Visitor&& visit, size_t max_messages = kUnlimited);

  bool has_partial() const noexcept { return tail_size_ != 0; }
  size_t pending_bytes() const noexcept { return tail_size_; }
  // Bytes still missing from the kept partial message (0 if none).
  size_t missing_bytes() const noexcept { return has_partial() ? tail_need_ - tail_size_ : 0; }
  bool failed() const noexcept { return failed_; }
  // Forgets any partial message and a previous failure.
  void reset() noexcept {
    tail_size_ = 0;
    tail_need_ = 0;
    failed_ = false;
  }

 private:
  template <class Visitor>
  static bool deliver(Visitor& visit, const Message& m) {
    if constexpr (std::is_same_v<std::invoke_result_t<Visitor&, const Message&>, void>) {
      visit(m);
      return true;
    } else {
      return static_cast<bool>(visit(m));
    }
  }
  std::array<uint8_t, kMaxMessageSize> tail_{};
  size_t tail_size_ = 0;
  size_t tail_need_ = 0;  // full size of the kept message
  bool failed_ = false;
};

template <class Visitor>
FeedResult StreamDecoder::feed(std::span<const uint8_t> data, Visitor&& visit,
                               size_t max_messages) {
  FeedResult r;
  if (failed_) {
    r.status = DecodeStatus::UnknownType;
    return r;
  }
  size_t pos = 0;
  if (tail_size_ != 0) {
    if (max_messages == 0) {
      r.status = DecodeStatus::Paused;
      return r;
    }
    const size_t take = std::min(tail_need_ - tail_size_, data.size());
    std::copy_n(data.data(), take, tail_.data() + tail_size_);
    tail_size_ += take;
    pos = take;
    if (tail_size_ < tail_need_) {
      r.status = DecodeStatus::Incomplete;
      r.consumed = pos;
      return r;
    }
    const Message m = detail::decode_complete(std::span<const uint8_t>(tail_.data(), tail_need_));
    tail_size_ = 0;
    tail_need_ = 0;
    ++r.messages;
    if (!deliver(visit, m)) {
      r.consumed = pos;
      r.status = pos == data.size() ? DecodeStatus::Ok : DecodeStatus::Paused;
      return r;
    }
  }
  while (pos < data.size()) {
    if (r.messages >= max_messages) {
      r.status = DecodeStatus::Paused;
      r.consumed = pos;
      return r;
    }
    const uint8_t type = data[pos];
    const std::optional<size_t> size = message_size(type);
    if (!size) {
      failed_ = true;
      r.status = DecodeStatus::UnknownType;
      r.bad_type = type;
      r.consumed = pos;
      return r;
    }
    const size_t avail = data.size() - pos;
    if (avail < *size) {
      std::copy_n(data.data() + pos, avail, tail_.data());
      tail_size_ = avail;
      tail_need_ = *size;
      r.status = DecodeStatus::Incomplete;
      r.partial_is_new = true;
      r.consumed = data.size();
      return r;
    }
    const Message m = detail::decode_complete(data.subspan(pos, *size));
    pos += *size;
    ++r.messages;
    if (!deliver(visit, m)) {
      r.consumed = pos;
      r.status = pos == data.size() ? DecodeStatus::Ok : DecodeStatus::Paused;
      return r;
    }
  }
  r.consumed = pos;
  r.status = DecodeStatus::Ok;
  return r;
}

}  // namespace checkers::proto
