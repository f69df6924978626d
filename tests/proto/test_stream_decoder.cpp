// StreamDecoder framing: arbitrary splits, several messages per read, unknown type
// bytes, truncated tails, message budgets. Every chunk is fed from its own
// exactly-sized heap block so ASan catches any read past the input.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "proto/format.hpp"
#include "proto/stream_decoder.hpp"

using namespace checkers::proto;
using Bytes = std::vector<uint8_t>;

namespace {

std::vector<Message> sample_messages() {
  Board b;
  b.set(0, 0, Code::OwnKing);
  b.set(7, 7, Code::OpponentKing);
  b.set(3, 5, Code::OwnMan);
  return {Connect{1, "abcdefghijklmnop", "pw"},
          QueuePosition{5, 3, 1190},
          GameStart{"jen", 1190},
          YourTurn{kFirstTurnSentinel, b},
          MakeMove{Move{3, 5, -1, -1}},
          CompulsoryMove{Move{2, 2, 1, -1}, b},
          InvalidMove{Move{0, 6, 1, 1}, b},
          OpponentDisconnect{},
          GameOver{1, 1200, 1190, Move{1, 5, 1, 1}, b},
          ReQueue{},
          LogOut{},
          InvalidLogin{LoginFailure::InvalidPassword},
          InvalidVersion{1, 1}};
}

Bytes encode_all(const std::vector<Message>& msgs) {
  Bytes out;
  for (const Message& m : msgs) REQUIRE(encode_append(m, out));
  return out;
}

struct Collector {
  std::vector<Message> got;
  StreamDecoder decoder;

  // Feeds a private copy of `chunk` so that reading past it is an ASan error.
  FeedResult feed(const Bytes& chunk, size_t budget = StreamDecoder::kUnlimited) {
    auto copy = std::make_unique<uint8_t[]>(chunk.size() + (chunk.empty() ? 1 : 0));
    std::copy(chunk.begin(), chunk.end(), copy.get());
    return decoder.feed(
        std::span<const uint8_t>(copy.get(), chunk.size()),
        [this](const Message& m) { got.push_back(m); }, budget);
  }
};

Bytes slice(const Bytes& b, size_t from, size_t to) {
  return Bytes(b.begin() + from, b.begin() + to);
}

}  // namespace

TEST_CASE("three messages in one buffer", "[proto][stream]") {
  const std::vector<Message> msgs{MakeMove{Move{3, 5, -1, -1}}, LogOut{},
                                  QueuePosition{1, 1, 1200}};
  Collector c;
  const FeedResult r = c.feed(encode_all(msgs));
  CHECK(r.status == DecodeStatus::Ok);
  CHECK(r.consumed == 2 + 1 + 13);
  CHECK(r.messages == 3);
  CHECK(c.got == msgs);
  CHECK_FALSE(c.decoder.has_partial());
}

TEST_CASE("a stream split at every byte boundary yields the same messages", "[proto][stream]") {
  const std::vector<Message> msgs = sample_messages();
  const Bytes stream = encode_all(msgs);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut at " << cut);
    Collector c;
    const FeedResult a = c.feed(slice(stream, 0, cut));
    CHECK(a.consumed == cut);
    CHECK(a.status != DecodeStatus::UnknownType);
    const FeedResult b = c.feed(slice(stream, cut, stream.size()));
    CHECK(b.consumed == stream.size() - cut);
    CHECK(b.status == DecodeStatus::Ok);
    CHECK(c.got == msgs);
  }
}

TEST_CASE("a stream fed in chunks of every size, and one byte at a time", "[proto][stream]") {
  const std::vector<Message> msgs = sample_messages();
  const Bytes stream = encode_all(msgs);
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    INFO("chunk size " << chunk);
    Collector c;
    for (size_t pos = 0; pos < stream.size(); pos += chunk) {
      const size_t end = std::min(stream.size(), pos + chunk);
      const FeedResult r = c.feed(slice(stream, pos, end));
      REQUIRE(r.consumed == end - pos);
      REQUIRE(r.status == (c.decoder.has_partial() ? DecodeStatus::Incomplete : DecodeStatus::Ok));
    }
    CHECK(c.got == msgs);
  }
}

TEST_CASE("random splits of a long stream", "[proto][stream]") {
  std::mt19937 rng(7);
  std::vector<Message> msgs;
  const std::vector<Message> sample = sample_messages();
  for (int i = 0; i < 400; ++i) msgs.push_back(sample[rng() % sample.size()]);
  const Bytes stream = encode_all(msgs);
  Collector c;
  size_t pos = 0;
  while (pos < stream.size()) {
    const size_t end = std::min(stream.size(), pos + rng() % 80);
    c.feed(slice(stream, pos, end));
    pos = end;
  }
  CHECK(c.got == msgs);
}

TEST_CASE("an unknown type byte is fatal at once", "[proto][stream]") {
  for (uint8_t bad : {uint8_t{0x00}, uint8_t{0x0e}, uint8_t{0x7f}, uint8_t{0xff}}) {
    INFO("bad byte " << int{bad});
    Collector c;
    // LogOut, then the bad byte, then a valid message that must not be delivered.
    const FeedResult r = c.feed(Bytes{0x0c, bad, 0x0b});
    CHECK(r.status == DecodeStatus::UnknownType);
    CHECK(r.bad_type == bad);
    CHECK(r.consumed == 1);
    CHECK(r.messages == 1);
    CHECK(c.got == std::vector<Message>{LogOut{}});
    CHECK(c.decoder.failed());
    // The decoder stays failed until reset.
    const FeedResult again = c.feed(Bytes{0x0b});
    CHECK(again.status == DecodeStatus::UnknownType);
    CHECK(again.consumed == 0);
    CHECK(c.got.size() == 1);
    c.decoder.reset();
    CHECK(c.feed(Bytes{0x0b}).status == DecodeStatus::Ok);
    CHECK(c.got.size() == 2);
  }
}

TEST_CASE("an unknown byte right after a completed partial message", "[proto][stream]") {
  Collector c;
  CHECK(c.feed(Bytes{0x06}).status == DecodeStatus::Incomplete);
  const FeedResult r = c.feed(Bytes{0x74, 0xee});
  CHECK(r.status == DecodeStatus::UnknownType);
  CHECK(r.consumed == 1);
  CHECK(r.bad_type == 0xee);
  CHECK(c.got == std::vector<Message>{MakeMove{Move{3, 5, -1, -1}}});
}

TEST_CASE("a truncated final message is kept and reported incomplete", "[proto][stream]") {
  const Bytes qp = *to_bytes(QueuePosition{2, 1, 1200});
  const Bytes yt = *to_bytes(YourTurn{Move{3, 5, -1, -1}, Board{}});
  Bytes first = qp;
  first.insert(first.end(), yt.begin(), yt.begin() + 10);

  Collector c;
  FeedResult r = c.feed(first);
  CHECK(r.status == DecodeStatus::Incomplete);
  CHECK(r.partial_is_new);
  CHECK(r.consumed == first.size());
  CHECK(r.messages == 1);
  CHECK(c.decoder.has_partial());
  CHECK(c.decoder.pending_bytes() == 10);
  CHECK(c.decoder.missing_bytes() == 16);

  r = c.feed(slice(yt, 10, 15));
  CHECK(r.status == DecodeStatus::Incomplete);
  CHECK_FALSE(r.partial_is_new);  // the same message is still incomplete
  CHECK(c.decoder.pending_bytes() == 15);

  r = c.feed(Bytes{});
  CHECK(r.status == DecodeStatus::Incomplete);
  CHECK(r.consumed == 0);

  // The rest plus the first byte of another message: a new partial.
  Bytes rest = slice(yt, 15, yt.size());
  rest.push_back(0x01);
  r = c.feed(rest);
  CHECK(r.status == DecodeStatus::Incomplete);
  CHECK(r.partial_is_new);
  CHECK(r.messages == 1);
  CHECK(c.decoder.pending_bytes() == 1);
  CHECK(c.got.size() == 2);
  CHECK(c.got[1] == Message{YourTurn{Move{3, 5, -1, -1}, Board{}}});
}

TEST_CASE("a message budget pauses decoding and leaves the rest to the caller", "[proto][stream]") {
  const std::vector<Message> msgs{LogOut{}, ReQueue{}, MakeMove{Move{1, 2, -1, 1}}, LogOut{},
                                  QueuePosition{1, 1, 1}};
  const Bytes stream = encode_all(msgs);
  Collector c;
  FeedResult r = c.feed(stream, 2);
  CHECK(r.status == DecodeStatus::Paused);
  CHECK(r.messages == 2);
  CHECK(r.consumed == 2);
  CHECK_FALSE(c.decoder.has_partial());

  r = c.feed(slice(stream, 2, stream.size()), 2);
  CHECK(r.status == DecodeStatus::Paused);
  CHECK(r.consumed == 3);

  r = c.feed(slice(stream, 5, stream.size()), 2);
  CHECK(r.status == DecodeStatus::Ok);  // the last message fits in the budget
  CHECK(r.consumed == 13);
  CHECK(c.got == msgs);
}

TEST_CASE("a budget counts the completed partial message", "[proto][stream]") {
  Collector c;
  CHECK(c.feed(Bytes{0x06}).status == DecodeStatus::Incomplete);
  FeedResult r = c.feed(Bytes{0x74, 0x0c}, 0);
  CHECK(r.status == DecodeStatus::Paused);
  CHECK(r.consumed == 0);
  r = c.feed(Bytes{0x74, 0x0c}, 1);
  CHECK(r.status == DecodeStatus::Paused);
  CHECK(r.consumed == 1);
  CHECK(c.got.size() == 1);
  r = c.feed(Bytes{0x0c}, 1);
  CHECK(r.status == DecodeStatus::Ok);
  CHECK(c.got.size() == 2);
}

TEST_CASE("a visitor returning false stops right after that message", "[proto][stream]") {
  const Bytes stream = encode_all({LogOut{}, ReQueue{}, LogOut{}});
  StreamDecoder d;
  std::vector<Message> got;
  const FeedResult r = d.feed(stream, [&](const Message& m) {
    got.push_back(m);
    return !std::holds_alternative<ReQueue>(m);
  });
  CHECK(r.status == DecodeStatus::Paused);
  CHECK(r.consumed == 2);
  CHECK(got.size() == 2);
}
