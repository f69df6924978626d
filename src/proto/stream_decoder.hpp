// Incremental message framing for one connection: fed whatever read() returned, it
// hands out every complete message, keeps an incomplete trailing message (at most
// kMaxMessageSizeV2 bytes, in a fixed internal buffer), and reports an unknown type
// byte the moment it is seen. It decodes the types of the connection's version
// (set_version; 1 until a Connect agreed on 2): on a v1 connection every byte
// above 0x0D is unknown, exactly as in v1. A v2 chat message with a bad length is
// reported as soon as its length field is in, one with bad text when complete. Complete messages
// are decoded straight from the caller's buffer (no copy); nothing is allocated. It never reads
// past the given span.
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
  Malformed,    // fatal: a v2 chat message (type `bad_type`) with a bad length or bad text;
                // `consumed` ends after its length field (bad length) or the message (bad text)
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
  bool failed() const noexcept { return failed_ != DecodeStatus::Ok; }
  // Forgets any partial message and a previous failure (not the version).
  void reset() noexcept {
    tail_size_ = 0;
    tail_need_ = 0;
    failed_ = DecodeStatus::Ok;
  }
  // The connection's protocol version: which type bytes exist.
  void set_version(uint8_t v) noexcept { version_ = v; }
  uint8_t version() const noexcept { return version_; }

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
  FeedResult fail(FeedResult r, DecodeStatus why, uint8_t type, size_t at) noexcept {
    failed_ = why;
    r.status = why;
    r.bad_type = type;
    r.consumed = at;
    return r;
  }

  std::array<uint8_t, kMaxMessageSizeV2> tail_{};
  size_t tail_size_ = 0;
  size_t tail_need_ = 0;  // full size of the kept message, or of its header while unknown
  bool tail_size_known_ = false;
  DecodeStatus failed_ = DecodeStatus::Ok;
  uint8_t version_ = 1;
};

template <class Visitor>
FeedResult StreamDecoder::feed(std::span<const uint8_t> data, Visitor&& visit,
                               size_t max_messages) {
  FeedResult r;
  if (failed_ != DecodeStatus::Ok) {
    r.status = failed_;
    return r;
  }
  size_t pos = 0;
  if (tail_size_ != 0) {
    if (max_messages == 0) {
      r.status = DecodeStatus::Paused;
      return r;
    }
    for (;;) {  // at most twice: complete the header, then the message
      const size_t take = std::min(tail_need_ - tail_size_, data.size() - pos);
      std::copy_n(data.data() + pos, take, tail_.data() + tail_size_);
      tail_size_ += take;
      pos += take;
      if (tail_size_ < tail_need_) {
        r.status = DecodeStatus::Incomplete;
        r.consumed = pos;
        return r;
      }
      if (tail_size_known_) break;
      const FrameSize f = frame_size(std::span<const uint8_t>(tail_.data(), tail_size_), version_);
      if (f.status == FrameSize::BadLength) return fail(r, DecodeStatus::Malformed, tail_[0], pos);
      tail_need_ = f.size;
      tail_size_known_ = f.status == FrameSize::Known;
    }
    const std::span<const uint8_t> whole(tail_.data(), tail_need_);
    if (!detail::content_valid(whole)) return fail(r, DecodeStatus::Malformed, tail_[0], pos);
    const Message m = detail::decode_complete(whole);
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
    const std::span<const uint8_t> rest = data.subspan(pos);
    const FrameSize f = frame_size(rest, version_);
    if (f.status == FrameSize::UnknownType) return fail(r, DecodeStatus::UnknownType, type, pos);
    if (f.status == FrameSize::BadLength)
      return fail(r, DecodeStatus::Malformed, type, pos + f.size);
    if (f.status == FrameSize::NeedHeader || rest.size() < f.size) {
      std::copy_n(rest.data(), rest.size(), tail_.data());
      tail_size_ = rest.size();
      tail_need_ = f.size;
      tail_size_known_ = f.status == FrameSize::Known;
      r.status = DecodeStatus::Incomplete;
      r.partial_is_new = true;
      r.consumed = data.size();
      return r;
    }
    const std::span<const uint8_t> whole = rest.first(f.size);
    if (!detail::content_valid(whole)) return fail(r, DecodeStatus::Malformed, type, pos + f.size);
    const Message m = detail::decode_complete(whole);
    pos += f.size;
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
