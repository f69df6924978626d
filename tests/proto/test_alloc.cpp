// The hot path does not allocate: decoding a stream of game messages and encoding
// replies into a reused buffer. Counted with a replaced global operator new.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "proto/stream_decoder.hpp"

namespace {
std::atomic<size_t> g_allocations{0};
}

namespace {
void* counted_alloc(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
}  // namespace

// Every non-aligned form is replaced so that allocation and release always pair up
// (ASan checks new/free mismatches).
void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

using namespace checkers::proto;

TEST_CASE("decoding and encoding allocate nothing per message", "[proto][alloc]") {
  Board b;
  b.set(1, 1, Code::OwnMan);
  const std::vector<Message> msgs{Connect{1, "abcdefghijklmnop", "0123456789abcdef"},
                                  GameStart{"abcdefghijklmnop", 1500},
                                  YourTurn{kFirstTurnSentinel, b},
                                  MakeMove{Move{3, 5, -1, -1}},
                                  GameOver{1, 2, 3, Move{}, b},
                                  LogOut{}};
  std::vector<uint8_t> stream;
  for (int i = 0; i < 200; ++i)
    for (const Message& m : msgs) encode_append(m, stream);
  std::vector<uint8_t> out;
  out.reserve(stream.size());

  StreamDecoder decoder;
  size_t decoded = 0;
  const size_t before = g_allocations.load();
  for (size_t pos = 0; pos < stream.size(); pos += 7) {  // odd chunks: partial tails too
    const size_t n = std::min<size_t>(7, stream.size() - pos);
    decoder.feed(std::span<const uint8_t>(stream.data() + pos, n), [&](const Message& m) {
      ++decoded;
      encode_append(m, out);
    });
  }
  const size_t after = g_allocations.load();
  CHECK(after == before);
  CHECK(decoded == 200 * msgs.size());
  CHECK(out == stream);
}
