#include "server/server.hpp"

#include <sys/socket.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include <spdlog/spdlog.h>

#include "proto/format.hpp"
#include "proto/version.hpp"
#include "reactor/address.hpp"
#include "server/game_records.hpp"
#include "server/limits.hpp"
#include "server/password.hpp"

namespace checkers::server {

namespace {

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

reactor::EventLoop::Clock::duration seconds(double s) {
  return std::chrono::duration_cast<reactor::EventLoop::Clock::duration>(
      std::chrono::duration<double>(s));
}

Matchmaker::Params matchmaker_params(const ServerConfig& c) {
  Matchmaker::Params p;
  p.base_gap = c.match_base_gap;
  p.gap_per_second = c.match_gap_per_second;
  return p;
}

}  // namespace

Server::Server(reactor::EventLoop& loop, const ServerConfig& config, AccountStore& store)
    : loop_(loop),
      config_(config),
      store_(store),
      workers_(loop),
      committer_(std::make_unique<GroupCommitter>(loop, workers_, store)),
      matchmaker_(matchmaker_params(config)),
      login_failures_(limits::kLoginFailureBurst, limits::kLoginFailureRefill) {
  if (config_.house_bot)
    house_bot_ = std::make_unique<HouseBot>(
        loop_, *config_.house_bot, seconds(config_.invitation_timeout_s),
        [this](uint64_t id) {
          const Session* s = find_session(id);
          return s != nullptr ? s->version() : uint8_t{1};
        },
        [this](reactor::TcpConnectionPtr conn) { adopt_house_bot_connection(std::move(conn)); });
}

Server::~Server() {
  house_bot_.reset();  // its connections close before the sessions go
  for (auto& [inviter, inv] : invitations_)
    if (inv.timer != 0) loop_.cancel(inv.timer);
  for (reactor::TimerId t : {queue_timer_, prune_timer_, shutdown_timer_})
    if (t != 0) loop_.cancel(t);
  // Rooms refer to sessions; sessions refer to nothing of ours after this.
  rooms_.clear();
  sessions_.clear();
  committer_.reset();
  // workers_ (destroyed after this) finishes a write in flight before the store is used again.
}

void Server::start() {
  start_tls();
  // SERVICE: listens on the configured port, 8864 by default, on every address.
  listener_ = std::make_unique<reactor::TcpListener>(loop_, config_.listen_addr, config_.port);
  listener_->set_new_connection_callback(
      [this](reactor::TcpConnectionPtr conn) { on_new_connection(std::move(conn)); });
  listener_->listen();
  if (house_bot_) {
    house_bot_->prepare(store_, unix_now());
    committer_->commit({});
  }
  queue_timer_ = loop_.run_every(limits::kQueueTick, [this] { on_queue_tick(); });
  prune_timer_ =
      loop_.run_every(std::chrono::seconds(60), [this] { login_failures_.prune(loop_.now()); });
  spdlog::info("listening on {} (poller {}, registration {}, {} accounts)", listener_->address(),
               reactor::to_string(loop_.poller_kind()),
               config_.registration == Registration::Open ? "open" : "closed", store_.size());
  write_port_file();
}

uint16_t Server::port() const { return listener_ ? listener_->port() : 0; }

void Server::write_port_file() const {
  if (config_.port_file.empty()) return;
  // Temp file + rename: a reader never sees a half-written number.
  const std::string tmp = config_.port_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << listener_->port() << "\n";
  }
  std::error_code ec;
  std::filesystem::rename(tmp, config_.port_file, ec);
  if (ec) spdlog::error("cannot write port file {}: {}", config_.port_file, ec.message());
}

Session* Server::find_session(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() || it->second->closing() ? nullptr : it->second.get();
}

// ---------------------------------------------------------------- connections

void Server::reject_connection(const reactor::TcpConnectionPtr& conn, const char* why) {
  ++rejected_connections_;
  const auto now = loop_.now();
  if (now - last_reject_warning_ >= limits::kRejectWarningInterval) {
    spdlog::warn("rejecting connection from {}: {} ({} rejected so far)", conn->peer_address(), why,
                 rejected_connections_);
    last_reject_warning_ = now;
  }
  conn->close();
}

// CONCURRENT: every accepted connection becomes its own Session on the one event loop; sessions and
// games run side by side.
void Server::on_new_connection(reactor::TcpConnectionPtr conn) {
  if (shutting_down_) {
    conn->close();
    return;
  }
  if (sessions_.size() >= config_.max_clients) {
    reject_connection(conn, "--max-clients reached");
    return;
  }
  std::string ip = reactor::format_ip(reinterpret_cast<const sockaddr*>(&conn->peer()),
                                      reactor::address_length(conn->peer()));
  size_t& from_ip = per_ip_[ip];
  if (from_ip >= config_.max_clients_per_ip) {
    reject_connection(conn, "--max-clients-per-ip reached");
    return;
  }
  ++from_ip;
  const uint64_t id = conn->id();
  offer_tls(*conn, id);
  auto session = std::make_unique<Session>(id, std::move(conn), *this, std::move(ip));
  Session& s = *session;
  sessions_.emplace(id, std::move(session));
  s.start(seconds(config_.login_timeout_s));
  spdlog::debug("{} connected", s.tag());
}

void Server::on_session_closed(Session& s) {
  spdlog::debug("{} disconnected", s.tag());
  if (s.login_pending()) abandon_login(s);
  matchmaker_.remove(s.id());
  leave_room(s);
  stop_watching(s);
  close_invitations(s, false);
  release_house_bot(s);
  if (s.logged_in()) {
    auto it = online_.find(s.account());
    if (it != online_.end() && it->second == s.id()) {
      // Several bot games may run under the bot's account: it stays online while one does.
      const uint64_t other = s.is_house_bot() && house_bot_ ? house_bot_->other_session(s.id()) : 0;
      if (other != 0 && find_session(other) != nullptr)
        it->second = other;
      else
        online_.erase(it);
    }
  }
  if (auto it = per_ip_.find(s.peer_ip()); it != per_ip_.end() && --it->second == 0)
    per_ip_.erase(it);
  auto node = sessions_.extract(s.id());
  if (!node.empty()) {
    // Not destroyed here (we are inside its connection's close callback) but at the end
    // of the pass, by the deferred function that now owns it.
    loop_.defer([session = std::shared_ptr<Session>(std::move(node.mapped()))] {});
  }
  if (shutting_down_) check_shutdown_done();
}

// ---------------------------------------------------------------- login

void Server::on_connect_message(Session& s, const proto::Connect& m) {
  const auto now = loop_.now();
  if (!s.command_allowed(now)) {
    s.close("too many Connect/LogOut/ReQueue per second");
    return;
  }
  if (!s.connect_allowed(now)) {
    spdlog::warn("{} too many logins on one connection; closing", s.tag());
    s.close("Connect flood");
    return;
  }
  if (!login_failures_.has_token(s.peer_ip(), now)) {
    spdlog::warn("{} too many failed logins from {}; closing", s.tag(), s.peer_ip());
    s.close("failed-login rate limit");
    return;
  }
  if (!proto::version_supported(m.version)) {
    spdlog::info("{} login refused: protocol version {} (supported {}..{})", s.tag(), m.version,
                 proto::kLowestSupportedVersion, proto::kHighestSupportedVersion);
    s.send(proto::kOurVersionRange);
    return;
  }
  // PROTOCOL-v2.md §3: the Connect's version is the connection's from now on.
  s.set_version(m.version);
  const std::string name = m.username.str();
  const std::string password = m.password.str();
  if (house_bot_ && house_bot_->owns(s.id()) && name == house_bot_->account()) {
    complete_login(s, name);  // our own in-process connection: nothing to verify
    return;
  }
  if (!valid_username(name)) {
    login_failed(s, proto::LoginFailure::AccountDoesNotExist);
    return;
  }
  if (store_.find(name) != nullptr) {
    login_existing(s, name, password);
  } else if (config_.registration == Registration::Closed) {
    login_failed(s, proto::LoginFailure::AccountDoesNotExist);
  } else if (registering_.count(name) != 0) {
    // Someone else is creating this account this very moment.
    login_failed(s, proto::LoginFailure::AlreadyLoggedIn);
  } else {
    register_account(s, name, password);
  }
}

void Server::login_existing(Session& s, const std::string& name, const std::string& password) {
  std::string hash = store_.find(name)->password_hash;
  const reactor::JobId job = workers_.submit(
      [password, hash = std::move(hash)] { return verify_password(password, hash); },
      [this, id = s.id(), name](bool ok) {
        Session* s = find_session(id);
        if (s == nullptr) return;
        resume_input(*s);
        if (!ok) {
          login_failed(*s, proto::LoginFailure::InvalidPassword);
        } else if (online_.count(name) != 0) {
          login_failed(*s, proto::LoginFailure::AlreadyLoggedIn);
        } else {
          complete_login(*s, name);
        }
      });
  s.begin_login(job);
}

void Server::register_account(Session& s, const std::string& name, const std::string& password) {
  registering_.insert(name);
  const reactor::JobId job = workers_.submit(
      [password]() -> std::optional<std::string> {
        try {
          return hash_password(password);
        } catch (const PasswordError&) {
          return std::nullopt;
        }
      },
      [this, id = s.id(), name](std::optional<std::string> hash) {
        registering_.erase(name);
        if (!hash) spdlog::error("password hashing failed; cannot create account {}", name);
        Account account;
        account.name = name;
        account.password_hash = hash ? std::move(*hash) : std::string();
        account.created = unix_now();
        const bool created = hash && store_.create_account(std::move(account));
        Session* s = find_session(id);
        if (s == nullptr) return;
        s->login_job_done();
        if (!created) {
          resume_input(*s);
          login_failed(*s, proto::LoginFailure::AccountDoesNotExist);
          return;
        }
        spdlog::info("account {} created (open registration)", name);
        // The account must be durable before we tell the client it exists.
        committer_->commit([this, id, name](bool ok) {
          Session* s = find_session(id);
          if (s == nullptr) return;
          resume_input(*s);
          if (!ok) {
            spdlog::error("{} could not store new account {}", s->tag(), name);
            login_failed(*s, proto::LoginFailure::AccountDoesNotExist);
          } else if (online_.count(name) != 0) {
            login_failed(*s, proto::LoginFailure::AlreadyLoggedIn);
          } else {
            complete_login(*s, name);
          }
        });
      });
  s.begin_login(job, name);
}

// The session closed while its password job was queued or running: the job is dropped
// (or its result ignored), so a connect-and-leave flood costs no hashing.
void Server::abandon_login(Session& s) {
  if (s.login_job() == 0) return;  // hashed already; the commit's callback finds no session
  const bool skipped = workers_.cancel(s.login_job());
  if (s.registering().empty()) return;
  registering_.erase(s.registering());
  spdlog::debug("registration of {} {}", s.registering(),
                skipped ? "skipped: the client left before the hash"
                        : "abandoned: the client left during the hash");
}

// The login job is done: input that arrived meanwhile is handled at the end of
// this iteration, after the reply that the caller sends now.
void Server::resume_input(Session& s) {
  s.end_login();
  loop_.defer([this, id = s.id()] {
    if (Session* s = find_session(id)) s->process_input();
  });
}

void Server::login_failed(Session& s, proto::LoginFailure reason) {
  spdlog::info("{} login refused: {}", s.tag(), reason);
  s.send(proto::InvalidLogin{reason});
  if (reason != proto::LoginFailure::AlreadyLoggedIn &&
      !login_failures_.consume(s.peer_ip(), loop_.now())) {
    spdlog::warn("{} too many failed logins from {}; closing", s.tag(), s.peer_ip());
    s.close_after_flush("failed-login rate limit");
    return;
  }
  // A person retyping a password gets the whole login time again (the reference client
  // asks again on the same connection); the rate limit above still bounds guessing.
  s.arm_login_timer(seconds(config_.login_timeout_s));
}

void Server::complete_login(Session& s, const std::string& name) {
  const Account* account = store_.find(name);
  if (account == nullptr) {  // deleted meanwhile (cannot happen while we hold the lock)
    login_failed(s, proto::LoginFailure::AccountDoesNotExist);
    return;
  }
  s.set_account(name);
  s.set_rating(account->glicko.wire_rating());
  s.cancel_login_timer();
  online_[name] = s.id();
  store_.touch(name, unix_now());
  spdlog::info("{} logged in (rating {}, protocol v{})", s.tag(), s.rating(), s.version());
  if (s.version() >= 2) {
    s.send(welcome_for(s));  // idle: a v2 player joins the queue with ReQueue
    return;
  }
  enqueue(s);
}

void Server::on_logout(Session& s, proto::State from) {
  if (!s.command_allowed(loop_.now())) {
    s.close("too many Connect/LogOut/ReQueue per second");
    return;
  }
  spdlog::info("{} logged out (from {})", s.tag(), from);
  if (s.login_pending()) abandon_login(s);
  matchmaker_.remove(s.id());
  leave_room(s);
  stop_watching(s);
  close_invitations(s, false);
  release_house_bot(s);
  auto it = online_.find(s.account());
  if (it != online_.end() && it->second == s.id()) online_.erase(it);
  s.clear_account();
  s.arm_login_timer(seconds(config_.login_timeout_s));
}

// ---------------------------------------------------------------- queue

void Server::enqueue(Session& s) {
  if (s.is_house_bot()) {
    pair_house_bot(s);
    return;
  }
  release_house_bot(s);
  const auto now = loop_.now();
  matchmaker_.add(s.id(), s.rating(), s.account(), s.last_opponent(), now);
  const auto n = static_cast<uint32_t>(matchmaker_.size());
  s.send(proto::QueuePosition{n, n, s.rating()});
  if (auto pair = matchmaker_.match_one(s.id(), now)) start_game(*pair);
}

void Server::on_requeue(Session& s, proto::State from) {
  // After a game the next ReQueue comes as fast as games end (bots finish a v2 game in
  // ~10 ms): that is paced by the games, not a flood. Only queue hopping is counted.
  if (from != proto::State::GameEnd && !s.command_allowed(loop_.now())) {
    s.close("too many Connect/LogOut/ReQueue per second");
    return;
  }
  if (const Account* a = store_.find(s.account())) s.set_rating(a->glicko.wire_rating());
  enqueue(s);
}

void Server::on_queue_tick() {
  if (shutting_down_) return;
  for (const Matchmaker::Pair& p : matchmaker_.match_all(loop_.now())) start_game(p);
  if (house_bot_) house_bot_->on_queue_tick(matchmaker_, loop_.now());
  if (matchmaker_.empty()) return;
  auto ids = std::make_shared<std::vector<uint64_t>>();
  ids->reserve(matchmaker_.size());
  matchmaker_.for_each([&](uint64_t id, uint32_t, uint32_t, uint32_t) { ids->push_back(id); });
  broadcast_queue_positions(std::move(ids), 0);
}

// Sends in chunks of kQueueBroadcastChunk per loop iteration so 100k waiting
// players do not hold up the games. Positions are those of the snapshot.
void Server::broadcast_queue_positions(std::shared_ptr<std::vector<uint64_t>> ids, size_t from) {
  const size_t end = std::min(ids->size(), from + limits::kQueueBroadcastChunk);
  const auto size = static_cast<uint32_t>(ids->size());
  for (size_t i = from; i < end; ++i) {
    Session* s = find_session((*ids)[i]);
    if (s == nullptr || s->state() != proto::State::InQueue || !matchmaker_.contains(s->id()))
      continue;
    s->send(proto::QueuePosition{size, static_cast<uint32_t>(i + 1), s->rating()});
  }
  if (end < ids->size())
    loop_.defer([this, ids = std::move(ids), end]() mutable {
      loop_.defer([this, ids = std::move(ids), end]() mutable {
        broadcast_queue_positions(std::move(ids), end);
      });
    });
}

// ---------------------------------------------------------------- games

void Server::start_game(const Matchmaker::Pair& pair, bool keep_order) {
  Session* a = find_session(pair.first);
  Session* b = find_session(pair.second);
  if (a == nullptr || b == nullptr) {  // cannot happen: closed sessions leave the queue
    if (a != nullptr) enqueue(*a);
    if (b != nullptr) enqueue(*b);
    return;
  }
  // The lower-rated player is primary (Black, moves first); on a tie the one
  // who queued first.
  Session& black = !keep_order && b->rating() < a->rating() ? *b : *a;
  Session& white = &black == a ? *b : *a;
  const uint64_t id = ++next_room_id_;
  stop_watching(black);
  stop_watching(white);
  close_invitations(black, true);
  close_invitations(white, true);
  release_house_bot(black, white.id());
  release_house_bot(white, black.id());
  black.v2().last_was_black = true;
  white.v2().last_was_black = false;
  auto room = std::make_unique<GameRoom>(
      id, loop_, GameRoom::Settings{seconds(config_.turn_timeout_s), config_.time_control}, black,
      white, [this](GameRoom& r, const GameRoom::End& end) { on_game_end(r, end); });
  black.set_room(id);
  white.set_room(id);
  black.set_last_opponent(white.account());
  white.set_last_opponent(black.account());
  GameRoom& r = *room;
  rooms_.emplace(id, std::move(room));
  r.start();
}

void Server::adopt_house_bot_connection(reactor::TcpConnectionPtr conn) {
  const uint64_t id = conn->id();
  auto session = std::make_unique<Session>(id, conn, *this, "house-bot");
  Session& s = *session;
  s.mark_house_bot();
  sessions_.emplace(id, std::move(session));
  s.start(seconds(config_.login_timeout_s));
  conn->start();  // what TcpListener does after its callback
}

// The bot came for one waiting player; if someone else took that player meanwhile, it leaves.
void Server::pair_house_bot(Session& bot) {
  const std::optional<uint64_t> opponent = house_bot_->take_opponent(bot.id());
  bot.send(proto::QueuePosition{1, 1, bot.rating()});
  Session* human = opponent ? find_session(*opponent) : nullptr;
  if (human == nullptr || !matchmaker_.remove(human->id())) {
    bot.close_after_flush("house bot: the player it came for is no longer waiting");
    return;
  }
  start_game(Matchmaker::Pair{human->id(), bot.id()});
}

void Server::release_house_bot(const Session& player, uint64_t keep) {
  if (house_bot_ && !player.is_house_bot()) house_bot_->release(player.id(), keep);
}

void Server::on_make_move(Session& s, const proto::MakeMove& m) {
  auto it = rooms_.find(s.room());
  if (it == rooms_.end()) return;  // the game just ended; its result is on the way
  it->second->on_move(s, m.move);
}

void Server::leave_room(Session& s) {
  auto it = rooms_.find(s.room());
  if (it == rooms_.end()) return;
  it->second->on_leave(s);
}

void Server::on_game_end(GameRoom& room, const GameRoom::End& end) {
  using game::Color;
  const double score_black = !end.winner ? 0.5 : (*end.winner == Color::Black ? 1.0 : 0.0);
  const GameRecord rec = store_.finish_game(room.name(Color::Black), room.name(Color::White),
                                            score_black, end.reason, unix_now());
  const GameClock& clock = room.clock();
  const ArchivedClock time_control{static_cast<uint8_t>(clock.kind()),
                                   static_cast<uint32_t>(clock.base().count()),
                                   static_cast<uint32_t>(clock.increment().count())};
  const uint64_t record =
      store_.archive_game(archive_of(rec, room.started(), room.game().moves(), time_control));
  spdlog::info("game #{} over: {} ({} -> {}) vs {} ({} -> {}): {}, {} (game record {})", room.id(),
               room.name(Color::Black), rec.a_before.wire_rating(), rec.a_after.wire_rating(),
               room.name(Color::White), rec.b_before.wire_rating(), rec.b_after.wire_rating(),
               !end.winner ? std::string("draw") : room.name(*end.winner) + " won", end.reason,
               record);
  // GameOver reports the new ratings, so it waits until they are on disk.
  committer_->commit([this, id = room.id(), rec](bool ok) {
    auto it = rooms_.find(id);
    if (it == rooms_.end()) return;
    if (!ok) spdlog::error("game #{}: result not durable; players get OpponentDisconnect", id);
    it->second->deliver_result(rec, ok);
    rooms_.erase(it);
    if (shutting_down_) check_shutdown_done();
  });
}

// ---------------------------------------------------------------- shutdown

void Server::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  spdlog::info("shutting down: {} sessions, {} games running", sessions_.size(), rooms_.size());
  listener_.reset();  // stop accepting
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    if (it->second->playing()) {
      it->second->abort_unrated();
      it = rooms_.erase(it);
    } else {
      ++it;  // result being written: its GameOver still goes out
    }
  }
  shutdown_deadline_ = loop_.now() + limits::kShutdownGrace;
  // Sessions close once no result is pending for them.
  shutdown_timer_ =
      loop_.run_every(std::chrono::milliseconds(20), [this] { check_shutdown_done(); });
  check_shutdown_done();
}

void Server::check_shutdown_done() {
  if (rooms_.empty()) {
    std::vector<Session*> open;
    for (auto& [id, s] : sessions_)
      if (!s->closing()) open.push_back(s.get());
    for (Session* s : open) s->close_after_flush("server shutting down");
  }
  const bool idle = sessions_.empty() && !committer_->busy() && rooms_.empty();
  if (idle || loop_.now() >= shutdown_deadline_) {
    if (!idle)
      spdlog::warn("shutdown: grace period over, {} sessions still open", sessions_.size());
    if (shutdown_timer_ != 0) loop_.cancel(shutdown_timer_);
    shutdown_timer_ = 0;
    loop_.quit();
  }
}

}  // namespace checkers::server
