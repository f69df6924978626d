// The server's TLS (issue 17): one port for TLS and plain clients, --tls required and
// off, the handshake bounded by its timeout, garbage after 0x16, the high-water mark
// for a TLS never-reader, `openssl s_client` by hand, and the self-signed certificate
// kept across restarts.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "hardening/hostile.hpp"
#include "support/process.hpp"
#include "support/protocol_client.hpp"
#include "support/server_process.hpp"
#include "support/timing.hpp"
#include "tls/tls_test_client.hpp"

using namespace checkers;
using namespace checkers::test;
using Clock = std::chrono::steady_clock;
using hardening::RawSocket;

namespace {

std::string cert_file(const ServerProcess& srv) {
  return (srv.data_dir() / "tls-cert.pem").string();
}

// Waits until the peer closes the raw socket (EOF or reset); false after `timeout`.
bool wait_closed(RawSocket& s, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (s.drain_closed()) return true;
    pollfd p{s.fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
  }
  return s.drain_closed();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("one port: a TLS client and a plain v1 client at once, paired into one game", "[tls]") {
  ServerProcess srv;
  const std::string fp = pem_fingerprint(cert_file(srv));
  REQUIRE(fp.size() == 95);
  CHECK(srv.log_contains("TLS optional"));
  CHECK(srv.log_contains(fp));  // the fingerprint is logged at start

  TlsTestClient secure(srv.port());
  CHECK(secure.protocol_version() == "TLSv1.3");
  CHECK(secure.peer_fingerprint() == fp);
  ProtocolClient plain(srv.port());
  // Plain bytes are unchanged: the reference client's Connect gets its QueuePosition.
  CHECK(plain.login("plainuser", "pw").queue_size >= 1);
  CHECK(secure.login("tlsuser", "pw").queue_size >= 1);
  const auto a = plain.expect_skipping_queue<proto::GameStart>();
  const auto b = secure.expect_skipping_queue<proto::GameStart>();
  CHECK(a.opponent_name.str() == "tlsuser");
  CHECK(b.opponent_name.str() == "plainuser");
  plain.send(proto::LogOut{});
  // The TLS side hears of it through TLS.
  const proto::Message m = secure.receive();
  CHECK((std::holds_alternative<proto::OpponentDisconnect>(m) ||
         std::holds_alternative<proto::GameOver>(m) || std::holds_alternative<proto::YourTurn>(m)));
}

TEST_CASE("--tls required refuses a plain client with a logged reason and serves TLS", "[tls]") {
  ServerProcess srv({"--tls", "required"});
  ProtocolClient plain(srv.port());
  plain.send(proto::Connect{proto::kProtocolVersion, "plain", "pw"});
  CHECK(plain.expect_closed(15s));
  CHECK(srv.wait_for_log("plain-text connection refused"));
  CHECK_FALSE(srv.log_contains("account plain created"));
  TlsTestClient secure(srv.port());
  CHECK(secure.login("secure", "pw").queue_size >= 1);
}

TEST_CASE("--tls off: plain only; a ClientHello is an unknown message type", "[tls]") {
  ServerProcess srv({"--tls", "off"});
  CHECK_THROWS(TlsTestClient(srv.port(), 10s));
  CHECK(srv.wait_for_log("unknown message type"));
  CHECK_FALSE(std::filesystem::exists(cert_file(srv)));  // no certificate made
  ProtocolClient plain(srv.port());
  CHECK(plain.login("plain", "pw").queue_size >= 1);
}

TEST_CASE("a ClientHello trickled byte by byte is closed by the handshake timeout", "[tls]") {
  const auto machine = MachineBaseline::measure();
  ServerProcess srv({"--login-timeout", "600"});  // the handshake timeout must do it
  const std::vector<uint8_t> hello = make_client_hello();
  REQUIRE(hello.size() > 100);
  REQUIRE(hello[0] == 0x16);
  RawSocket slow(srv.port());
  const auto t0 = Clock::now();
  bool closed = false;
  size_t sent = 0;
  // One byte every 100 ms: the whole hello would take tens of seconds.
  while (!closed && sent < hello.size() && Clock::now() - t0 < 60s) {
    if (slow.send(std::span<const uint8_t>(&hello[sent], 1)) < 0) break;
    ++sent;
    pollfd p{slow.fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    closed = slow.drain_closed();
  }
  if (!closed) closed = wait_closed(slow, 10s);
  const Seconds took = Clock::now() - t0;
  INFO("closed after " << took.count() << " s, " << sent << " of " << hello.size() << " bytes");
  CHECK(closed);
  CHECK(sent < hello.size());
  CHECK(took >= Seconds(2.0));  // not before the timeout (timers never fire early)
  CHECK(took <= due_by(Seconds(2.0), machine));
  CHECK(srv.wait_for_log("TLS handshake not finished in time"));
  TlsTestClient honest(srv.port());  // others are served meanwhile and after
  CHECK(honest.login("honest", "pw").queue_size >= 1);
}

TEST_CASE("garbage after 0x16 closes that connection with a log line", "[tls]") {
  ServerProcess srv;
  TlsTestClient bystander(srv.port());
  CHECK(bystander.login("bystander", "pw").queue_size >= 1);
  for (const std::vector<uint8_t>& bytes :
       {std::vector<uint8_t>{0x16, 0x03, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'},
        std::vector<uint8_t>{0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
        std::vector<uint8_t>(64, 0x16)}) {
    RawSocket bad(srv.port());
    REQUIRE(bad.send(bytes) == static_cast<long>(bytes.size()));
    CHECK(wait_closed(bad, 15s));
  }
  CHECK(srv.wait_for_log("tls: handshake with"));
  CHECK(srv.log_count("failed:") >= 3);
  // The bystander is still served (QueuePositions keep coming over TLS).
  CHECK(std::holds_alternative<proto::QueuePosition>(bystander.receive()));
}

TEST_CASE("a TLS client that stops reading mid-game is disconnected at the high-water mark",
          "[tls][never-reader]") {
  ServerProcess srv;
  TlsTestClient reader(srv.port());
  ProtocolClient partner(srv.port());
  reader.login("reader", "pw");
  partner.login("partner", "pw");
  reader.expect_skipping_queue<proto::GameStart>();
  partner.expect_skipping_queue<proto::GameStart>();
  reader.expect<proto::YourTurn>();  // queued first at equal rating: moves first
  // Each illegal MakeMove (2 bytes) makes the server owe an InvalidMove (26 bytes).
  std::vector<uint8_t> chunk;
  for (int i = 0; i < 8192; ++i) chunk.insert(chunk.end(), {0x06, 0x00});
  const auto t0 = Clock::now();
  bool gone = false;
  size_t sent = 0;
  while (!gone && Clock::now() - t0 < 90s) {
    try {
      gone = !reader.send_raw(chunk, 30s);
    } catch (const std::runtime_error&) {
      gone = true;  // not even writable any more
    }
    if (!gone) sent += chunk.size();
  }
  INFO(sent << " bytes of illegal moves sent");
  CHECK(gone);
  CHECK(srv.wait_for_log("output high-water mark", 15s));
  CHECK_NOTHROW(partner.expect_skipping_queue<proto::OpponentDisconnect>(15s));
}

TEST_CASE("openssl s_client completes a handshake and a Connect by hand", "[tls][s_client]") {
  const std::filesystem::path openssl = "/usr/bin/openssl";
  if (!std::filesystem::exists(openssl)) {
    WARN("SKIPPED: no openssl command (scripts/bootstrap installs it)");
    return;
  }
  // The login timeout closes the connection after the LogOut, which ends s_client.
  ServerProcess srv({"--login-timeout", "1"});
  std::string input;
  proto::encode_append(proto::Message{proto::Connect{proto::kProtocolVersion, "byhand", "pw"}},
                       input);
  proto::encode_append(proto::Message{proto::LogOut{}}, input);
  const RunResult r =
      run_command({openssl.string(), "s_client", "-connect",
                   "127.0.0.1:" + std::to_string(srv.port()), "-quiet", "-ign_eof", "-tls1_3"},
                  input, 60s);
  INFO(r.err);
  REQUIRE(r.out.size() >= 13);
  CHECK(static_cast<uint8_t>(r.out[0]) == 0x03);  // QueuePosition, decrypted by s_client
  CHECK(srv.wait_for_log("byhand] logged in"));
  CHECK(srv.log_contains("byhand] logged out"));
}

TEST_CASE("the self-signed certificate: mode 0600, kept across a restart, `tls fingerprint`",
          "[tls][certificate]") {
  ServerProcess srv;
  const std::string fp = pem_fingerprint(cert_file(srv));
  for (const char* name : {"tls-cert.pem", "tls-key.pem"}) {
    struct stat st {};
    REQUIRE(::stat((srv.data_dir() / name).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  CHECK(srv.log_contains("created a self-signed TLS certificate"));
  const RunResult printed = srv.run_admin({"tls", "fingerprint"});
  CHECK(printed.exit_code == 0);
  CHECK(trim(printed.out) == fp);
  srv.restart();
  CHECK(srv.log_count("created a self-signed TLS certificate") == 1);
  TlsTestClient again(srv.port());
  CHECK(again.peer_fingerprint() == fp);
}

TEST_CASE("--tls-cert/--tls-key: a given certificate is served; a bad one stops the start",
          "[tls][certificate]") {
  ServerProcess first;  // makes a self-signed pair we can hand to a second server
  const auto cert = cert_file(first);
  const auto key = (first.data_dir() / "tls-key.pem").string();
  ServerProcess given({"--tls-cert", cert, "--tls-key", key});
  TlsTestClient c(given.port());
  CHECK(c.peer_fingerprint() == pem_fingerprint(cert));
  CHECK_FALSE(std::filesystem::exists(given.data_dir() / "tls-cert.pem"));

  ServerProcess::Options bad;
  bad.extra_args = {"--tls-cert", key, "--tls-key", key};  // a key is no certificate
  bad.start = false;
  ServerProcess broken(bad);
  CHECK_THROWS(broken.start());
  CHECK(broken.log_contains("no certificate in " + key));
}
