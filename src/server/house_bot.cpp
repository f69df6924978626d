// HouseBot: summoning a bot connection for a lonely player, and Player, the client side
// of one bot connection: v1 (log in, answer every YourTurn with the engine's move hop by
// hop, leave when the game is over) or v2 (whole moves, draw answers, rematches; leave
// when no rematch comes).
#include "server/house_bot.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "game/search.hpp"
#include "proto/board_mapping.hpp"
#include "proto/dfa.hpp"
#include "proto/format.hpp"
#include "proto/messages.hpp"
#include "proto/stream_decoder.hpp"
#include "server/game_room.hpp"
#include "server/store.hpp"

namespace checkers::server {

namespace {

// A bot game at a time per connection; its transposition table stays small because
// several bot games may run at once.
constexpr std::size_t kBotTableMb = 2;

const char* level_name(game::Level level) {
  switch (level) {
    case game::Level::Random:
      return "random";
    case game::Level::Medium:
      return "medium";
    case game::Level::Strong:
      return "strong";
  }
  return "medium";
}

}  // namespace

std::string house_bot_account(game::Level level) {
  return std::string("computer-") + level_name(level);
}

// ---------------------------------------------------------------- Player

class HouseBot::Player {
 public:
  struct Setup {
    std::string account;
    game::Level level;
    uint8_t version;  // the waiting player's: the bot speaks it
    reactor::EventLoop::Clock::duration rematch_wait;
    uint64_t seed;
  };

  Player(reactor::EventLoop& loop, reactor::WorkQueue& search, reactor::TcpConnectionPtr conn,
         Setup setup, std::function<void()> on_done)
      : loop_(loop),
        search_(search),
        conn_(std::move(conn)),
        setup_(std::move(setup)),
        searcher_(std::make_shared<game::Searcher>(setup_.seed, kBotTableMb)),
        on_done_(std::move(on_done)) {}

  ~Player() {
    if (search_job_ != 0) search_.cancel(search_job_);
    if (rematch_timer_ != 0) loop_.cancel(rematch_timer_);
    conn_->set_message_callback([](const reactor::TcpConnectionPtr&, reactor::Buffer&) {});
    conn_->set_close_callback([](const reactor::TcpConnectionPtr&) {});
    conn_->close();
  }
  Player(const Player&) = delete;
  Player& operator=(const Player&) = delete;

  void start() {
    conn_->set_message_callback(
        [this](const reactor::TcpConnectionPtr&, reactor::Buffer& in) { on_input(in); });
    conn_->set_close_callback([this](const reactor::TcpConnectionPtr&) { done(); });
    conn_->start();
    dfa_.set_version(setup_.version);
    decoder_.set_version(setup_.version);
    // The server knows this connection is the bot's: no password.
    send(proto::Connect{setup_.version, proto::Str16(setup_.account), proto::Str16("")});
  }

  // Left (or leaving at the end of this pass).
  bool gone() const { return finished_; }

  // The opponent moved on: no rematch will come.
  void release() {
    released_ = true;
    if (waiting_for_rematch()) leave("the opponent moved on");
  }

 private:
  void on_input(reactor::Buffer& in) {
    const proto::FeedResult r = decoder_.feed(in.readable(), [this](const proto::Message& m) {
      if (finished_) return false;
      handle(m);
      return !finished_;
    });
    in.retrieve(r.consumed);
    if (r.status == proto::DecodeStatus::UnknownType || r.status == proto::DecodeStatus::Malformed)
      leave("malformed message from the server");
  }

  void handle(const proto::Message& m) {
    if (dfa_.on_receive(proto::type_of(m)).verdict != proto::Verdict::Accept) {
      spdlog::error("house bot {}: BUG: unexpected {} from the server", setup_.account, m);
      leave("protocol violation");
      return;
    }
    if (const auto* bad = std::get_if<proto::InvalidLogin>(&m)) {
      spdlog::error("house bot {}: login refused ({})", setup_.account, bad->reason);
      leave("login refused");
    } else if (setup_.version >= 2) {
      handle_v2(m);
    } else {
      handle_v1(m);
    }
  }

  // ---- protocol v1: hop by hop, one game per connection

  void handle_v1(const proto::Message& m) {
    if (const auto* t = std::get_if<proto::YourTurn>(&m)) {
      on_turn(*t);
    } else if (const auto* c = std::get_if<proto::CompulsoryMove>(&m)) {
      // The server played a hop of ours itself (the only legal one): skip it in the plan.
      if (next_ < plan_.size() && c->move == to_wire(plan_[next_])) {
        sent_ = c->move;
        ++next_;
      }
    } else if (std::holds_alternative<proto::GameStart>(m)) {
      me_.reset();
      plan_.clear();
      next_ = 0;
    } else if (const auto* inv = std::get_if<proto::InvalidMove>(&m)) {
      spdlog::error("house bot {}: BUG: the server refused the engine's hop {}", setup_.account,
                    inv->move);
      leave("move refused");
    } else if (std::holds_alternative<proto::GameOver>(m) ||
               std::holds_alternative<proto::OpponentDisconnect>(m)) {
      leave("game over");
    }
  }

  void on_turn(const proto::YourTurn& t) {
    // Black's first turn carries the sentinel; White's first turn carries Black's move.
    if (!me_)
      me_ = t.last_move == proto::kFirstTurnSentinel ? game::Color::Black : game::Color::White;
    if (next_ < plan_.size() && sent_ && t.last_move == *sent_) {
      send_hop();  // the same capture goes on
      return;
    }
    plan_.clear();
    next_ = 0;
    think(proto::position_from(t.board, *me_, *me_), 0);
  }

  void send_hop() {
    const proto::Move hop = to_wire(plan_[next_++]);
    sent_ = hop;
    send(proto::MakeMove{hop});
  }

  // ---- protocol v2 (PROTOCOL-v2.md §10): whole moves, draws, rematches

  void handle_v2(const proto::Message& m) {
    if (std::holds_alternative<proto::Welcome>(m)) {
      send(proto::ReQueue{});  // logged in idle: join the queue (the server pairs us)
    } else if (const auto* g = std::get_if<proto::GameStart2>(&m)) {
      cancel_rematch_wait();
      rematch_asked_ = false;
      me_ = g->colour == proto::Colour::Primary ? game::Color::Black : game::Color::White;
      board_ = board_for_viewer(game::Position::start(), *me_);
    } else if (const auto* t = std::get_if<proto::YourTurn2>(&m)) {
      board_ = t->board;
      const uint32_t clock = *me_ == game::Color::Black ? t->primary_clock : t->secondary_clock;
      // Fischer: its thinking counts on its clock, so it spends at most 1/20 of what is left.
      const int cap_ms = clock == proto::kNoClock ? 0 : static_cast<int>(std::max(1u, clock / 20));
      think(proto::position_from(t->board, *me_, *me_), cap_ms);
    } else if (const auto* mm = std::get_if<proto::MoveMade>(&m)) {
      board_ = mm->board;
    } else if (std::holds_alternative<proto::DrawOffered>(m)) {
      const int eval = game::evaluate(proto::position_from(board_, *me_, *me_));
      const bool accept = eval <= kHouseBotDrawMargin;
      spdlog::debug("house bot {}: draw offered, evaluation {}: {}", setup_.account, eval,
                    accept ? "accepted" : "declined");
      send(proto::AnswerDraw{static_cast<uint8_t>(accept ? 1 : 0)});
    } else if (const auto* inv = std::get_if<proto::InvalidMove2>(&m)) {
      spdlog::error("house bot {}: BUG: the server refused the engine's move ({})", setup_.account,
                    proto::Message{*inv});
      leave("move refused");
    } else if (std::holds_alternative<proto::GameOver2>(m)) {
      on_game_over();
    } else if (const auto* c = std::get_if<proto::ChallengeReceived>(&m)) {
      // Only the last opponent's rematch reaches the bot (a Challenge is refused for it).
      const bool accept = c->kind == proto::ChallengeKind::Rematch && !released_;
      if (accept) {
        cancel_rematch_wait();
        rematch_asked_ = true;
      }
      send(proto::AnswerChallenge{c->from, static_cast<uint8_t>(accept ? 1 : 0)});
    } else if (const auto* r = std::get_if<proto::ChallengeResult>(&m)) {
      // Accepted: GameStart2 came first. Anything else: the rematch fell through.
      if (r->result != proto::ChallengeOutcome::Accepted && dfa_.state() == proto::State::GameEnd)
        leave("the rematch fell through");
    }
    // QueuePosition, WatcherCount, DrawDeclined, ...: nothing to do.
  }

  void on_game_over() {
    if (search_job_ != 0) {  // e.g. the game ended on time or by resignation while we thought
      search_.cancel(search_job_);
      search_job_ = 0;
      spdlog::debug("house bot {}: search cancelled: the game is over", setup_.account);
    }
    ++turn_;
    if (released_) {
      leave("game over; the opponent moved on");
      return;
    }
    rematch_timer_ = loop_.run_after(setup_.rematch_wait, [this] {
      rematch_timer_ = 0;
      leave("no rematch asked");
    });
  }

  bool waiting_for_rematch() const {
    return dfa_.state() == proto::State::GameEnd && rematch_timer_ != 0 && !rematch_asked_;
  }

  void cancel_rematch_wait() {
    if (rematch_timer_ != 0) loop_.cancel(rematch_timer_);
    rematch_timer_ = 0;
  }

  // ---- both versions

  // The engine's move for `pos` on the work queue; a newer turn or the end makes it moot.
  void think(const game::Position& pos, int cap_ms) {
    const uint64_t turn = ++turn_;
    if (search_job_ != 0) search_.cancel(search_job_);
    search_job_ = search_.submit([searcher = searcher_, pos, level = setup_.level,
                                  cap_ms] { return searcher->choose(pos, level, cap_ms); },
                                 [this, turn](game::Move best) { play(turn, best); });
  }

  void play(uint64_t turn, const game::Move& best) {
    search_job_ = 0;
    if (finished_ || turn != turn_) return;
    if (best.empty()) {  // the server ends a game without legal moves first
      leave("no legal move");
      return;
    }
    if (setup_.version >= 2) {
      send(proto::MakeMove2{to_path(best)});  // the whole move, every jump of it
      return;
    }
    plan_ = best.hops();
    next_ = 0;
    send_hop();
  }

  void send(const proto::Message& m) {
    if (finished_) return;
    if (dfa_.on_send(proto::type_of(m)).verdict != proto::Verdict::Accept) {
      spdlog::error("house bot {}: BUG: not sending {} in state {}", setup_.account, m,
                    dfa_.state());
      return;
    }
    std::array<uint8_t, proto::kMaxMessageSizeV2> buf;
    const size_t n = proto::encode(m, buf);
    if (n != 0) conn_->send(buf.data(), n);
  }

  // A v1 bot plays one game per connection; a v2 bot leaves when no rematch comes.
  void leave(const char* why) {
    if (finished_) return;
    spdlog::info("--house-bot: {} leaves ({})", setup_.account, why);
    conn_->close();
    done();
  }

  void done() {
    if (finished_) return;
    finished_ = true;
    loop_.defer([cb = on_done_] { cb(); });  // not from inside our own callbacks
  }

  reactor::EventLoop& loop_;
  reactor::WorkQueue& search_;
  reactor::JobId search_job_ = 0;  // cancelled when a new turn or the end makes it moot
  reactor::TcpConnectionPtr conn_;
  Setup setup_;
  std::shared_ptr<game::Searcher> searcher_;
  std::function<void()> on_done_;
  proto::StreamDecoder decoder_;
  proto::DfaTracker dfa_{proto::Role::Client};
  std::optional<game::Color> me_;
  uint64_t turn_ = 0;  // identifies the turn a search result belongs to
  bool finished_ = false;
  // v1: the engine's move for this turn, hop by hop.
  std::vector<game::Hop> plan_;
  std::size_t next_ = 0;  // the next hop of plan_ to play
  std::optional<proto::Move> sent_;
  // v2: the position as last told (own view), the wait for a rematch after a game.
  proto::Board board_;
  reactor::TimerId rematch_timer_ = 0;
  bool rematch_asked_ = false;  // accepted a rematch; its game is starting
  bool released_ = false;       // the opponent moved on: leave after this game
};

// ---------------------------------------------------------------- HouseBot

HouseBot::HouseBot(reactor::EventLoop& loop, HouseBotSettings settings,
                   reactor::EventLoop::Clock::duration rematch_wait, VersionOf version_of,
                   Adopt adopt)
    : loop_(loop),
      settings_(settings),
      rematch_wait_(rematch_wait),
      account_(house_bot_account(settings.level)),
      version_of_(std::move(version_of)),
      adopt_(std::move(adopt)),
      seed_(std::random_device{}()),
      search_(loop) {}

HouseBot::~HouseBot() { players_.clear(); }

void HouseBot::prepare(AccountStore& store, int64_t now) const {
  // Not a crypt(3) string: verify_password() refuses every password for it.
  static constexpr const char* kNoPassword = "!house-bot";
  if (const Account* a = store.find(account_)) {
    if (a->password_hash != kNoPassword) {
      spdlog::warn("--house-bot: account {} had a password; it is now the house bot's only",
                   account_);
      store.set_password_hash(account_, kNoPassword);
    }
    return;
  }
  Account a;
  a.name = account_;
  a.password_hash = kNoPassword;
  a.created = now;
  store.create_account(std::move(a));
  spdlog::info("--house-bot: account {} created", account_);
}

void HouseBot::on_queue_tick(const Matchmaker& queue, Matchmaker::Clock::time_point now) {
  if (queue.size() != 1) return;
  const std::optional<Matchmaker::Waiting> w = queue.longest_waiting();
  if (!w || now - w->since < std::chrono::duration<double>(settings_.wait_s)) return;
  for (const auto& [id, slot] : players_)
    if (!slot.logged_in && slot.opponent == w->id) return;  // a bot is on its way
  summon(w->id);
}

void HouseBot::summon(uint64_t opponent) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    spdlog::error("--house-bot: socketpair failed: {}", std::strerror(errno));
    return;
  }
  reactor::UniqueFd server_end(fds[0]);
  reactor::UniqueFd bot_end(fds[1]);
  sockaddr_storage local{};
  local.ss_family = AF_UNIX;
  auto server_conn = reactor::TcpConnection::create(loop_, std::move(server_end), local);
  auto bot_conn = reactor::TcpConnection::create(loop_, std::move(bot_end), local);
  const uint64_t id = server_conn->id();
  const uint8_t version = version_of_(opponent) >= 2 ? 2 : 1;
  auto player = std::make_unique<Player>(
      loop_, search_, std::move(bot_conn),
      Player::Setup{account_, settings_.level, version, rematch_wait_, seed_ + id},
      [this, id] { on_player_done(id); });
  Player& p = *player;
  players_.emplace(id, Slot{opponent, false, std::move(player)});
  spdlog::info("--house-bot: {} comes to play session #{} (protocol v{})", account_, opponent,
               version);
  adopt_(std::move(server_conn));
  p.start();
}

std::optional<uint64_t> HouseBot::take_opponent(uint64_t session_id) {
  const auto it = players_.find(session_id);
  if (it == players_.end() || it->second.logged_in) return std::nullopt;
  it->second.logged_in = true;
  return it->second.opponent;
}

uint64_t HouseBot::session_for(uint64_t player) const {
  for (const auto& [id, slot] : players_)
    if (slot.logged_in && !slot.player->gone() && slot.opponent == player) return id;
  return 0;
}

uint64_t HouseBot::other_session(uint64_t except) const {
  for (const auto& [id, slot] : players_)
    if (slot.logged_in && !slot.player->gone() && id != except) return id;
  return 0;
}

void HouseBot::release(uint64_t player, uint64_t keep) {
  for (auto& [id, slot] : players_)
    if (slot.logged_in && slot.opponent == player && id != keep) slot.player->release();
}

void HouseBot::on_player_done(uint64_t session_id) { players_.erase(session_id); }

}  // namespace checkers::server
