#include "reactor/address.hpp"

#include <sys/socket.h>

#include <catch2/catch.hpp>

using namespace checkers::reactor;

TEST_CASE("addresses: formatted as log lines show them; parsed back", "[address]") {
  sockaddr_storage a{};
  REQUIRE(parse_ip("127.0.0.1", 8864, a));
  CHECK(format_address(a) == "127.0.0.1:8864");
  CHECK(address_port(a) == 8864);
  REQUIRE(parse_ip("::1", 7, a));
  CHECK(format_address(a) == "[::1]:7");
  REQUIRE(parse_ip("[fe80::1]", 9, a));
  CHECK(format_address(a) == "[fe80::1]:9");
  REQUIRE(parse_ip("::ffff:10.0.0.2", 1, a));
  CHECK(format_address(a) == "10.0.0.2:1");  // v4-mapped: as the v4 address
  CHECK_FALSE(parse_ip("not an address", 1, a));
}

TEST_CASE("addresses: an in-process socketpair is 'local', not '?:0'", "[address]") {
  sockaddr_storage a{};
  a.ss_family = AF_UNIX;
  CHECK(format_address(a) == "local");
}
