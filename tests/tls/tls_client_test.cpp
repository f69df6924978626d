// checkers-client over TLS (issue 17): whole games between two real bots, trust on
// first use in known_servers, a changed certificate refused naming file and line before
// any Connect, a pinned fingerprint, no downgrade to plain for a server seen with TLS,
// and the plain-text fallback with its warning for a server that does not offer TLS.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "support/process.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "tls/tls_test_client.hpp"

using namespace checkers;
using namespace checkers::test;

namespace {

// One client's run with its own trust store (XDG_STATE_HOME) and extra arguments.
RunResult run_client(const std::filesystem::path& state, uint16_t port, const std::string& user,
                     std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {"/usr/bin/env", "XDG_STATE_HOME=" + state.string()};
  for (std::string& a : bot_client_argv(port, user, "random", 1, {"--no-save"}))
    argv.push_back(std::move(a));
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run_command(argv, {}, std::chrono::seconds(120));
}

// Two bots play one whole game; both results.
std::pair<RunResult, RunResult> play_game(const std::filesystem::path& state, uint16_t port,
                                          std::vector<std::string> extra = {}) {
  auto a = std::async(std::launch::async, [&] { return run_client(state, port, "alice", extra); });
  RunResult b = run_client(state, port, "bob", extra);
  return {a.get(), b};
}

std::filesystem::path known_servers(const std::filesystem::path& state) {
  return state / "checkers" / "known_servers";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("two bots play a whole game over TLS; first use stores the fingerprint, then it matches",
          "[tls][client]") {
  ServerProcess srv;
  TempDir state;
  const std::string fp = pem_fingerprint((srv.data_dir() / "tls-cert.pem").string());
  auto [a, b] = play_game(state.path(), srv.port());
  INFO(a.err << b.err);
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  CHECK(srv.log_contains("game #1 over"));
  // Shown to the player, stored once.
  // Shown in two lines of 16 bytes (80 columns).
  CHECK((a.err + b.err).find(fp.substr(0, 47) + "\n  " + fp.substr(48)) != std::string::npos);
  const std::string line = "127.0.0.1:" + std::to_string(srv.port()) + " " + fp + "\n";
  CHECK(read_file(known_servers(state.path())) == line);
  CHECK(a.err.find("unencrypted") == std::string::npos);

  // Second time: the stored fingerprint matches, nothing new is shown or stored.
  auto [c, d] = play_game(state.path(), srv.port());
  CHECK(c.exit_code == 0);
  CHECK(d.exit_code == 0);
  CHECK((c.err + d.err).find("First TLS connection") == std::string::npos);
  CHECK(read_file(known_servers(state.path())) == line);
  CHECK(srv.log_contains("game #2 over"));
}

TEST_CASE("a changed certificate is refused loudly, naming file and line; nothing is sent",
          "[tls][client]") {
  ServerProcess srv;
  TempDir state;
  std::filesystem::create_directories(state.path() / "checkers");
  {
    std::ofstream out(known_servers(state.path()));
    out << "# trusted servers\n";
    out << "127.0.0.1:" << srv.port() << " "
        << "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
           "DD:EE:FF\n";
  }
  const RunResult r = run_client(state.path(), srv.port(), "victim");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("HAS CHANGED") != std::string::npos);
  CHECK(r.err.find(known_servers(state.path()).string() + ":2") != std::string::npos);
  CHECK(r.err.find("remove line 2") != std::string::npos);
  // The Connect (with the password) never reached the server.
  CHECK_FALSE(srv.log_contains("victim"));
}

TEST_CASE("--tls-fingerprint pins the certificate: the right one plays, another is refused",
          "[tls][client]") {
  ServerProcess srv;
  TempDir state;
  const std::string fp = pem_fingerprint((srv.data_dir() / "tls-cert.pem").string());
  std::string lower = fp;  // any spelling of the same fingerprint
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto [a, b] = play_game(state.path(), srv.port(), {"--tls-fingerprint", lower});
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(known_servers(state.path())));  // pinned, not stored

  std::string other = fp;
  other[0] = other[0] == 'A' ? 'B' : 'A';
  const RunResult r = run_client(state.path(), srv.port(), "pinned", {"--tls-fingerprint", other});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("does not match --tls-fingerprint") != std::string::npos);
  CHECK_FALSE(srv.log_contains("pinned"));
}

TEST_CASE(
    "a server without TLS: auto falls back to plain with a warning; never for one seen with TLS",
    "[tls][client]") {
  ServerProcess plain({"--tls", "off"});
  TempDir state;
  auto [a, b] = play_game(state.path(), plain.port());
  INFO(a.err);
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  CHECK(a.err.find("does not offer TLS; your password travels unencrypted") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(known_servers(state.path())));

  // --tls on: TLS or nothing.
  const RunResult on = run_client(state.path(), plain.port(), "strict", {"--tls", "on"});
  CHECK(on.exit_code == 1);
  CHECK_FALSE(plain.log_contains("strict"));

  // The same address once answered with TLS (a line in known_servers): no downgrade.
  std::filesystem::create_directories(state.path() / "checkers");
  {
    std::ofstream out(known_servers(state.path()));
    out << "127.0.0.1:" << plain.port() << " "
        << "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:"
           "DD:EE:FF\n";
  }
  const RunResult r = run_client(state.path(), plain.port(), "downgraded");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not falling back to plain text") != std::string::npos);
  CHECK_FALSE(plain.log_contains("downgraded"));
}

TEST_CASE("--tls-ca verifies the chain and the address: signed plays, another CA or name refused",
          "[tls][client][ca]") {
  const std::string openssl = "/usr/bin/openssl";
  if (!std::filesystem::exists(openssl)) {
    WARN("SKIPPED: no openssl command (scripts/bootstrap installs it)");
    return;
  }
  TempDir pki("tls-ca");
  const auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), openssl);
    const RunResult r = run_command(args, {}, std::chrono::seconds(60));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };
  const std::string dir = pki.path().string();
  for (const char* ca : {"ca", "other-ca"})
    run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", dir + "/" + ca + ".key", "-out", dir + "/" + ca + ".pem", "-days", "2", "-subj",
         std::string("/CN=") + ca});
  run({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
       dir + "/srv.key", "-out", dir + "/srv.csr", "-subj", "/CN=checkers test server"});
  {
    std::ofstream ext(dir + "/san.ext");
    ext << "subjectAltName=IP:127.0.0.1\n";
  }
  run({"x509", "-req", "-in", dir + "/srv.csr", "-CA", dir + "/ca.pem", "-CAkey", dir + "/ca.key",
       "-CAcreateserial", "-out", dir + "/srv.pem", "-days", "2", "-extfile", dir + "/san.ext"});

  ServerProcess srv({"--tls-cert", dir + "/srv.pem", "--tls-key", dir + "/srv.key"});
  TempDir state;
  auto [a, b] = play_game(state.path(), srv.port(), {"--tls-ca", dir + "/ca.pem"});
  INFO(a.err << b.err);
  CHECK(a.exit_code == 0);
  CHECK(b.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(known_servers(state.path())));  // the CA decides

  const RunResult other =
      run_client(state.path(), srv.port(), "wrongca", {"--tls-ca", dir + "/other-ca.pem"});
  INFO(other.err);
  CHECK(other.exit_code == 1);
  CHECK(other.err.find("certificate verify failed") != std::string::npos);
  CHECK_FALSE(srv.log_contains("wrongca"));
}
