// libFuzzer target: the StreamDecoder and the DFA on arbitrary bytes, the way a
// session uses them, at both protocol versions (docs/PROTOCOL-v2.md §12). The input
// is a byte stream from a peer. At each version it is decoded three ways - in one piece, one byte
// at a time with a budget of one message, and in input-derived random chunks with random budgets -
// and all three must yield the same messages and the same end state (the decoder must not depend on
// how reads split the stream). Every message must re-encode and decode back to itself and format
// without error, and both a server and a client DfaTracker are driven by the messages. Any mismatch
// aborts (a crash for libFuzzer).
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <vector>

#include "proto/dfa.hpp"
#include "proto/format.hpp"
#include "proto/stream_decoder.hpp"

namespace {

using namespace checkers::proto;

void require(bool ok, const char* what) {
  if (!ok) {
    fmt::print(stderr, "fuzz_proto_stream: invariant failed: {}\n", what);
    std::abort();
  }
}

struct Outcome {
  std::vector<Message> messages;
  DecodeStatus final_status = DecodeStatus::Ok;  // Ok, Incomplete, UnknownType or Malformed
  size_t bad_offset = 0;                         // absolute, for UnknownType / Malformed
  size_t pending = 0;
};

// Deterministic chunk/budget source derived from the input itself.
class SplitMix {
 public:
  explicit SplitMix(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }

 private:
  uint64_t s_;
};

void check_message(const Message& m, uint8_t version) {
  std::array<uint8_t, kMaxMessageSizeV2> buf{};
  const size_t n = encode(m, buf);
  require(n > 0, "re-encodes");
  const FrameSize f = frame_size(std::span<const uint8_t>(buf.data(), n), version);
  require(f.status == FrameSize::Known && f.size == n, "re-encode size");
  const std::optional<Message> back = decode(std::span<const uint8_t>(buf.data(), n), version);
  require(back.has_value() && *back == m, "decode(encode(m)) == m");
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "{}", m);
  require(out.size() > 0, "formatted");
}

// Feeds `data` in chunks of next_chunk() bytes with budgets from next_budget(),
// resuming Paused feeds from where they stopped, like a server loop would.
template <class ChunkFn, class BudgetFn>
Outcome run(std::span<const uint8_t> data, uint8_t version, ChunkFn next_chunk,
            BudgetFn next_budget) {
  Outcome o;
  StreamDecoder d;
  d.set_version(version);
  const auto visit = [&](const Message& m) { o.messages.push_back(m); };
  size_t pos = 0;    // start of the bytes not yet given to the decoder
  size_t avail = 0;  // how many bytes the "socket" has delivered so far
  while (pos < data.size()) {
    if (avail == pos) avail = std::min(data.size(), pos + next_chunk());
    const std::span<const uint8_t> input = data.subspan(pos, avail - pos);
    const FeedResult r = d.feed(input, visit, next_budget());
    require(r.consumed <= input.size(), "consumed within input");
    pos += r.consumed;
    switch (r.status) {
      case DecodeStatus::UnknownType:
        require(r.bad_type == input[r.consumed] && !type_defined(r.bad_type, version),
                "bad byte reported");
        o.final_status = DecodeStatus::UnknownType;
        o.bad_offset = pos;
        return o;
      case DecodeStatus::Malformed:
        require(version >= 2 && variable_size(r.bad_type), "only v2 chat is malformed");
        require(d.failed(), "a malformed message is fatal");
        o.final_status = DecodeStatus::Malformed;
        o.bad_offset = pos;
        return o;
      case DecodeStatus::Incomplete:
      case DecodeStatus::Ok:
        require(r.consumed == input.size(), "Ok/Incomplete consume everything");
        require(d.has_partial() == (r.status == DecodeStatus::Incomplete), "partial flag");
        break;
      case DecodeStatus::Paused:
        break;
    }
  }
  o.final_status = d.has_partial() ? DecodeStatus::Incomplete : DecodeStatus::Ok;
  o.pending = d.pending_bytes();
  return o;
}

void drive_dfa(const std::vector<Message>& msgs, uint64_t choice, uint8_t version) {
  const size_t states = version >= 2 ? kStateCountV2 : kStateCount;
  for (Role role : {Role::Server, Role::Client}) {
    DfaTracker t(role, static_cast<State>(choice % states), version);
    for (const Message& m : msgs) {
      const MsgType type = type_of(m);
      const State before = t.state();
      const bool sending =
          (choice = choice * 6364136223846793005ull + 1442695040888963407ull) >> 63;
      const Transition tr = sending ? t.on_send(type) : t.on_receive(type);
      require(static_cast<size_t>(t.state()) < states, "valid state");
      if (tr.verdict != Verdict::Accept) require(t.state() == before, "no move on non-accept");
      if (tr.verdict == Verdict::IgnoreTolerated) {
        require(!sending && role == Role::Server, "only the server ever ignores");
        if (version == 1)
          require(type == MsgType::MakeMove && before == State::GameEnd, "only the v1 cell");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  uint64_t seed = size;
  for (size_t i = 0; i < std::min<size_t>(size, 8); ++i) seed = seed * 131 + data[i];

  for (uint8_t version : {uint8_t{1}, uint8_t{2}}) {
    const Outcome whole = run(
        input, version, [&] { return input.size(); }, [] { return StreamDecoder::kUnlimited; });
    const Outcome bytewise = run(
        input, version, [] { return size_t{1}; }, [] { return size_t{1}; });
    SplitMix rng(seed);
    const Outcome chunked = run(
        input, version, [&] { return size_t{1} + rng.next() % 48; },
        [&] { return static_cast<size_t>(rng.next() % 4); });

    for (const Outcome* o : {&bytewise, &chunked}) {
      require(o->messages == whole.messages, "same messages however the stream is split");
      require(o->final_status == whole.final_status, "same end status");
      require(o->bad_offset == whole.bad_offset, "same bad-byte offset");
      require(o->pending == whole.pending, "same pending tail");
    }
    for (const Message& m : whole.messages) {
      require(version >= 2 || static_cast<uint8_t>(type_of(m)) <= kLastMsgType,
              "a v1 stream holds only v1 messages");
      check_message(m, version);
    }
    drive_dfa(whole.messages, seed, version);
  }
  return 0;
}
