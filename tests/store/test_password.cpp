// yescrypt hashing: format, salting, verification, odd bytes, threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "server/password.hpp"

using namespace checkers::server;

TEST_CASE("hash_password makes salted yescrypt hashes that verify", "[password]") {
  const std::string h1 = hash_password("s3cret");
  const std::string h2 = hash_password("s3cret");
  CHECK(h1.rfind("$y$", 0) == 0);
  CHECK(h1 != h2);  // fresh salt each time
  CHECK(h1.find("s3cret") == std::string::npos);
  CHECK(verify_password("s3cret", h1));
  CHECK(verify_password("s3cret", h2));
  CHECK_FALSE(verify_password("s3cret!", h1));
  CHECK_FALSE(verify_password("S3cret", h1));
  CHECK_FALSE(verify_password("", h1));
}

TEST_CASE("passwords may be empty or hold any bytes", "[password]") {
  const std::string empty = hash_password("");
  CHECK(verify_password("", empty));
  CHECK_FALSE(verify_password("x", empty));

  const std::string with_nul("a\0b", 3);
  const std::string h = hash_password(with_nul);
  CHECK(verify_password(with_nul, h));
  CHECK_FALSE(verify_password("a", h));  // no truncation at the NUL
  CHECK_FALSE(
      verify_password("a\x01\x03"
                      "b",
                      h));  // the escape is injective
  const std::string full(16, '\xff');
  CHECK(verify_password(full, hash_password(full)));
}

TEST_CASE("verify_password rejects malformed stored hashes without throwing", "[password]") {
  CHECK_FALSE(verify_password("x", ""));
  CHECK_FALSE(verify_password("x", "plain-text"));
  CHECK_FALSE(verify_password("x", "$y$garbage"));
  CHECK_FALSE(verify_password("x", "*0"));
}

TEST_CASE("hashing is thread-safe", "[password]") {
  const std::string reference = hash_password("shared");
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string mine = "user" + std::to_string(t);
      const std::string h = hash_password(mine);
      if (verify_password(mine, h) && verify_password("shared", reference) &&
          !verify_password("shared", h))
        ++good;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(good == 4);
}

TEST_CASE("the hash cost is selectable and recorded in the hash", "[password]") {
  const std::string cheap = hash_password("pw", 1);
  CHECK(cheap.rfind("$y$j75$", 0) == 0);
  CHECK(verify_password("pw", cheap));
  CHECK_FALSE(verify_password("pw2", cheap));
  CHECK(hash_password("pw").rfind("$y$j9T$", 0) == 0);  // libcrypt's default
  CHECK_THROWS_AS(hash_password("pw", 99), PasswordError);
}
