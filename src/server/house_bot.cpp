// HouseBot: summoning a bot connection for a lonely player, and Player, the v1 client side
// of one bot connection (log in, answer every YourTurn with the engine's move hop by hop,
// leave when the game is over).
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
  Player(reactor::EventLoop& loop, reactor::WorkQueue& search, reactor::TcpConnectionPtr conn,
         std::string account, game::Level level, uint64_t seed, std::function<void()> on_done)
      : loop_(loop),
        search_(search),
        conn_(std::move(conn)),
        account_(std::move(account)),
        level_(level),
        searcher_(std::make_shared<game::Searcher>(seed, kBotTableMb)),
        on_done_(std::move(on_done)) {}

  ~Player() {
    if (search_job_ != 0) search_.cancel(search_job_);
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
    // The server knows this connection is the bot's: no password.
    send(proto::Connect{1, proto::Str16(account_), proto::Str16("")});
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
      spdlog::error("house bot {}: BUG: unexpected {} from the server", account_, m);
      leave("protocol violation");
      return;
    }
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
      spdlog::error("house bot {}: BUG: the server refused the engine's hop {}", account_,
                    inv->move);
      leave("move refused");
    } else if (std::holds_alternative<proto::GameOver>(m) ||
               std::holds_alternative<proto::OpponentDisconnect>(m)) {
      leave("game over");
    } else if (const auto* bad = std::get_if<proto::InvalidLogin>(&m)) {
      spdlog::error("house bot {}: login refused ({})", account_, bad->reason);
      leave("login refused");
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
    const game::Position pos = proto::position_from(t.board, *me_, *me_);
    const uint64_t turn = ++turn_;
    if (search_job_ != 0) search_.cancel(search_job_);
    search_job_ = search_.submit(
        [searcher = searcher_, pos, level = level_] { return searcher->choose(pos, level); },
        [this, turn](game::Move best) {
          search_job_ = 0;
          if (finished_ || turn != turn_) return;
          if (best.empty()) {  // the server ends a game without legal moves first
            leave("no legal move");
            return;
          }
          plan_ = best.hops();
          next_ = 0;
          send_hop();
        });
  }

  void send_hop() {
    const proto::Move hop = to_wire(plan_[next_++]);
    sent_ = hop;
    send(proto::MakeMove{hop});
  }

  void send(const proto::Message& m) {
    if (finished_) return;
    if (dfa_.on_send(proto::type_of(m)).verdict != proto::Verdict::Accept) {
      spdlog::error("house bot {}: BUG: not sending {} in state {}", account_, m, dfa_.state());
      return;
    }
    std::array<uint8_t, proto::kMaxMessageSize> buf;
    const size_t n = proto::encode(m, buf);
    if (n != 0) conn_->send(buf.data(), n);
  }

  // The bot plays one game per connection: it leaves when the game is over.
  void leave(const char* why) {
    if (finished_) return;
    spdlog::debug("house bot {}: leaving ({})", account_, why);
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
  std::string account_;
  game::Level level_;
  std::shared_ptr<game::Searcher> searcher_;
  std::function<void()> on_done_;
  proto::StreamDecoder decoder_;
  proto::DfaTracker dfa_{proto::Role::Client};
  std::optional<game::Color> me_;
  std::vector<game::Hop> plan_;  // the engine's move for this turn, hop by hop
  std::size_t next_ = 0;         // the next hop of plan_ to play
  std::optional<proto::Move> sent_;
  uint64_t turn_ = 0;  // identifies the turn a search result belongs to
  bool finished_ = false;
};

// ---------------------------------------------------------------- HouseBot

HouseBot::HouseBot(reactor::EventLoop& loop, HouseBotSettings settings, Adopt adopt)
    : loop_(loop),
      settings_(settings),
      account_(house_bot_account(settings.level)),
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
    if (slot.opponent == w->id) return;  // a bot is on its way
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
  auto player =
      std::make_unique<Player>(loop_, search_, std::move(bot_conn), account_, settings_.level,
                               seed_ + id, [this, id] { on_player_done(id); });
  Player& p = *player;
  players_.emplace(id, Slot{opponent, std::move(player)});
  spdlog::info("--house-bot: {} comes to play session #{}", account_, opponent);
  adopt_(std::move(server_conn));
  p.start();
}

std::optional<uint64_t> HouseBot::take_opponent(uint64_t session_id) {
  const auto it = players_.find(session_id);
  if (it == players_.end()) return std::nullopt;
  return std::exchange(it->second.opponent, std::nullopt);
}

void HouseBot::on_player_done(uint64_t session_id) { players_.erase(session_id); }

}  // namespace checkers::server
