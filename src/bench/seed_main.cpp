// checkers-bench-seed: prepares bench accounts in a checkers-server data dir (the server
// must not be running on it). Every account gets the same password and one shared,
// low-cost yescrypt hash, so that logging thousands of bench sessions in measures the
// server's event loop rather than yescrypt at its default cost (checkers-bench login
// measures that cost on accounts made the normal way). With --rating-step the accounts
// get distinct ratings, so that a server started with --match-gap 0 --match-gap-growth 0
// never pairs them: they stay queued (the idle / scale benchmark).
#include <crypt.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <optional>
#include <string>

#include "server/account.hpp"
#include "server/store.hpp"

namespace {

constexpr int kExitUsage = 2;
// yescrypt's lowest cost (N = 2^10 blocks): a few ms per verify instead of tens.
constexpr unsigned long kCheapYescryptCost = 1;

std::string cheap_hash(const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$y$", kCheapYescryptCost, nullptr, 0, setting, sizeof setting) == nullptr)
    throw std::runtime_error("crypt_gensalt_rn($y$) failed");
  crypt_data data{};
  const char* out = crypt_rn(password.c_str(), setting, &data, sizeof data);
  if (out == nullptr || out[0] != '$') throw std::runtime_error("crypt_rn(yescrypt) failed");
  return out;
}

// The hash of an earlier seeding if it is a cheap one of this password, so that seeding
// again changes nothing.
std::optional<std::string> reusable_hash(const checkers::server::Account* a,
                                         const std::string& password) {
  if (a == nullptr || a->password_hash.rfind("$y$j75$", 0) != 0) return std::nullopt;
  crypt_data data{};
  const char* out = crypt_rn(password.c_str(), a->password_hash.c_str(), &data, sizeof data);
  if (out == nullptr || a->password_hash != out) return std::nullopt;
  return a->password_hash;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"checkers-bench-seed: create bench accounts with a cheap shared password hash"};
  std::string data_dir, prefix = "bench-", password = "bench-pw";
  size_t count = 0, first_id = 0;
  double rating_base = 1500, rating_step = 0;
  app.add_option("--data-dir", data_dir, "checkers-server data dir")->required();
  app.add_option("--prefix", prefix, "Account names are <prefix><n>")->capture_default_str();
  app.add_option("--count", count, "Accounts to make")->required();
  app.add_option("--first-id", first_id, "Number of the first account")->capture_default_str();
  app.add_option("--password", password, "Their password")->capture_default_str();
  app.add_option("--rating-base", rating_base, "Rating of the first account")
      ->capture_default_str();
  app.add_option("--rating-step", rating_step, "Rating difference between consecutive accounts")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  try {
    auto store = checkers::server::AccountStore::open(data_dir);
    const std::string hash = reusable_hash(store->find(prefix + std::to_string(first_id)), password)
                                 .value_or(cheap_hash(password));
    size_t made = 0, updated = 0;
    for (size_t i = 0; i < count; ++i) {
      checkers::server::Account a;
      a.name = prefix + std::to_string(first_id + i);
      a.password_hash = hash;
      a.glicko.rating = rating_base + rating_step * static_cast<double>(i);
      const checkers::server::Account* old = store->find(a.name);
      if (old == nullptr) {
        store->create_account(a);
        ++made;
      } else if (old->password_hash != hash && old->glicko.rating == a.glicko.rating) {
        store->set_password_hash(a.name, hash);
        ++updated;
      } else if (old->glicko.rating != a.glicko.rating) {
        // Played before: start again from the seeded rating.
        store->remove_account(a.name);
        store->create_account(a);
        ++updated;
      }
    }
    store->sync();
    fmt::print("checkers-bench-seed: {} accounts {}{}..{}: {} created, {} reset\n", count, prefix,
               first_id, first_id + count - 1, made, updated);
  } catch (const std::exception& e) {
    fmt::print(stderr, "checkers-bench-seed: {}\n", e.what());
    return 1;
  }
  return 0;
}
