// Faults against the real checkers-server: kill -9 during finishing games,
// a full or read-only data dir, peers that reset mid-message and mid-game,
// SIGTERM under load. Each prints the figure docs/SECURITY.md quotes.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include "hardening/figure.hpp"
#include "hardening/hostile.hpp"
#include "support/game_driver.hpp"
#include "support/temp_dir.hpp"

using namespace checkers;
using namespace checkers::test;
using namespace checkers::test::hardening;

namespace {

// A tmpfs of `size` mounted on a fresh directory, unmounted by the destructor.
class TinyTmpfs {
 public:
  explicit TinyTmpfs(const std::string& size) : dir_("checkers-tmpfs") {
    const std::string opts = "size=" + size;
    mounted_ = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, opts.c_str()) == 0;
  }
  ~TinyTmpfs() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  TinyTmpfs(const TinyTmpfs&) = delete;
  TinyTmpfs& operator=(const TinyTmpfs&) = delete;
  bool mounted() const { return mounted_; }
  const std::filesystem::path& path() const { return dir_.path(); }

 private:
  TempDir dir_;
  bool mounted_ = false;
};

// Writes a file until the file system is full; returns the bytes written.
size_t fill(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  std::vector<char> block(4096, 'x');
  size_t total = 0;
  for (size_t chunk : {size_t{4096}, size_t{1}}) {
    for (;;) {
      const ssize_t n = ::write(fd, block.data(), chunk);
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return total;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Pair {
  std::unique_ptr<ProtocolClient> a, b;
};

// Logs in two accounts one after the other; they are matched together.
Pair matched(uint16_t port, const std::string& a, const std::string& b) {
  Pair p{std::make_unique<ProtocolClient>(port), std::make_unique<ProtocolClient>(port)};
  p.a->set_name(a);
  p.b->set_name(b);
  p.a->login(a, "pw");
  p.b->login(b, "pw");
  p.a->expect_skipping_queue<proto::GameStart>();
  p.b->expect_skipping_queue<proto::GameStart>();
  return p;
}

}  // namespace

TEST_CASE("kill -9 during finishing games: every announced rating is in the store",
          "[hardening][kill9]") {
  ServerProcess srv;
  const Kill9Stats st = kill9_loop(srv, 3, 4, 1234);
  for (const auto& p : st.problems) FAIL_CHECK(p);
  figure(
      fmt::format("kill -9 (make test): {} kills, {} GameOvers received, {} ratings checked in the "
                  "store after the restarts, {} missing or wrong; the store opened every time",
                  st.kills, st.games_over, st.ratings_checked, st.problems.size()));
  CHECK(st.problems.empty());
  CHECK(srv.running());
}

TEST_CASE("disk full at run time: ERROR, games go on unrated, journal never corrupted",
          "[hardening][diskfull]") {
  TinyTmpfs fs("1m");
  if (!fs.mounted()) {
    WARN("cannot mount a tmpfs here (not root?): disk-full test skipped");
    return;
  }
  ServerProcess::Options o;
  o.data_dir = fs.path() / "data";
  o.extra_args = {"--match-gap", "2000"};  // rematch at once whatever the ratings
  ServerProcess srv(o);
  auto play = [&](Pair& p) {
    GameDriver d(*p.a, *p.b);
    return d.play(random_strategy(11));
  };
  Pair p = matched(srv.port(), "full1", "full2");
  GameReport g1 = play(p);
  REQUIRE(g1.over[0]);
  const size_t filler = fill(fs.path() / "filler");
  // Disk full: the journal's last page may still take a few records; once it
  // is full a result cannot be made durable and the players are told by
  // OpponentDisconnect (no GameOver with a rating we cannot stand by).
  GameReport g2;
  int games_until_failure = 0;
  for (int i = 0; i < 150; ++i) try {
      std::this_thread::sleep_for(60ms);  // stay under the 20 ReQueues/s flood limit
      p.a->send(proto::ReQueue{});
      p.b->send(proto::ReQueue{});
      p.a->expect_skipping_queue<proto::GameStart>(10s);
      p.b->expect_skipping_queue<proto::GameStart>(10s);
      g2 = play(p);
      ++games_until_failure;
      if (!g2.over[0]) break;
    } catch (const std::exception& e) {
      FAIL(e.what() << " after " << games_until_failure << " games\nserver log tail:\n"
                    << srv.log().substr(srv.log().size() > 3000 ? srv.log().size() - 3000 : 0));
    }
  CHECK(g2.finished);
  CHECK(!g2.over[0]);
  CHECK(g2.opponent_disconnect[0]);
  CHECK(g2.opponent_disconnect[1]);
  CHECK(srv.wait_for_log("not durable", 3s));
  CHECK(srv.running());
  // A new account cannot be stored: refused, not half-created.
  ProtocolClient newbie(srv.port());
  const proto::Message reply = newbie.connect("newbie", "pw");
  CHECK(std::holds_alternative<proto::InvalidLogin>(reply));
  // Space again: the next result is durable and announced.
  std::filesystem::remove(fs.path() / "filler");
  p.a->send(proto::ReQueue{});
  p.b->send(proto::ReQueue{});
  p.a->expect_skipping_queue<proto::GameStart>(10s);
  p.b->expect_skipping_queue<proto::GameStart>(10s);
  GameReport g3 = play(p);
  REQUIRE(g3.over[0]);
  REQUIRE(g3.over[1]);
  srv.kill(SIGKILL);
  REQUIRE(srv.wait_exit(5s));
  const auto stored = stored_ratings(srv);  // the store opens
  srv.start();
  const std::string n0 = p.a->name(), n1 = p.b->name();
  figure(fmt::format(
      "disk full: tmpfs 1 MiB filled ({} KiB filler): after {} more game(s) a result was not "
      "durable -> ERROR "
      "logged, both players got OpponentDisconnect, registration refused, server kept "
      "serving; after freeing space the next GameOver ratings ({}, {}) survived kill -9",
      filler / 1024, games_until_failure, g3.over[0]->new_rating, g3.over[1]->new_rating));
  CHECK(stored.at(n0) == g3.over[0]->new_rating);
  CHECK(stored.at(n1) == g3.over[1]->new_rating);
  CHECK(srv.running());
}

TEST_CASE("no space or read-only data dir at start: the server refuses to start, data untouched",
          "[hardening][diskfull]") {
  SECTION("full file system") {
    TinyTmpfs fs("256k");
    if (!fs.mounted()) {
      WARN("cannot mount a tmpfs here (not root?): skipped");
      return;
    }
    fill(fs.path() / "filler");
    ServerProcess::Options o;
    o.data_dir = fs.path() / "data";
    o.start = false;
    ServerProcess srv(o);
    CHECK_THROWS(srv.start());
    CHECK(srv.log_contains("cannot open the account store"));
    figure("disk full at start: the server exits 1 with 'cannot open the account store'");
  }
  SECTION("read-only bind mount") {
    if (::geteuid() != 0) {
      WARN("not root: read-only bind mount test skipped");
      return;
    }
    ServerProcess srv;
    {
      ProtocolClient c(srv.port());
      c.login("rouser", "pw");
    }
    REQUIRE(srv.stop() == 0);
    std::map<std::string, std::string> before;
    for (const auto& e : std::filesystem::directory_iterator(srv.data_dir()))
      before[e.path().filename()] = slurp(e.path());
    const std::string dir = srv.data_dir().string();
    REQUIRE(::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) == 0);
    const bool ro =
        ::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0;
    struct Unmount {
      std::string d;
      ~Unmount() { ::umount2(d.c_str(), MNT_DETACH); }
    } unmount{dir};
    REQUIRE(ro);
    CHECK_THROWS(srv.start());
    CHECK(srv.log_contains("cannot open the account store"));
    std::map<std::string, std::string> after;
    for (const auto& e : std::filesystem::directory_iterator(srv.data_dir()))
      after[e.path().filename()] = slurp(e.path());
    CHECK(before == after);
    figure(
        "read-only data dir: the server exits 1 with 'cannot open the account store'; files "
        "unchanged");
  }
}

TEST_CASE(
    "peer resets mid-message and mid-game: opponents get OpponentDisconnect, the server runs on",
    "[hardening][reset]") {
  ServerProcess srv({"--max-clients-per-ip", "1000"});
  // 100 resets in the middle of a Connect.
  for (int i = 0; i < 100; ++i) {
    RawSocket s(srv.port());
    const auto c = connect_bytes("resetter", "pw");
    s.send(std::span(c.data(), 1 + i % 33));
    s.reset();
  }
  // Mid-game, mid-message: the player to move sends half a MakeMove and resets.
  Pair p = matched(srv.port(), "rs1", "rs2");
  proto::Message m;
  int who = receive_either(*p.a, *p.b, m);
  REQUIRE(std::holds_alternative<proto::YourTurn>(m));
  ProtocolClient& mover = who == 0 ? *p.a : *p.b;
  ProtocolClient& other = who == 0 ? *p.b : *p.a;
  const uint8_t half = 0x06;
  mover.send_raw(std::span(&half, 1));
  {
    linger l{1, 0};
    ::setsockopt(mover.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    mover.close();
  }
  CHECK_NOTHROW(other.expect_skipping_queue<proto::OpponentDisconnect>(3s));
  // Mid-game, between messages: the player waiting for its turn resets.
  Pair q = matched(srv.port(), "rs3", "rs4");
  who = receive_either(*q.a, *q.b, m);
  ProtocolClient& mover2 = who == 0 ? *q.a : *q.b;
  ProtocolClient& waiter2 = who == 0 ? *q.b : *q.a;
  {
    linger l{1, 0};
    ::setsockopt(waiter2.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    waiter2.close();
  }
  CHECK_NOTHROW(mover2.expect_skipping_queue<proto::OpponentDisconnect>(3s));
  // Healthy: a full game.
  Pair h = matched(srv.port(), "rs5", "rs6");
  GameDriver d(*h.a, *h.b);
  const GameReport rep = d.play(random_strategy(2));
  figure(
      "peer resets: 100 resets mid-Connect, a reset mid-MakeMove and one while waiting: opponents "
      "got "
      "OpponentDisconnect, then a full game was played on the same server");
  CHECK(rep.over[0]);
  CHECK(srv.running());
  CHECK(!srv.log_contains("BUG"));
}

TEST_CASE("SIGTERM under load: exit 0 within 2 s with a consistent store", "[hardening][sigterm]") {
  REQUIRE(raise_fd_limit(4096) >= 1000);
  ServerProcess srv({"--max-clients-per-ip", "1000"});
  SideGames load(srv.port(), "tm", 8, 0ms);
  std::vector<RawSocket> idle;
  for (int i = 0; i < 200; ++i) {
    idle.emplace_back(srv.port());
    if (i % 2 == 0) idle.back().send(std::string_view("\x01", 1));
  }
  std::this_thread::sleep_for(1500ms);
  const size_t moves = load.moves();
  // 2 s on an idle machine with a plain build, scaled by this run's baseline.
  const Seconds bound = due_by(Seconds(0), MachineBaseline::measure(), Seconds(2.0));
  const auto t0 = Clock::now();
  srv.kill(SIGTERM);
  const auto code =
      srv.wait_exit(std::chrono::duration_cast<std::chrono::milliseconds>(bound) + 5s);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  load.stop();
  const auto announced = load.last_ratings();
  const auto announced_games = load.games_over();
  const auto stored = stored_accounts(srv);
  // Every announced result must be in the store. The store may be one game ahead
  // of a player: a result made durable whose GameOver the shutdown cut off.
  size_t mismatches = 0, ahead = 0;
  for (const auto& [name, rating] : announced) {
    const auto it = stored.find(name);
    const uint32_t games = announced_games.at(name);
    if (it == stored.end() || it->second.games < games) {
      ++mismatches;
    } else if (it->second.games == games + 1) {
      ++ahead;
    } else if (it->second.games != games || it->second.rating != rating) {
      ++mismatches;
    }
  }
  figure(fmt::format(
      "SIGTERM under load (8 games, {} moves played, 200 idle/partial connections): exit "
      "code {} after {:.2f} s; {} announced ratings checked, {} differ from the store, "
      "{} stored one unannounced game ahead",
      moves, code ? *code : -1, secs, announced.size(), mismatches, ahead));
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(secs < bound.count());
  CHECK(!announced.empty());
  CHECK(mismatches == 0);
  srv.start();  // and it opens again
  CHECK(srv.running());
}

TEST_CASE("a closed stderr pipe (EPIPE on every log line) neither spins nor blocks SIGTERM",
          "[hardening][sigpipe]") {
  // A daemon whose log reader went away: every write to stderr fails with EPIPE.
  // SIGPIPE must be ignored, not queued and logged (which would raise it again).
  TempDir dir("checkers-sigpipe");
  const std::string port_file = (dir.path() / "port").string();
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  ::close(pipe_fds[0]);  // nobody will ever read the log
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    const std::string bin = (bin_dir() / "checkers-server").string();
    ::execl(bin.c_str(), bin.c_str(), "--verbose", "--no-discovery", "--listen-addr", "127.0.0.1",
            "--port", "0", "--port-file", port_file.c_str(), "--data-dir", dir.path().c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  const auto deadline = Clock::now() + 10s;
  uint16_t port = 0;
  while (port == 0 && Clock::now() < deadline) {
    std::ifstream in(port_file);
    if (!(in >> port))
      std::this_thread::sleep_for(10ms);  // no readiness fd: stdout is the dead pipe
  }
  REQUIRE(port != 0);
  {
    ProtocolClient c(port);  // more log lines, each one a failed write
    CHECK(c.login("piper", "pw").queue_size >= 1);
  }
  // 2 s on an idle machine with a plain build; a spinning server never exits.
  const Seconds bound = due_by(Seconds(0), MachineBaseline::measure(), Seconds(2.0));
  const auto t0 = Clock::now();
  ::kill(pid, SIGTERM);
  int status = 0;
  pid_t done = 0;
  const auto give_up = t0 + std::chrono::duration_cast<Clock::duration>(bound) + 3s;
  while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 && Clock::now() < give_up)
    std::this_thread::sleep_for(10ms);
  if (done == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  figure(fmt::format("closed stderr pipe: server exited {:.2f} s after SIGTERM", secs));
  REQUIRE(done == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(secs < bound.count());
}
