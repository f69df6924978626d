#include "reactor/buffer.hpp"

#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>
#include <vector>

using checkers::reactor::Buffer;

TEST_CASE("buffer: append, retrieve, prepend", "[buffer]") {
  Buffer b;
  CHECK(b.empty());
  b.append(std::string_view("hello world"));
  CHECK(b.size() == 11);
  CHECK(b.view() == "hello world");
  b.retrieve(6);
  CHECK(b.view() == "world");
  CHECK(b.prependable_bytes() == Buffer::kCheapPrepend + 6);
  const char len = 5;
  b.prepend(&len, 1);
  CHECK(b.size() == 6);
  CHECK(b.peek()[0] == 5);
  CHECK(b.retrieve_as_string(100) == std::string("\x05world"));
  CHECK(b.empty());
  b.retrieve(3);  // more than readable: harmless
  CHECK(b.empty());
}

TEST_CASE("buffer: reuses consumed space before growing", "[buffer]") {
  Buffer b(64);
  const std::size_t cap = b.capacity();
  std::vector<std::uint8_t> chunk(40, 'x');
  for (int i = 0; i < 1000; ++i) {
    b.append(chunk.data(), chunk.size());
    b.retrieve(40);
  }
  CHECK(b.capacity() == cap);
  b.append(chunk.data(), 30);
  b.retrieve(20);
  b.append(chunk.data(), 40);  // fits only after moving the 10 live bytes to the front
  CHECK(b.capacity() == cap);
  CHECK(b.size() == 50);
}

TEST_CASE("buffer: grows for big appends and shrinks", "[buffer]") {
  Buffer b;
  std::vector<std::uint8_t> big(1 << 20);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 7);
  b.append(big.data(), big.size());
  REQUIRE(b.size() == big.size());
  CHECK(std::equal(big.begin(), big.end(), b.readable().begin()));
  b.retrieve(big.size() - 10);
  b.shrink(0);
  CHECK(b.capacity() < 1024);
  CHECK(b.size() == 10);
  CHECK(std::equal(big.end() - 10, big.end(), b.readable().begin()));
}

TEST_CASE("buffer: read_fd takes more than the writable space in one call", "[buffer]") {
  int sv[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  std::vector<std::uint8_t> data(100000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i % 251);
  std::size_t off = 0;
  Buffer b(1024);
  int err = 0;
  // Feed through the socket in pieces the kernel accepts, draining as we go.
  while (off < data.size() || b.size() < data.size()) {
    if (off < data.size()) {
      const ssize_t w = ::send(sv[0], data.data() + off,
                               std::min<std::size_t>(60000, data.size() - off), MSG_DONTWAIT);
      if (w > 0) off += static_cast<std::size_t>(w);
    }
    const ssize_t n = b.read_fd(sv[1], &err);
    REQUIRE(n > 0);
  }
  CHECK(std::equal(data.begin(), data.end(), b.readable().begin()));
  ::close(sv[0]);
  CHECK(b.read_fd(sv[1], &err) == 0);  // EOF
  ::close(sv[1]);
  CHECK(b.read_fd(sv[1], &err) == -1);
  CHECK(err == EBADF);
}
