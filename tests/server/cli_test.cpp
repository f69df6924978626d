// The checkers-server command line: --help, --version, usage errors exit 2,
// and the `user add|list|passwd|del` round trip against a real store and server.
#include "fixture.hpp"

using namespace checkers;
using namespace checkers::test;

namespace {
RunResult server_cli(std::vector<std::string> args) {
  args.insert(args.begin(), ServerProcess::binary().string());
  return run_command(args);
}
}  // namespace

TEST_CASE("--help documents every option with its default", "[server][cli]") {
  const RunResult r = server_cli({"--help"});
  CHECK(r.exit_code == 0);
  for (const char* opt :
       {"--listen-addr", "--port", "--data-dir", "--poller", "--verbose", "--quiet", "--log-file",
        "--max-clients", "--max-clients-per-ip", "--turn-timeout", "--login-timeout",
        "--registration", "--port-file", "--version", "user"}) {
    INFO(opt);
    CHECK(r.out.find(opt) != std::string::npos);
  }
  CHECK(r.out.find("8864") != std::string::npos);
  CHECK(r.out.find("120") != std::string::npos);
  CHECK(r.out.find("./var") != std::string::npos);
}

TEST_CASE("--version prints the version", "[server][cli]") {
  const RunResult r = server_cli({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("checkers-server") != std::string::npos);
}

TEST_CASE("bad command lines exit 2 with a message", "[server][cli]") {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--port", "abc"},
                                                                {"--port", "70000"},
                                                                {"--poller", "kqueue"},
                                                                {"--verbose", "--quiet"},
                                                                {"--registration", "maybe"},
                                                                {"--turn-timeout", "-1"},
                                                                {"--max-clients", "0"},
                                                                {"--no-such-option"}}) {
    const RunResult r = server_cli(args);
    INFO(args.front() << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_FALSE(r.err.empty());
  }
}

TEST_CASE("user add / list / passwd / del round trip", "[server][cli]") {
  ServerProcess::Options o;
  o.start = false;
  o.extra_args = {"--registration", "closed"};
  ServerProcess srv(o);
  REQUIRE(srv.run_admin({"user", "add", "alice"}, "first\n").exit_code == 0);
  REQUIRE(srv.run_admin({"user", "add", "bob"}, "bobpw\n").exit_code == 0);
  CHECK(srv.run_admin({"user", "add", "alice"}, "again\n").exit_code != 0);  // exists
  RunResult list = srv.run_admin({"user", "list"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("alice") != std::string::npos);
  CHECK(list.out.find("1500") != std::string::npos);

  srv.start();
  {
    ProtocolClient c(srv.port());
    CHECK(c.login("alice", "first").rating == 1500);
  }
  // Mutations need the lock the running server holds; list works alongside.
  const RunResult busy = srv.run_admin({"user", "passwd", "alice"}, "x\n");
  CHECK(busy.exit_code == 1);
  CHECK(busy.err.find("running") != std::string::npos);
  CHECK(srv.run_admin({"user", "list"}).exit_code == 0);
  CHECK(srv.stop() == 0);

  REQUIRE(srv.run_admin({"user", "passwd", "alice"}, "second\n").exit_code == 0);
  srv.start();
  {
    ProtocolClient c(srv.port());
    auto m = c.connect("alice", "first");
    REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
    CHECK(std::get<proto::InvalidLogin>(m).reason == proto::LoginFailure::InvalidPassword);
    CHECK(c.login("alice", "second").queue_size == 1);
  }
  CHECK(srv.stop() == 0);

  REQUIRE(srv.run_admin({"user", "del", "alice"}).exit_code == 0);
  list = srv.run_admin({"user", "list"});
  CHECK(list.out.find("alice") == std::string::npos);
  CHECK(list.out.find("bob") != std::string::npos);
  srv.start();
  ProtocolClient c(srv.port());
  auto m = c.connect("alice", "second");
  REQUIRE(std::holds_alternative<proto::InvalidLogin>(m));
  CHECK(std::get<proto::InvalidLogin>(m).reason == proto::LoginFailure::AccountDoesNotExist);
}

TEST_CASE("user list on a data dir that does not exist says so, exits 1 and creates nothing",
          "[server][cli]") {
  TempDir tmp("cli-missing");
  const auto missing = tmp / "no-such-dir";
  const RunResult r = server_cli({"--data-dir", missing.string(), "user", "list"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("there is no account store at " + missing.string()) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(missing));
}
