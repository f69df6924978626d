// The client session against a scripted raw TCP server on 127.0.0.1 (port 0): whatever
// the server does wrong on the wire ends the session with exit code 1 and a sentence,
// after a LogOut when the client is logged in.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "client/board_adapter.hpp"
#include "client/bot.hpp"
#include "client/game_saver.hpp"
#include "client/session.hpp"
#include "proto/messages.hpp"
#include "reactor/event_loop.hpp"
#include "support/loopback_listener.hpp"
#include "support/temp_dir.hpp"
#include "support/timing.hpp"
#include "text_file.hpp"

using namespace checkers;
using namespace std::chrono_literals;

namespace {

// One-connection scripted server: accepts, reads the 34-byte Connect, sends `reply`,
// then records everything the client sends until it closes (or 5 s pass).
class RawServer {
 public:
  explicit RawServer(std::string reply, bool close_after_reply = false)
      : reply_(std::move(reply)), close_after_(close_after_reply) {
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return listener_.port(); }
  // Bytes received after the Connect (valid once the thread is done).
  std::string received() {
    if (thread_.joinable()) thread_.join();
    return received_;
  }

 private:
  bool wait_readable(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
  }
  void serve() {
    if (!wait_readable(listener_.fd(), 5000)) return;
    const int fd = ::accept(listener_.fd(), nullptr, nullptr);
    std::string connect;
    char buf[256];
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (connect.size() < 34 && std::chrono::steady_clock::now() < deadline &&
           wait_readable(fd, 5000)) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      connect.append(buf, static_cast<size_t>(n));
    }
    if (connect.size() > 34) received_ = connect.substr(34);
    (void)!::write(fd, reply_.data(), reply_.size());
    if (close_after_) {
      ::close(fd);
      return;
    }
    while (std::chrono::steady_clock::now() < deadline && wait_readable(fd, 5000)) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      received_.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
  }

  std::string reply_;
  bool close_after_;
  checkers::test::LoopbackListener listener_;
  std::string received_;
  std::thread thread_;
};

std::string bytes_of(const proto::Message& m) {
  std::string s;
  REQUIRE(proto::encode_append(m, s));
  return s;
}

struct Outcome {
  int code = -1;
  std::string message;
  std::chrono::milliseconds took{0};
};

// Runs a bot session against the raw server until it finishes (10 s at most).
Outcome run_bot_session(uint16_t port) {
  reactor::EventLoop loop;
  Outcome out;
  const auto start = std::chrono::steady_clock::now();
  client::Session session(loop, "127.0.0.1", port, [&](int code, const std::string& message) {
    out.code = code;
    out.message = message;
    out.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    loop.quit();
  });
  client::BotPlayer bot(loop, session, {"alice", "pw"}, game::Level::Random, 1, 1,
                        [](const std::string&) {});
  session.set_frontend(&bot);
  loop.run_after(10s, [&] { loop.quit(); });
  bot.begin();
  loop.run();
  return out;
}

std::string queued() { return bytes_of(proto::QueuePosition{1, 1, 1500}); }

}  // namespace

TEST_CASE("an unknown type byte from the server ends the session at once, with LogOut") {
  RawServer server(queued() + std::string("\x2f", 1));  // no type in v1 or v2
  const Outcome out = run_bot_session(server.port());
  CHECK(out.code == 1);
  CHECK(out.message.find("malformed") != std::string::npos);
  CHECK(out.message.find("0x2f") != std::string::npos);
  // At once: the type byte itself ends it, not the 1 s incomplete-message timer.
  CHECK(out.message.find("incomplete") == std::string::npos);
  CHECK(server.received() == std::string("\x0c", 1));
}

TEST_CASE("a message the DFA does not allow is a protocol violation") {
  proto::YourTurn turn;
  RawServer server(queued() + bytes_of(turn));
  const Outcome out = run_bot_session(server.port());
  CHECK(out.code == 1);
  CHECK(out.message.find("broke the protocol") != std::string::npos);
  CHECK(out.message.find("YourTurn") != std::string::npos);
  CHECK(server.received() == std::string("\x0c", 1));
}

TEST_CASE("a message left incomplete for 1 s ends the session") {
  const auto baseline = checkers::test::MachineBaseline::measure();
  RawServer server(queued().substr(0, 5));
  const Outcome out = run_bot_session(server.port());
  CHECK(out.code == 1);
  CHECK(out.message.find("incomplete") != std::string::npos);
  CHECK(out.took >= 900ms);
  CHECK(checkers::test::Seconds(out.took) <
        checkers::test::due_by(checkers::test::Seconds(1.0), baseline));
}

TEST_CASE("the server closing the connection is reported with exit code 1") {
  RawServer server(queued(), true);
  const Outcome out = run_bot_session(server.port());
  CHECK(out.code == 1);
  CHECK(out.message.find("closed the connection") != std::string::npos);
}

TEST_CASE("InvalidLogin without a person to ask exits 2; InvalidVersion names the range") {
  {
    RawServer server(bytes_of(proto::InvalidLogin{proto::LoginFailure::InvalidPassword}));
    const Outcome out = run_bot_session(server.port());
    CHECK(out.code == 2);
    CHECK(out.message.find("wrong password") != std::string::npos);
  }
  {
    RawServer server(bytes_of(proto::InvalidVersion{3, 2}));
    const Outcome out = run_bot_session(server.port());
    CHECK(out.code == 1);
    CHECK(out.message.find("versions 2 to 3") != std::string::npos);
  }
}

TEST_CASE("nobody listening: the message names the address and port") {
  uint16_t port = 0;
  {
    RawServer probe("", true);
    port = probe.port();
    // Connect once so the probe thread ends; then the port is closed.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    (void)!::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    (void)!::write(fd, std::string(34, '\0').data(), 34);
    ::close(fd);
  }
  const Outcome out = run_bot_session(port);
  CHECK(out.code == 1);
  CHECK(out.message.find("127.0.0.1 port " + std::to_string(port)) != std::string::npos);
}

// ---------------------------------------------------------------- protocol v2

namespace {

// A scripted server for several exchanges: `script` runs on its own thread with a helper
// that accepts connections, reads exact byte counts and writes bytes (5 s per wait).
class ScriptServer {
 public:
  class Io {
   public:
    explicit Io(const checkers::test::LoopbackListener& l) : listener_(l) {}
    ~Io() {
      if (fd_ >= 0) ::close(fd_);
    }
    bool accept() {
      if (fd_ >= 0) ::close(fd_);
      pollfd p{listener_.fd(), POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1) return false;
      fd_ = ::accept(listener_.fd(), nullptr, nullptr);
      return fd_ >= 0;
    }
    // Exactly n bytes, or fewer if the client closed or 5 s passed.
    std::string read(size_t n) {
      std::string out;
      char buf[256];
      while (out.size() < n) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 5000) != 1) break;
        const ssize_t got = ::read(fd_, buf, std::min(sizeof buf, n - out.size()));
        if (got <= 0) break;
        out.append(buf, static_cast<size_t>(got));
      }
      return out;
    }
    void write(const std::string& bytes) { (void)!::write(fd_, bytes.data(), bytes.size()); }
    void close() {
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
    }

   private:
    const checkers::test::LoopbackListener& listener_;
    int fd_ = -1;
  };

  explicit ScriptServer(std::function<void(Io&)> script) : script_(std::move(script)) {
    thread_ = std::thread([this] {
      Io io(listener_);
      script_(io);
    });
  }
  ~ScriptServer() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return listener_.port(); }

 private:
  std::function<void(Io&)> script_;
  checkers::test::LoopbackListener listener_;
  std::thread thread_;
};

// A bot session offering version 2 (the bot plays `games` games at random).
Outcome run_v2_bot(uint16_t port, std::vector<std::string>* lines = nullptr) {
  reactor::EventLoop loop;
  Outcome out;
  client::Session session(loop, "127.0.0.1", port, [&](int code, const std::string& message) {
    out.code = code;
    out.message = message;
    loop.quit();
  });
  session.set_offered_version(2);
  client::BotPlayer bot(loop, session, {"alice", "pw"}, game::Level::Random, 1, 1,
                        [&](const std::string& line) {
                          if (lines) lines->push_back(line);
                        });
  session.set_frontend(&bot);
  loop.run_after(10s, [&] { loop.quit(); });
  bot.begin();
  loop.run();
  return out;
}

const std::string kV1Only("\x0d\x01\x01", 3);  // the reference server's InvalidVersion

}  // namespace

TEST_CASE("v2 offered to a v1-only server that keeps the connection: Connect v1 on it") {
  std::string first, second;
  ScriptServer server([&](ScriptServer::Io& io) {
    REQUIRE(io.accept());
    first = io.read(34);
    io.write(kV1Only);
    second = io.read(34);
    io.write(bytes_of(proto::QueuePosition{1, 1, 1500}));
    io.close();  // ends the session (exit 1: the server closed)
  });
  const Outcome out = run_v2_bot(server.port());
  server.join();
  REQUIRE(first.size() == 34);
  REQUIRE(second.size() == 34);
  CHECK(first[1] == 2);
  CHECK(second[1] == 1);
  CHECK(first.substr(2) == second.substr(2));  // same name and password
  CHECK(out.code == 1);
  CHECK(out.message.find("closed the connection") != std::string::npos);
}

TEST_CASE("v2 offered to a v1-only server that closes after InvalidVersion: a new connection") {
  std::string first, second;
  ScriptServer server([&](ScriptServer::Io& io) {
    REQUIRE(io.accept());
    first = io.read(34);
    io.write(kV1Only);
    io.close();
    REQUIRE(io.accept());
    second = io.read(34);
    io.write(bytes_of(proto::InvalidLogin{proto::LoginFailure::InvalidPassword}));
  });
  const Outcome out = run_v2_bot(server.port());
  server.join();
  CHECK(first[1] == 2);
  REQUIRE(second.size() == 34);
  CHECK(second[1] == 1);
  CHECK(out.code == 2);  // the v1 answer reached the bot
  CHECK(out.message.find("wrong password") != std::string::npos);
}

TEST_CASE("a server that closes without answering a v2 Connect is tried again with v1") {
  std::string second;
  ScriptServer server([&](ScriptServer::Io& io) {
    REQUIRE(io.accept());
    io.read(34);
    io.close();
    REQUIRE(io.accept());
    second = io.read(34);
    io.write(bytes_of(proto::InvalidLogin{proto::LoginFailure::AccountDoesNotExist}));
  });
  const Outcome out = run_v2_bot(server.port());
  server.join();
  REQUIRE(second.size() == 34);
  CHECK(second[1] == 1);
  CHECK(out.code == 2);
}

TEST_CASE("a v2 game: Welcome, ReQueue, whole moves, a draw offer answered, GameOver2") {
  using game::Color;
  std::string requeue, move, answer, logout;
  bool legal = false;
  game::Position pos = game::Position::start();
  const auto path_of = [](const game::Move& m) {
    std::vector<std::pair<int, int>> xy;
    for (int i = 0; i < m.length(); ++i) {
      const game::Square s = game::square_of_index(m.index(i));
      xy.emplace_back(s.x, s.y);
    }
    return *proto::Path::of(xy);
  };
  ScriptServer server([&](ScriptServer::Io& io) {
    REQUIRE(io.accept());
    const std::string connect = io.read(34);
    REQUIRE(connect.size() == 34);
    CHECK(connect[1] == 2);
    io.write(bytes_of(proto::Welcome{2, 1500, 300000, 3000, 200, 0}));
    requeue = io.read(1);
    io.write(bytes_of(proto::QueuePosition{1, 1, 1500}));
    proto::GameStart2 start;
    start.game_id = 7;
    start.colour = proto::Colour::Secondary;  // the bot plays White
    start.opponent_name = "bob";
    start.opponent_rating = 1510;
    start.own_rating = 1500;
    start.base_ms = 300000;
    start.increment_ms = 3000;
    io.write(bytes_of(start));
    // Black's first move, then White's (the bot's) turn.
    game::MoveList moves;
    game::generate_moves(pos, moves);
    pos = game::play(pos, moves[0]);
    proto::MoveMade made;
    made.ply = 1;
    made.mover = proto::Colour::Primary;
    made.path = path_of(moves[0]);
    made.board = client::to_board(pos, Color::White);
    made.primary_clock = 298000;
    made.secondary_clock = 300000;
    io.write(bytes_of(made));
    io.write(bytes_of(proto::YourTurn2{1, made.board, 298000, 300000}));
    move = io.read(15);
    // The bot's move must be one legal whole move for White: confirm it with MoveMade.
    REQUIRE(move.size() == 15);
    const auto sent = proto::decode(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(move.data()), move.size()), 2);
    REQUIRE(sent);
    const proto::Path path = std::get<proto::MakeMove2>(*sent).path;
    game::MoveList replies;
    game::generate_moves(pos, replies);
    for (const game::Move& m : replies) {
      if (!(path_of(m) == path)) continue;
      legal = true;
      pos = game::play(pos, m);
    }
    REQUIRE(legal);
    made.ply = 2;
    made.mover = proto::Colour::Secondary;
    made.path = path;
    made.board = client::to_board(pos, Color::White);
    io.write(bytes_of(made));
    // Bob offers a draw; the bot answers from its evaluation.
    io.write(bytes_of(proto::DrawOffered{}));
    answer = io.read(2);
    proto::GameOver2 over;
    over.game_id = 7;
    over.winner = proto::Winner::Primary;
    over.reason = proto::EndReason::Time;
    over.plies = 2;
    over.primary_old = 1510;
    over.primary_new = 1520;
    over.secondary_old = 1500;
    over.secondary_new = 1490;
    over.board = made.board;
    io.write(bytes_of(over));
    logout = io.read(1);
  });
  std::vector<std::string> lines;
  const Outcome out = run_v2_bot(server.port(), &lines);
  server.join();
  CHECK(requeue == std::string("\x0b", 1));  // straight into the queue, like a v1 login
  CHECK(move[0] == 0x12);  // MakeMove2: one whole, legal move (checked by the script)
  CHECK(legal);
  REQUIRE(answer.size() == 2);
  CHECK(answer[0] == 0x19);  // AnswerDraw (equal position after one move each: accepted)
  CHECK(answer[1] == 1);
  CHECK(logout == std::string("\x0c", 1));
  CHECK(out.code == 0);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "game 1: loss vs bob (1500 -> 1490), 1 moves");
}

namespace {

// A person's side reduced to what the lobby tests look at: the notices in order, and a
// hook that acts on them (as a person typing would).
class LobbyFrontend : public client::Frontend {
 public:
  explicit LobbyFrontend(client::Session& s) : session_(s) {}
  void begin() override { session_.login({"bob", "pw"}); }
  void connected() override {}
  void login_refused(proto::LoginFailure) override {}
  void queued(const proto::QueuePosition&) override {
    ++queued_count;
    if (on_queued) on_queued(queued_count);
  }
  void game_started() override {}
  void ply_played(const client::Ply&) override {}
  void your_turn() override {}
  void board_changed() override {}
  void move_rejected(const proto::Move&) override {}
  void game_ended(const client::GameOutcome&) override {}
  void notice(const std::string& text) override {
    notices.push_back(text);
    if (on_notice) on_notice(text);
  }
  void game_fetched(const client::GameTracker& game, const client::GameOutcome& outcome) override {
    fetched.emplace_back(game, outcome);
  }

  std::vector<std::string> notices;
  std::vector<std::pair<client::GameTracker, client::GameOutcome>> fetched;
  int queued_count = 0;
  std::function<void(int)> on_queued;
  std::function<void(const std::string&)> on_notice;

 private:
  client::Session& session_;
};

// Runs a v2 session with that frontend until the script's server closes (10 s at most).
void run_lobby(uint16_t port, const std::function<void(client::Session&, LobbyFrontend&)>& setup) {
  reactor::EventLoop loop;
  client::Session session(loop, "127.0.0.1", port, [&](int, const std::string&) { loop.quit(); });
  LobbyFrontend front(session);
  session.set_frontend(&front);
  setup(session, front);
  loop.run_after(10s, [&] { loop.quit(); });
  front.begin();
  loop.run();
}

// Connect, Welcome, the login's ReQueue and its QueuePosition.
void v2_login(ScriptServer::Io& io) {
  REQUIRE(io.accept());
  REQUIRE(io.read(34).size() == 34);
  io.write(bytes_of(proto::Welcome{2, 1500, 300000, 3000, 200, 0}));
  CHECK(io.read(1) == std::string("\x0b", 1));
  io.write(queued());
}

}  // namespace

TEST_CASE("v2: answering an invitation from the queue leaves it first, rejoins it after") {
  std::vector<std::string> sent;
  ScriptServer server([&](ScriptServer::Io& io) {
    v2_login(io);
    io.write(bytes_of(proto::ChallengeReceived{*proto::Str16::make("alice"), 1510,
                                               proto::ChallengeKind::Challenge, 30}));
    sent.push_back(io.read(1));  // LeaveQueue (the server takes answers only from the idle)
    io.write(bytes_of(proto::Welcome{2, 1500, 300000, 3000, 200, 0}));
    sent.push_back(io.read(18));  // AnswerChallenge
    io.write(bytes_of(
        proto::ChallengeResult{*proto::Str16::make("alice"), proto::ChallengeOutcome::Declined}));
    sent.push_back(io.read(1));  // ReQueue: back where the player was
    io.write(queued());
    sent.push_back(io.read(1));  // LogOut
  });
  std::vector<std::string> notices;
  int queued_count = 0;
  run_lobby(server.port(), [&](client::Session& session, LobbyFrontend& front) {
    front.on_notice = [&session](const std::string& text) {
      if (text.find("challenges you") != std::string::npos)
        CHECK(session.answer_challenge("alice", false));
    };
    front.on_queued = [&](int n) {
      if (n == 2) {
        notices = front.notices;
        queued_count = n;
        session.logout();
        session.quit(0, "");
      }
    };
  });
  server.join();
  REQUIRE(sent.size() == 4);
  CHECK(sent[0] == std::string("\x0f", 1));
  REQUIRE(sent[1].size() == 18);
  CHECK(sent[1][0] == 0x22);
  CHECK(sent[1].substr(1, 5) == "alice");
  CHECK(sent[1][17] == 0);  // declined
  CHECK(sent[2] == std::string("\x0b", 1));
  CHECK(queued_count == 2);
  REQUIRE(notices.size() == 2);
  CHECK(notices[1] == "You declined alice's challenge.");  // not "alice declined"
}

TEST_CASE("v2: a fetched game carries the date it ended into the PDN and the file name") {
  const uint32_t ended_at = 1000000000;  // 2001-09-09 (a date that is not today)
  ScriptServer server([&](ScriptServer::Io& io) {
    v2_login(io);
    CHECK(io.read(2)[0] == 0x2c);  // FetchGames
    proto::RecordEntry e;
    e.index = 1;
    e.count = 1;
    e.record_id = 5;
    e.ended_at = ended_at;
    e.colour = proto::Colour::Primary;
    e.opponent_name = *proto::Str16::make("alice");
    e.winner = proto::Winner::Primary;
    e.reason = proto::EndReason::Resignation;
    e.plies = 1;
    e.own_old = 1500;
    e.own_new = 1510;
    e.opponent_old = 1500;
    e.opponent_new = 1490;
    io.write(bytes_of(e));
    io.write(bytes_of(proto::RecordMove{5, 1, *proto::Path::of({{5, 5}, {4, 4}})}));
    io.read(1);  // LogOut
  });
  std::vector<std::pair<client::GameTracker, client::GameOutcome>> fetched;
  run_lobby(server.port(), [&](client::Session& session, LobbyFrontend& front) {
    front.on_queued = [&session](int) { CHECK(session.fetch_games(20)); };
    front.on_notice = [](const std::string&) {};
    session.loop().run_every(10ms, [&] {
      if (front.fetched.empty() || session.finished()) return;
      fetched = front.fetched;
      session.logout();
      session.quit(0, "");
    });
  });
  server.join();
  REQUIRE(fetched.size() == 1);
  const auto& [game, outcome] = fetched.front();
  REQUIRE(outcome.ended_at);
  CHECK(*outcome.ended_at == static_cast<std::time_t>(ended_at));
  CHECK(outcome.result == client::GameOutcome::Result::Win);
  CHECK(game.record().move_list() == "1. 11-15");

  std::tm tm{};
  const std::time_t when = ended_at;
  ::localtime_r(&when, &tm);
  char date[16], stamp[32];
  std::strftime(date, sizeof date, "%Y.%m.%d", &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  checkers::test::TempDir dir("client-fetched");
  client::GameSaver saver(dir.path());
  const client::GameInfo info{"bob", "127.0.0.1 port 1", "Rated game", 1500, 3, true};
  const std::string said = saver.save(game, outcome, info);
  const std::filesystem::path file = dir.path() / (std::string(stamp) + "-bob-vs-alice.pdn");
  CHECK(said == "Game saved: " + file.string());
  const std::string pdn = checkers::test::slurp(file);
  CHECK(pdn.find("[Date \"" + std::string(date) + "\"]") != std::string::npos);
  CHECK(pdn.find("[Round \"-\"]") != std::string::npos);
  // Fetched again: the same game is not saved twice.
  CHECK(saver.save(game, outcome, info) == "Already saved: " + file.string());
}
