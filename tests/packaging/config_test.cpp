// checkers-server --config: the INI/TOML file sets every option, the command line
// overrides it, bad files exit 2 naming the problem, `user` commands take their
// data dir from it, and the shipped sample (packaging/server.conf) is valid.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/process.hpp"
#include "support/protocol_client.hpp"
#include "support/server_process.hpp"
#include "support/temp_dir.hpp"

using namespace checkers;
using namespace checkers::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p);
  f << text;
  REQUIRE(f.good());
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

RunResult server_cli(std::vector<std::string> args, const std::string& stdin_text = {}) {
  args.insert(args.begin(), ServerProcess::binary().string());
  return run_command(args, stdin_text);
}

// A port that was free a moment ago (bound to 0, read back, closed).
uint16_t free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Polls for the port file the server writes once it listens.
std::string wait_for_file(const fs::path& p, ChildProcess& child,
                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(p)) {
      std::string text = read_file(p);
      if (!text.empty() && text.back() == '\n') return text;
    }
    if (!child.running()) return {};
    std::this_thread::sleep_for(20ms);
  }
  return {};
}

bool refused_as_unknown(uint16_t port, const std::string& user) {
  ProtocolClient c(port);
  const proto::Message m = c.connect(user, "pw");
  const auto* refused = std::get_if<proto::InvalidLogin>(&m);
  return refused != nullptr && refused->reason == proto::LoginFailure::AccountDoesNotExist;
}

}  // namespace

TEST_CASE("settings come from the config file", "[packaging][config]") {
  TempDir tmp("checkers-config");
  const uint16_t port = free_tcp_port();
  const fs::path conf = tmp / "server.conf";
  write_file(conf,
             "# a comment\n"
             "listen-addr = \"127.0.0.1\"\n"
             "port = " +
                 std::to_string(port) +
                 "\n"
                 "port-file = \"" +
                 (tmp / "port").string() +
                 "\"\n"
                 "data-dir = \"" +
                 (tmp / "data").string() +
                 "\"\n"
                 "registration = \"closed\"\n"
                 "verbose = true\n"
                 "no-discovery = true\n");
  ChildProcess srv({ServerProcess::binary().string(), "--config", conf.string()}, tmp / "log");
  const std::string port_text = wait_for_file(tmp / "port", srv, 15s);
  INFO(read_file(tmp / "log"));
  REQUIRE(port_text == std::to_string(port) + "\n");                 // port, port-file
  CHECK(fs::is_directory(tmp / "data"));                             // data-dir
  CHECK(refused_as_unknown(port, "nobody"));                         // registration
  CHECK(read_file(tmp / "log").find("debug") != std::string::npos);  // verbose
  srv.signal(SIGTERM);
  CHECK(srv.wait_exit(10s) == 0);
}

TEST_CASE("the command line overrides the config file", "[packaging][config]") {
  TempDir tmp("checkers-config");
  const fs::path conf = tmp / "server.conf";
  // port 1 would fail (privileged, or in use): ServerProcess passes --port 0.
  write_file(conf, "port = 1\nregistration = \"closed\"\n");
  ServerProcess::Options o;
  o.extra_args = {"--config", conf.string(), "--registration", "open"};
  ServerProcess srv(o);
  ProtocolClient c(srv.port());
  CHECK(c.login("newcomer", "pw").queue_size == 1);

  // Without the override the file's setting holds.
  srv.restart({"--config", conf.string()});
  CHECK(refused_as_unknown(srv.port(), "other"));
}

TEST_CASE("bad config files exit 2 naming the problem", "[packaging][config]") {
  TempDir tmp("checkers-config");
  struct Case {
    std::string text;
    std::string named;
  };
  // No --port on the command line: it would override (and so skip) the file's port.
  for (const Case& k :
       {Case{"port = 0\nprot = 8864\n", "prot"}, Case{"port = 0\nmax_client = 3\n", "max_client"},
        Case{"port = abc\n", "port"}, Case{"port = 70000\n", "port"},
        Case{"port = 0\nregistration = \"maybe\"\n", "registration"},
        Case{"port = 0\nturn-timeout = -1\n", "turn-timeout"},
        Case{"port = 0\npoller = \"kqueue\"\n", "poller"},
        Case{"port = 0\nverbose = true\nquiet = true\n", "quiet"}}) {
    const fs::path conf = tmp / "bad.conf";
    write_file(conf, k.text);
    const RunResult r =
        run_command({ServerProcess::binary().string(), "--config", conf.string(), "--listen-addr",
                     "127.0.0.1", "--data-dir", (tmp / "data").string(), "--no-discovery"},
                    {}, 10s);
    INFO(k.text << " -> " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(k.named) != std::string::npos);
  }
}

TEST_CASE("an explicit config file that is missing exits 2", "[packaging][config]") {
  TempDir tmp("checkers-config");
  const fs::path missing = tmp / "no-such.conf";
  const RunResult r = server_cli({"--config", missing.string(), "--port", "0", "--data-dir",
                                  (tmp / "data").string(), "--no-discovery"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(missing.string()) != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "data"));  // nothing was started
}

TEST_CASE("--help names the config file and its default", "[packaging][config]") {
  const RunResult r = server_cli({"--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--config") != std::string::npos);
  CHECK(r.out.find("/etc/checkers/server.conf") != std::string::npos);
}

TEST_CASE("user commands take the data dir from the config file", "[packaging][config]") {
  TempDir tmp("checkers-config");
  const fs::path conf = tmp / "server.conf";
  write_file(conf, "data-dir = \"" + (tmp / "data").string() + "\"\nregistration = \"closed\"\n");
  REQUIRE(server_cli({"--config", conf.string(), "user", "add", "alice"}, "secret\n").exit_code ==
          0);
  const RunResult list = server_cli({"--config", conf.string(), "user", "list"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("alice") != std::string::npos);
  CHECK(fs::is_directory(tmp / "data"));

  // The server started on the same file serves that account.
  ServerProcess::Options o;
  o.start = false;
  o.data_dir = tmp / "data";
  o.extra_args = {"--config", conf.string()};
  ServerProcess srv(o);
  srv.start();
  ProtocolClient c(srv.port());
  CHECK(c.login("alice", "secret").rating == 1500);
  CHECK(refused_as_unknown(srv.port(), "bob"));
}

TEST_CASE("the shipped sample config is valid with every setting uncommented",
          "[packaging][config]") {
  TempDir tmp("checkers-config");
  const std::string sample = read_file(fs::path(CHECKERS_SOURCE_DIR) / "packaging" / "server.conf");
  REQUIRE_FALSE(sample.empty());
  // "#key = value" lines are the settings; everything else is prose.
  const std::regex setting(R"(^#([a-z][a-z0-9-]*) = (.*)$)");
  std::istringstream in(sample);
  std::string line;
  std::string uncommented;
  int settings = 0;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, setting)) {
      uncommented += m[1].str() + " = " + m[2].str() + "\n";
      ++settings;
    }
  }
  CHECK(settings >= 20);
  const fs::path conf = tmp / "all.conf";
  write_file(conf, uncommented);
  INFO(uncommented);
  ServerProcess srv(
      {"--config", conf.string()});  // port, data dir, discovery from the command line
  ProtocolClient c(srv.port());
  CHECK(c.login("carol", "pw").queue_size == 1);
  CHECK(srv.stop() == 0);
}
