// `checkers-server user ...`: the command runner against a real store, its
// CLI wiring, and (when the binary has been built) the real binary.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <deque>
#include <filesystem>
#include <sstream>

#include <CLI/CLI.hpp>

#include "server/password.hpp"
#include "server/store.hpp"
#include "server/user_admin.hpp"
#include "temp_dir.hpp"

using namespace checkers::server;
using checkers::test::slurp;
using checkers::test::TempDir;
namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  std::string out, err;
};

// Runs a user command with scripted password answers (as if typed or piped).
Run run(const fs::path& dir, const std::string& action, const std::string& name,
        std::deque<std::string> answers = {}, bool interactive = false) {
  std::ostringstream out, err;
  PasswordReader reader = [&answers](std::string_view) -> std::optional<std::string> {
    if (answers.empty()) return std::nullopt;
    std::string a = answers.front();
    answers.pop_front();
    return a;
  };
  const int code = run_user_command({action, name}, dir, out, err, reader, interactive);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("user commands: add, list, passwd, del round trip", "[user_admin]") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "var";
  Run r = run(dir, "add", "alice", {"pw1"});
  CHECK(r.code == 0);
  CHECK(r.err.empty());
  CHECK(run(dir, "add", "bob", {""}).code == 0);  // the empty password is allowed

  r = run(dir, "add", "alice", {"other"});
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("already exists"));

  r = run(dir, "list", "");
  CHECK(r.code == 0);
  CHECK_THAT(r.out,
             Catch::Contains("alice") && Catch::Contains("1500") && Catch::Contains("never"));
  CHECK(r.out.find("pw1") == std::string::npos);
  {
    auto store = AccountStore::open(dir);
    CHECK(verify_password("pw1", store->find("alice")->password_hash));
    CHECK(verify_password("", store->find("bob")->password_hash));
    CHECK(slurp(dir / "accounts.journal").find("pw1") == std::string::npos);
  }

  CHECK(run(dir, "passwd", "alice", {"pw2"}).code == 0);
  CHECK(verify_password("pw2", AccountStore::open(dir)->find("alice")->password_hash));

  r = run(dir, "passwd", "carol", {"x"});
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("no such user"));

  CHECK(run(dir, "del", "alice").code == 0);
  CHECK(run(dir, "del", "alice").code == 1);
  CHECK(AccountStore::open(dir)->find("alice") == nullptr);
}

TEST_CASE("user commands: bad input fails with a message and exit 1", "[user_admin]") {
  TempDir tmp;
  Run r = run(tmp.path(), "add", std::string(17, 'x'), {"pw"});
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("invalid user name"));
  r = run(tmp.path(), "add", "alice", {std::string(17, 'p')});
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("too long"));
  r = run(tmp.path(), "add", "alice", {});
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("no password"));
  r = run(tmp.path(), "add", "alice", {"one", "two"}, true);
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("do not match"));
  CHECK(run(tmp.path(), "add", "alice", {"same", "same"}, true).code == 0);
  CHECK(AccountStore::open(tmp.path())->size() == 1);
}

TEST_CASE("user commands: refused while the data dir is locked, list still works", "[user_admin]") {
  TempDir tmp;
  CHECK(run(tmp.path(), "add", "alice", {"pw"}).code == 0);
  auto server_store = AccountStore::open(tmp.path());  // stands in for the running server
  Run r = run(tmp.path(), "add", "bob", {"pw"});
  CHECK(r.code == 1);
  CHECK_THAT(r.err, Catch::Contains("checkers-server is running on this data dir (pid " +
                                    std::to_string(::getpid()) + "); stop it first"));
  CHECK(run(tmp.path(), "del", "alice").code == 1);
  r = run(tmp.path(), "list", "");
  CHECK(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("alice"));
}

TEST_CASE("user commands: CLI wiring reads --data-dir before or after the subcommand",
          "[user_admin]") {
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {"--data-dir", "/x", "user", "add", "bob"},
           {"user", "add", "bob", "--data-dir", "/x"},
       }) {
    CLI::App app;
    std::string data_dir = "./var";
    app.add_option("--data-dir", data_dir);
    UserCommandArgs args;
    CLI::App* user = add_user_subcommands(app, args);
    std::vector<std::string> reversed(argv.rbegin(), argv.rend());
    app.parse(reversed);
    CHECK(user->parsed());
    CHECK(args.action == "add");
    CHECK(args.name == "bob");
    CHECK(data_dir == "/x");
  }
  CLI::App app;
  UserCommandArgs args;
  add_user_subcommands(app, args);
  std::vector<std::string> bare{"user"};
  CHECK_THROWS_AS(app.parse(bare), CLI::ParseError);
  std::vector<std::string> list{"list", "user"};
  app.parse(list);
  CHECK(args.action == "list");
}

namespace {
// Runs `checkers-server <args>` with `input` on stdin; returns the exit code.
int run_binary(const std::string& bin, const std::string& args, const std::string& input,
               std::string* output) {
  TempDir io;
  checkers::test::spit(io.path() / "in", input);
  const std::string cmd = "'" + bin + "' " + args + " <'" + (io.path() / "in").string() + "' >'" +
                          (io.path() / "out").string() + "' 2>&1";
  const int status = std::system(cmd.c_str());
  *output = slurp(io.path() / "out");
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

TEST_CASE("user commands through the real checkers-server binary", "[user_admin][binary]") {
  const std::string bin = std::string(CHECKERS_BIN_DIR) + "/checkers-server";
  if (!fs::exists(bin)) {
    WARN("SKIP: " << bin << " not built; the binary round trip was not run");
    return;
  }
  TempDir tmp;
  const std::string dd = "--data-dir '" + tmp.path().string() + "'";
  std::string out;
  CHECK(run_binary(bin, dd + " user add alice", "secret\n", &out) == 0);
  INFO(out);
  CHECK(run_binary(bin, "user add alice " + dd, "secret\n", &out) == 1);
  CHECK_THAT(out, Catch::Contains("already exists"));
  CHECK(run_binary(bin, dd + " user list", "", &out) == 0);
  CHECK_THAT(out, Catch::Contains("alice") && Catch::Contains("1500"));
  CHECK(run_binary(bin, dd + " user passwd alice", "changed\n", &out) == 0);
  CHECK(verify_password("changed", AccountStore::open(tmp.path())->find("alice")->password_hash));
  {
    auto held = AccountStore::open(tmp.path());
    CHECK(run_binary(bin, dd + " user del alice", "", &out) == 1);
    CHECK_THAT(out, Catch::Contains("checkers-server is running on this data dir (pid"));
  }
  CHECK(run_binary(bin, dd + " user del alice", "", &out) == 0);
  CHECK(run_binary(bin, dd + " user list", "", &out) == 0);
  CHECK(out.find("alice") == std::string::npos);
}
