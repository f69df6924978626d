// Password hashing with yescrypt through libcrypt. Both functions are
// thread-safe and slow by design (tens of ms): call them on the reactor's
// work queue, never on the loop thread. Passwords are never logged.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace checkers::server {

struct PasswordError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// yescrypt cost for crypt_gensalt_rn: 0 = libcrypt's default (5, "$y$j9T$",
// 16 MiB); each step down halves time and memory. Valid: 0, 1..11.
inline constexpr unsigned long kDefaultHashCost = 0;

// A fresh "$y$..." hash with a random salt (libcrypt draws the entropy).
// Any bytes are accepted (NUL included: see password.cpp for the encoding).
// Throws PasswordError if libcrypt fails (or the cost is out of range).
std::string hash_password(std::string_view password, unsigned long cost = kDefaultHashCost);

// True when `password` matches `stored_hash` (constant-time comparison of
// crypt's output). A malformed stored hash yields false, never a throw.
bool verify_password(std::string_view password, const std::string& stored_hash);

}  // namespace checkers::server
