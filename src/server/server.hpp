// Server: the networking half of checkers-server on one EventLoop - accepts
// connections into Sessions, runs the login flow (password hashing on the work
// queue, open or closed registration, failed-login rate limit), the
// matchmaking queue with its once-a-second QueuePosition broadcast, the game
// rooms, durable results through the store's group commit, and graceful
// shutdown. All of it runs on the loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "reactor/event_loop.hpp"
#include "reactor/tcp_listener.hpp"
#include "reactor/work_queue.hpp"
#include "server/config.hpp"
#include "server/game_room.hpp"
#include "server/house_bot.hpp"
#include "server/matchmaker.hpp"
#include "server/rate_limit.hpp"
#include "server/session.hpp"
#include "server/store.hpp"

namespace checkers::reactor {
class TlsContext;
}

namespace checkers::server {

class Server final : public SessionEvents {
 public:
  using Clock = reactor::EventLoop::Clock;

  // `store` must outlive the server.
  Server(reactor::EventLoop& loop, const ServerConfig& config, AccountStore& store);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens, writes --port-file and logs "listening on ADDR:PORT".
  // Throws std::system_error if the address cannot be bound.
  void start();
  // Stops accepting, ends running games unrated, closes every session; the
  // loop quits once the peers are gone and the store is idle (or after a grace
  // period). Idempotent.
  void shutdown();
  bool shutting_down() const { return shutting_down_; }

  uint16_t port() const;
  // For the discovery responder and stats.
  size_t players_online() const { return online_.size(); }
  size_t players_queued() const { return matchmaker_.size(); }
  size_t games_running() const { return rooms_.size(); }
  size_t sessions() const { return sessions_.size(); }
  // SHA-256 of the TLS certificate ("AB:CD:..."); empty with --tls off.
  const std::string& tls_fingerprint() const { return tls_fingerprint_; }

  // ---- SessionEvents ----
  void on_connect_message(Session& s, const proto::Connect& m) override;
  void on_make_move(Session& s, const proto::MakeMove& m) override;
  void on_requeue(Session& s, proto::State from) override;
  void on_logout(Session& s, proto::State from) override;
  void on_v2_message(Session& s, const proto::Message& m) override;
  void on_session_closed(Session& s) override;

 private:
  void on_new_connection(reactor::TcpConnectionPtr conn);
  void reject_connection(const reactor::TcpConnectionPtr& conn, const char* why);
  // server_tls.cpp: the certificate and context (start()), the first-byte sniff.
  void start_tls();
  void offer_tls(reactor::TcpConnection& conn, uint64_t session_id);
  Session* find_session(uint64_t id);

  // Login flow.
  void login_existing(Session& s, const std::string& name, const std::string& password);
  void register_account(Session& s, const std::string& name, const std::string& password);
  void resume_input(Session& s);
  void abandon_login(Session& s);
  void login_failed(Session& s, proto::LoginFailure reason);
  void complete_login(Session& s, const std::string& name);

  // Queue and games.
  void enqueue(Session& s);
  void on_queue_tick();
  void broadcast_queue_positions(std::shared_ptr<std::vector<uint64_t>> ids, size_t from);
  // keep_order: pair.first is black (a challenge or rematch chose the colours).
  void start_game(const Matchmaker::Pair& pair, bool keep_order = false);
  // --house-bot: serve the server end of a bot connection; pair a bot that logged in.
  void adopt_house_bot_connection(reactor::TcpConnectionPtr conn);
  void pair_house_bot(Session& bot);
  // `player` moved on (queued, watches, starts a game, left): a bot waiting for its
  // rematch leaves; `keep` is the session it now plays, spared.
  void release_house_bot(const Session& player, uint64_t keep = 0);
  // v2 FetchGames: the player's recent games from the games log.
  void send_records(Session& s, uint8_t max);
  void on_game_end(GameRoom& room, const GameRoom::End& end);
  void leave_room(Session& s);

  // Protocol v2 (server_v2.cpp): the features of docs/PROTOCOL-v2.md.
  proto::Welcome welcome_for(const Session& s) const;
  GameRoom* room_of(const Session& s);
  void on_chat(Session& s, const proto::Chat& m);
  bool list_request_allowed(Session& s);
  void send_player_list(Session& s);
  void send_game_list(Session& s);
  void on_watch(Session& s, const proto::Watch& m);
  void stop_watching(Session& s);
  void answer_invitation(Session& s, std::string_view other, proto::ChallengeOutcome why);
  // Invitations (server_v2.cpp, PROTOCOL-v2.md §4.9): one open per inviter.
  struct Invitation {
    std::string invitee;
    proto::ChallengeKind kind = proto::ChallengeKind::Challenge;
    reactor::TimerId timer = 0;
  };
  Session* online_session(std::string_view name);
  // The player `name` as `asker` means it: for the house bot's account, the bot session
  // that played `asker` (several may run under that account).
  Session* session_named(const Session& asker, std::string_view name);
  void on_challenge(Session& s, std::string_view name, proto::ChallengeKind kind);
  void on_answer_challenge(Session& s, std::string_view from, bool accept);
  void on_rematch(Session& s);
  void accept_invitation(Session& inviter, Session& invitee, proto::ChallengeKind kind);
  void drop_invitation(const std::string& inviter);
  // `s` can no longer play an invitation (it started a game, watches or left): its own
  // is closed (ChallengeResult 2 to it, if `tell_self`) and those to it (2 to their inviters).
  void close_invitations(Session& s, bool tell_self);
  std::unordered_map<std::string, Invitation> invitations_;  // by inviter

  void write_port_file() const;
  void check_shutdown_done();

  reactor::EventLoop& loop_;
  ServerConfig config_;
  AccountStore& store_;
  // Password hashing and the store's writes; declared before everything that submits jobs.
  reactor::WorkQueue workers_;
  std::unique_ptr<GroupCommitter> committer_;
  std::unique_ptr<reactor::TcpListener> listener_;
  std::shared_ptr<const reactor::TlsContext> tls_;  // null with --tls off
  std::string tls_fingerprint_;

  std::unordered_map<uint64_t, std::unique_ptr<Session>> sessions_;
  std::unordered_map<std::string, uint64_t> online_;  // account -> session id
  std::unordered_map<std::string, size_t> per_ip_;
  std::set<std::string, std::less<>> registering_;  // names being created right now
  std::unordered_map<uint64_t, std::unique_ptr<GameRoom>> rooms_;
  uint64_t next_room_id_ = 0;

  Matchmaker matchmaker_;
  std::unique_ptr<HouseBot> house_bot_;  // --house-bot
  KeyedTokenBucket login_failures_;
  reactor::TimerId queue_timer_ = 0;
  reactor::TimerId prune_timer_ = 0;
  uint64_t rejected_connections_ = 0;
  Clock::time_point last_reject_warning_{};

  bool shutting_down_ = false;
  Clock::time_point shutdown_deadline_{};
  reactor::TimerId shutdown_timer_ = 0;
};

}  // namespace checkers::server
