// Two bots on a server that never ends a drawn game (like the reference implementation,
// which ends a game only when a side has no pieces). The server here is a small fake in
// the test: it referees with src/game from a kings-only position and never declares a
// draw. Both bots must see the draw by the standard rules (threefold repetition or the
// 40-move rule), leave the game and report "draw (not ended by the server)".
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "client/board_adapter.hpp"
#include "game/game.hpp"
#include "game/pdn.hpp"
#include "proto/messages.hpp"
#include "pty.hpp"
#include "support/loopback_listener.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "text_file.hpp"

using namespace checkers;
using namespace checkers::test;
using namespace std::chrono_literals;
using game::Color;

namespace {

class FakeConn {
 public:
  explicit FakeConn(int fd) : fd_(fd) {}
  FakeConn(FakeConn&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  ~FakeConn() {
    if (fd_ >= 0) ::close(fd_);
  }
  void send(const proto::Message& m) {
    const auto bytes = proto::to_bytes(m);
    if (bytes) (void)!::send(fd_, bytes->data(), bytes->size(), MSG_NOSIGNAL);
  }
  // The next whole message; nullopt when the peer closed or nothing came for 60 s.
  std::optional<proto::Message> receive() {
    uint8_t type = 0;
    if (!read_exact(&type, 1)) return std::nullopt;
    const auto size = proto::message_size(type);
    if (!size) throw std::runtime_error("unknown type byte from the client");
    std::vector<uint8_t> whole(*size);
    whole[0] = type;
    if (*size > 1 && !read_exact(whole.data() + 1, *size - 1)) return std::nullopt;
    return proto::decode(whole);
  }

 private:
  bool read_exact(uint8_t* out, size_t n) {
    while (n > 0) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 60000) != 1) return false;
      const ssize_t got = ::recv(fd_, out, n, 0);
      if (got <= 0) return false;
      out += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
  int fd_;
};

// Listens on 127.0.0.1 (port 0); serves exactly one game between the first two logins.
class EndlessServer {
 public:
  uint16_t port() const { return listener_.port(); }

  // Serves `games` games between the first two logins; how they ended, for the messages.
  std::string serve(const game::Position& start, int games) {
    std::vector<FakeConn> players;
    while (players.size() < 2) {
      pollfd p{listener_.fd(), POLLIN, 0};
      if (::poll(&p, 1, 60000) != 1) return "nobody connected";
      FakeConn c(::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC));
      const auto hello = c.receive();
      if (!hello || !std::holds_alternative<proto::Connect>(*hello)) return "no Connect";
      c.send(proto::QueuePosition{1, 1, 1500});
      players.push_back(std::move(c));
    }
    std::string ended;
    for (int g = 0; g < games; ++g) {
      if (g > 0) {
        // The leaver logs in again on its connection, the other queues again.
        for (size_t i = 0; i < 2; ++i) {
          const auto m = players[i].receive();
          const bool again = m && (std::holds_alternative<proto::Connect>(*m) ||
                                   std::holds_alternative<proto::ReQueue>(*m));
          if (!again) return ended + ", then no Connect/ReQueue for the next game";
          players[i].send(proto::QueuePosition{1, 1, 1500});
        }
      }
      const int left = play_game(players, start);
      ended += left >= 0 ? "a LogOut" : left == -1 ? "a win" : "no end";
      if (left < 0) return ended;
      ended += g + 1 < games ? ", " : "";
    }
    // Let both clients finish; they close the connections.
    for (FakeConn& p : players)
      while (p.receive()) {
      }
    return ended;
  }

 private:
  // One game; the index of the player who left by LogOut, -1 after a win, -2 otherwise.
  static int play_game(std::vector<FakeConn>& players, const game::Position& start) {
    players[0].send(proto::GameStart{proto::Str16("second"), 1500});
    players[1].send(proto::GameStart{proto::Str16("first"), 1500});
    game::Game game(start);
    game.play_on_after_draws();  // the point of this server
    proto::Move last = proto::kFirstTurnSentinel;
    auto board_for = [&](Color c) { return client::to_board(game.position(), c); };
    for (int hops = 0; hops < 2000; ++hops) {
      if (game.status().kind == game::GameStatus::Win) {
        for (Color c : {Color::Black, Color::White})
          players[c == Color::Black ? 0 : 1].send(proto::GameOver{
              static_cast<uint8_t>(game.status().winner == c), 1500, 1500, last, board_for(c)});
        return -1;
      }
      if (const auto forced = game.forced_move()) {
        game.play(forced->from, forced->dx, forced->dy);
        last =
            proto::Move{static_cast<uint8_t>(forced->from.x), static_cast<uint8_t>(forced->from.y),
                        static_cast<int8_t>(forced->dx), static_cast<int8_t>(forced->dy)};
        for (Color c : {Color::Black, Color::White})
          players[c == Color::Black ? 0 : 1].send(proto::CompulsoryMove{last, board_for(c)});
        continue;
      }
      const Color mover = game.side_to_move();
      const int index = mover == Color::Black ? 0 : 1;
      FakeConn& conn = players[static_cast<size_t>(index)];
      conn.send(proto::YourTurn{last, board_for(mover)});
      for (;;) {
        const auto m = conn.receive();
        if (!m) return -2;
        if (std::holds_alternative<proto::LogOut>(*m)) {
          players[static_cast<size_t>(1 - index)].send(proto::OpponentDisconnect{});
          return index;
        }
        const auto* mm = std::get_if<proto::MakeMove>(&*m);
        if (mm == nullptr) return -2;
        if (game.play(game::Square{mm->move.x, mm->move.y}, mm->move.dx, mm->move.dy)) {
          last = mm->move;
          break;
        }
        conn.send(proto::InvalidMove{mm->move, board_for(mover)});
      }
    }
    return -2;
  }

  checkers::test::LoopbackListener listener_;
};

// Joins the fake server's thread when the test ends, also after a failed REQUIRE: declared
// before the clients, it runs after they are gone and the server's reads have returned.
struct Joiner {
  std::thread& thread;
  ~Joiner() {
    if (thread.joinable()) thread.join();
  }
};

}  // namespace

TEST_CASE(
    "two bots leave drawn games the server never ends, within the 40-move rule, and play on") {
  EndlessServer server;
  std::string ended;
  std::thread referee(
      [&] { ended = server.serve(*game::Position::from_fen("B:WK29,K30:BK3,K4"), 2); });
  Joiner joiner{referee};
  TempDir tmp("client-endless");
  auto bot = [&](const char* name, int seed) {
    // The scripted server speaks plain v1 only, like the reference implementation.
    return bot_client_argv(server.port(), name, "medium", 2,
                           {"--tls", "off", "--protocol", "1", "--seed", std::to_string(seed)});
  };
  // The fake server makes the first to connect Black; either order is fine.
  ChildProcess black(bot("black", 1), tmp / "black.out");
  ChildProcess white(bot("white", 2), tmp / "white.out");
  const auto eb = black.wait_exit(120s);
  const auto ew = white.wait_exit(120s);
  joiner.thread.join();
  const std::string out_b = slurp(tmp / "black.out");
  const std::string out_w = slurp(tmp / "white.out");
  INFO("server: ended by " << ended << "\nblack: " << out_b << "\nwhite: " << out_w);
  CHECK(ended == "a LogOut, a LogOut");
  CHECK(eb == 0);
  CHECK(ew == 0);
  const std::regex line(R"(game (\d): draw \(not ended by the server\) vs (\w+), (\d+) moves)");
  for (const std::string* out : {&out_b, &out_w}) {
    int games = 0;
    for (auto it = std::sregex_iterator(out->begin(), out->end(), line);
         it != std::sregex_iterator(); ++it) {
      CHECK(std::stoi((*it)[1]) == ++games);
      CHECK(std::stoi((*it)[3]) <= 41);  // 40 moves each without a capture or a man's move
    }
    CHECK(games == 2);  // the one who left logged in again for the next game
  }
}

TEST_CASE("a person in a drawn game the server never ends is told and offered to leave") {
  EndlessServer server;
  std::string ended;
  std::thread referee([&] { ended = server.serve(*game::Position::from_fen("B:WK30:BK3"), 1); });
  Joiner joiner{referee};
  TempDir home("client-endless-person");
  auto person = [&](const char* name) {
    return std::make_unique<PtyProcess>(
        std::vector<std::string>{(bin_dir() / "checkers-client").string(), "--tls", "off",
                                 "--protocol", "1", "--host-addr", "127.0.0.1", "--port",
                                 std::to_string(server.port()), "--username", name, "--password",
                                 "pw", "--no-color", "--no-save"},
        std::vector<std::string>{"XDG_STATE_HOME=" + home.path().string(), "TERM=xterm"});
  };
  // The first to connect is Black.
  auto black = person("black");
  REQUIRE(black->expect("Waiting for an opponent"));
  auto white = person("white");
  REQUIRE(black->expect("You play Black"));
  // Both kings shuffle: the start position comes back a third time with Black to move.
  const std::vector<std::string> plies = {"3-7", "30-26", "7-3", "26-30",
                                          "3-7", "30-26", "7-3", "26-30"};
  std::string previous;
  for (size_t i = 0; i < plies.size(); ++i) {
    PtyProcess& mover = i % 2 == 0 ? *black : *white;
    INFO(plies[i] << "\n" << mover.unmatched());
    if (!previous.empty()) REQUIRE(mover.expect(previous));
    REQUIRE(mover.expect("Your move"));
    mover.type(plies[i] + "\n");
    // The fake server names Black "first" and White "second".
    previous = (i % 2 == 0 ? "first: " : "second: ") + plies[i];
  }
  REQUIRE(black->expect(previous));
  REQUIRE(black->expect(
      "The game is drawn by the rules (the same position three times), but this server does not "
      "end it."));
  REQUIRE(black->expect("Leave the game as a draw? [y/N]"));
  black->type("y\n");
  REQUIRE(black->expect(
      "Draw against second: the same position came three times; the server does not end "
      "such games, so you left it."));
  REQUIRE(white->expect(
      "Draw against first: the same position came three times; the server does not end such "
      "games, so first left it."));
  black->type("n\n");
  white->type("n\n");
  CHECK(black->wait_exit(20s) == 0);
  CHECK(white->wait_exit(20s) == 0);
  joiner.thread.join();
  CHECK(ended == "a LogOut");
}
