// yescrypt hashing through libcrypt's reentrant API. Each call owns its
// struct crypt_data (about 32 KiB, so on the heap), which keeps both
// functions thread-safe.
//
// crypt(3) takes a C string, but protocol passwords may hold any bytes. The
// phrase handed to crypt is therefore the password with 0x01 -> 01 02 and
// 0x00 -> 01 03: injective, and the identity for ordinary passwords, so a
// hash made with other crypt tools (mkpasswd -m yescrypt) still verifies.
#include "server/password.hpp"

#include <crypt.h>
#include <string.h>

#include <memory>

namespace checkers::server {
namespace {

std::string crypt_phrase(std::string_view password) {
  std::string phrase;
  phrase.reserve(password.size() + 4);
  for (const char c : password) {
    if (c == '\x01' || c == '\0') {
      phrase.push_back('\x01');
      phrase.push_back(c == '\x01' ? '\x02' : '\x03');
    } else {
      phrase.push_back(c);
    }
  }
  return phrase;
}

// Wipes the phrase and crypt's scratch state on every exit path.
struct CryptCall {
  std::string phrase;
  std::unique_ptr<crypt_data> data = std::make_unique<crypt_data>();

  explicit CryptCall(std::string_view password) : phrase(crypt_phrase(password)) {}
  ~CryptCall() {
    explicit_bzero(phrase.data(), phrase.size());
    explicit_bzero(data.get(), sizeof(crypt_data));
  }
  CryptCall(const CryptCall&) = delete;
  CryptCall& operator=(const CryptCall&) = delete;

  const char* run(const char* setting) {
    return crypt_rn(phrase.c_str(), setting, data.get(), sizeof(crypt_data));
  }
};

bool constant_time_equal(const char* a, std::size_t a_len, const std::string& b) {
  if (a_len != b.size()) return false;  // lengths are public (they follow the format)
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a_len; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string hash_password(std::string_view password, unsigned long cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  // nullptr entropy = libcrypt reads the OS RNG itself.
  if (crypt_gensalt_rn("$y$", cost, nullptr, 0, setting, sizeof setting) == nullptr)
    throw PasswordError(
        "crypt_gensalt_rn($y$) failed: bad cost, no yescrypt support or no entropy");
  CryptCall call(password);
  const char* out = call.run(setting);
  if (out == nullptr || out[0] != '$') throw PasswordError("crypt_rn(yescrypt) failed");
  return std::string(out);
}

bool verify_password(std::string_view password, const std::string& stored_hash) {
  if (stored_hash.empty() || stored_hash[0] != '$') return false;
  CryptCall call(password);
  const char* out = call.run(stored_hash.c_str());
  if (out == nullptr) return false;
  return constant_time_equal(out, strlen(out), stored_hash);
}

}  // namespace checkers::server
