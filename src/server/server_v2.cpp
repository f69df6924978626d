// The protocol v2 half of Server (docs/PROTOCOL-v2.md): the idle state and the
// queue, v2 game messages routed to the GameRoom, chat, the lobby lists and
// spectating. Kept apart from server.cpp, which holds what both versions share.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <type_traits>

#include "proto/format.hpp"
#include "server/limits.hpp"
#include "server/server.hpp"

namespace checkers::server {

namespace {

// PROTOCOL-v2.md §11.
constexpr double kChatBurst = 5;
constexpr auto kChatRefill = std::chrono::seconds(2);
constexpr auto kChatRefusalInterval = std::chrono::seconds(1);
constexpr double kListBurst = 5;
constexpr auto kListRefill = std::chrono::seconds(1);
constexpr size_t kMaxPlayerEntries = 200;
constexpr size_t kMaxGameEntries = 100;

// A token bucket in two fields of Session::V2.
bool take_token(double& tokens, reactor::EventLoop::Clock::time_point& last,
                reactor::EventLoop::Clock::time_point now, double burst,
                reactor::EventLoop::Clock::duration refill) {
  if (last.time_since_epoch().count() != 0)
    tokens = std::min(burst, tokens + std::chrono::duration<double>(now - last) /
                                          std::chrono::duration<double>(refill));
  last = now;
  if (tokens < 1) return false;
  tokens -= 1;
  return true;
}

proto::PlayerStatus status_of(const Session& s) {
  switch (s.state()) {
    case proto::State::InQueue:
      return proto::PlayerStatus::Queued;
    case proto::State::ProcessingGameState:
    case proto::State::UserMove:
      return proto::PlayerStatus::Playing;
    case proto::State::Watching:
      return proto::PlayerStatus::Watching;
    default:
      return s.room() != 0 ? proto::PlayerStatus::Playing : proto::PlayerStatus::Idle;
  }
}

}  // namespace

proto::Welcome Server::welcome_for(const Session& s) const {
  proto::Welcome w;
  w.version = s.version();
  w.rating = s.rating();
  w.base_ms = static_cast<uint32_t>(config_.time_control.base.count());
  w.increment_ms = static_cast<uint32_t>(config_.time_control.increment.count());
  w.chat_max = config_.chat ? static_cast<uint16_t>(proto::kMaxChatBytes) : 0;
  w.flags = house_bot_ ? proto::Welcome::kFlagHouseBot : 0;
  return w;
}

GameRoom* Server::room_of(const Session& s) {
  auto it = rooms_.find(s.room());
  return it == rooms_.end() ? nullptr : it->second.get();
}

void Server::on_v2_message(Session& s, const proto::Message& m) {
  std::visit(
      [&](const auto& msg) {
        using T = std::decay_t<decltype(msg)>;
        if constexpr (std::is_same_v<T, proto::LeaveQueue>) {
          matchmaker_.remove(s.id());
          s.send(welcome_for(s));
        } else if constexpr (std::is_same_v<T, proto::MakeMove2>) {
          if (GameRoom* r = room_of(s)) r->on_path(s, msg.path);
        } else if constexpr (std::is_same_v<T, proto::Resign>) {
          if (GameRoom* r = room_of(s)) r->on_resign(s);
        } else if constexpr (std::is_same_v<T, proto::OfferDraw>) {
          if (GameRoom* r = room_of(s)) r->on_offer_draw(s);
        } else if constexpr (std::is_same_v<T, proto::AnswerDraw>) {
          if (GameRoom* r = room_of(s)) r->on_answer_draw(s, msg.accept != 0);
        } else if constexpr (std::is_same_v<T, proto::Chat>) {
          on_chat(s, msg);
        } else if constexpr (std::is_same_v<T, proto::Who>) {
          if (list_request_allowed(s)) send_player_list(s);
        } else if constexpr (std::is_same_v<T, proto::ListGames>) {
          if (list_request_allowed(s)) send_game_list(s);
        } else if constexpr (std::is_same_v<T, proto::Watch>) {
          on_watch(s, msg);
        } else if constexpr (std::is_same_v<T, proto::Unwatch>) {
          stop_watching(s);
          s.send(welcome_for(s));
        } else if constexpr (std::is_same_v<T, proto::FetchGames>) {
          if (list_request_allowed(s)) send_records(s, msg.max);
        } else if constexpr (std::is_same_v<T, proto::Challenge>) {
          on_challenge(s, msg.name.view(), proto::ChallengeKind::Challenge);
        } else if constexpr (std::is_same_v<T, proto::AnswerChallenge>) {
          on_answer_challenge(s, msg.from.view(), msg.accept != 0);
        } else if constexpr (std::is_same_v<T, proto::Rematch>) {
          on_rematch(s);
        }
      },
      m);
}

// ---------------------------------------------------------------- chat

void Server::on_chat(Session& s, const proto::Chat& m) {
  const auto now = loop_.now();
  Session::V2& v = s.v2();
  const auto refuse = [&](proto::ChatRefusal why) {
    // At most one refusal per second: a flood gets silence, not an echo.
    if (now - v.last_chat_refusal < kChatRefusalInterval) return;
    v.last_chat_refusal = now;
    s.send(proto::ChatRefused{why});
  };
  if (!config_.chat) return refuse(proto::ChatRefusal::ChatOff);
  if (!take_token(v.chat_tokens, v.chat_refill, now, kChatBurst, kChatRefill)) {
    spdlog::debug("{} chat dropped (rate limit)", s.tag());
    return refuse(proto::ChatRefusal::RateLimited);
  }
  // During a game: the opponent. Idle after one: the last opponent, while it is idle
  // too and its last opponent is this player (PROTOCOL-v2.md §4.7).
  Session* to = nullptr;
  if (GameRoom* r = room_of(s)) {
    to = r->opponent_of(s);
  } else if (s.state() == proto::State::GameEnd && !s.last_opponent().empty()) {
    auto it = online_.find(s.last_opponent());
    Session* o = it == online_.end() ? nullptr : find_session(it->second);
    if (o != nullptr && o->state() == proto::State::GameEnd && o->room() == 0 &&
        o->last_opponent() == s.account())
      to = o;
  }
  if (to == nullptr || to->version() < 2 || to->is_house_bot() || to->closing()) {
    return refuse(proto::ChatRefusal::NobodyToTalkTo);
  }
  to->send(proto::ChatFrom{proto::Str16(s.account()), m.text});
}

// ---------------------------------------------------------------- lobby lists

bool Server::list_request_allowed(Session& s) {
  Session::V2& v = s.v2();
  if (take_token(v.list_tokens, v.list_refill, loop_.now(), kListBurst, kListRefill)) return true;
  spdlog::debug("{} list request dropped (rate limit)", s.tag());
  return false;
}

void Server::send_player_list(Session& s) {
  std::map<std::string_view, const Session*> by_name;
  for (const auto& [name, id] : online_)
    if (const Session* p = find_session(id)) by_name.emplace(name, p);
  const size_t count = std::min(by_name.size(), kMaxPlayerEntries);
  const auto total = static_cast<uint16_t>(std::min<size_t>(by_name.size(), 0xFFFF));
  uint16_t index = 0;
  for (const auto& [name, p] : by_name) {
    if (index == count) break;
    proto::PlayerEntry e;
    e.index = ++index;
    e.count = static_cast<uint16_t>(count);
    e.total = total;
    e.name = proto::Str16(name);
    e.rating = p->rating();
    e.status = status_of(*p);
    e.version = p->is_house_bot() ? 0 : p->version();  // PROTOCOL-v2.md §4.8
    s.send(e);
  }
  if (count == 0) s.send(proto::PlayerEntry{});
}

void Server::send_game_list(Session& s) {
  std::map<uint64_t, const GameRoom*> games;
  for (const auto& [id, room] : rooms_)
    if (room->playing()) games.emplace(id, room.get());
  const size_t count = std::min(games.size(), kMaxGameEntries);
  const auto total = static_cast<uint16_t>(std::min<size_t>(games.size(), 0xFFFF));
  uint16_t index = 0;
  for (const auto& [id, room] : games) {
    if (index == count) break;
    proto::GameEntry e = room->entry();
    e.index = ++index;
    e.count = static_cast<uint16_t>(count);
    e.total = total;
    s.send(e);
  }
  if (count == 0) s.send(proto::GameEntry{});
}

// ---------------------------------------------------------------- spectating

void Server::on_watch(Session& s, const proto::Watch& m) {
  for (auto& [id, room] : rooms_) {
    if (room->wire_id() != m.game_id || !room->playing()) continue;
    if (!room->add_watcher(s)) {
      s.send(proto::WatchRefused{m.game_id, proto::WatchRefusal::TooManyWatchers});
    } else {
      close_invitations(s, true);
      release_house_bot(s);
    }
    return;
  }
  s.send(proto::WatchRefused{m.game_id, proto::WatchRefusal::NoSuchGame});
}

void Server::stop_watching(Session& s) {
  const uint64_t id = s.v2().watching;
  if (id == 0) return;
  if (auto it = rooms_.find(id); it != rooms_.end()) it->second->remove_watcher(s);
  s.v2().watching = 0;
}

// ---------------------------------------------------------------- invitations

void Server::answer_invitation(Session& s, std::string_view other, proto::ChallengeOutcome why) {
  s.send(proto::ChallengeResult{proto::Str16::make(other).value_or(proto::Str16()), why});
}

Session* Server::online_session(std::string_view name) {
  auto it = online_.find(std::string(name));
  return it == online_.end() ? nullptr : find_session(it->second);
}

Session* Server::session_named(const Session& asker, std::string_view name) {
  if (!house_bot_ || name != house_bot_->account()) return online_session(name);
  const uint64_t bot = house_bot_->session_for(asker.id());
  return bot == 0 ? nullptr : find_session(bot);
}

namespace {
constexpr double kInviteBurst = 10;
constexpr auto kInviteRefill = std::chrono::seconds(6);  // 10 per minute
constexpr size_t kMaxInvitationsHeld = 16;

bool can_be_invited(const Session& s) {
  return s.version() >= 2 &&
         (s.state() == proto::State::GameEnd || s.state() == proto::State::InQueue) &&
         s.room() == 0;
}
}  // namespace

void Server::on_challenge(Session& s, std::string_view name, proto::ChallengeKind kind) {
  using O = proto::ChallengeOutcome;
  if (s.state() != proto::State::GameEnd || s.room() != 0)
    return answer_invitation(s, name, O::NotAvailable);  // a crossing (§5.2)
  if (name.empty()) {                                    // withdraw the open invitation
    if (auto it = invitations_.find(s.account()); it != invitations_.end()) {
      const std::string invitee = it->second.invitee;
      drop_invitation(s.account());
      answer_invitation(s, invitee, O::Cancelled);
    }
    return answer_invitation(s, "", O::Cancelled);
  }
  if (name == s.account()) return answer_invitation(s, name, O::Yourself);
  if (invitations_.count(s.account()) != 0) return answer_invitation(s, name, O::AlreadyPending);
  Session::V2& v = s.v2();
  if (!take_token(v.invite_tokens, v.invite_refill, loop_.now(), kInviteBurst, kInviteRefill))
    return answer_invitation(s, name, O::TooMany);
  // The house bot plays whoever waits alone, and rematches; it is not challenged (§10).
  if (kind == proto::ChallengeKind::Challenge && house_bot_ && name == house_bot_->account())
    return answer_invitation(s, name, O::NotAvailable);
  Session* to = session_named(s, name);
  if (to == nullptr) return answer_invitation(s, name, O::NoSuchPlayer);
  if (to->version() < 2) return answer_invitation(s, name, O::SpeaksV1);
  size_t held = 0;
  if (!to->is_house_bot())  // one per bot session, from its last opponent
    for (const auto& [inviter, inv] : invitations_) held += inv.invitee == name ? 1 : 0;
  if (!can_be_invited(*to) || held >= kMaxInvitationsHeld)
    return answer_invitation(s, name, O::NotAvailable);
  Invitation inv{std::string(name), kind, 0};
  const auto timeout = std::chrono::duration<double>(config_.invitation_timeout_s);
  inv.timer = loop_.run_after(std::chrono::duration_cast<Clock::duration>(timeout),
                              [this, inviter = s.account()] {
                                auto it = invitations_.find(inviter);
                                if (it == invitations_.end()) return;
                                it->second.timer = 0;
                                const std::string invitee = it->second.invitee;
                                drop_invitation(inviter);
                                if (Session* s = online_session(inviter))
                                  answer_invitation(*s, invitee, O::TimedOut);
                              });
  invitations_.emplace(s.account(), std::move(inv));
  spdlog::info("{} invites {} ({})", s.tag(), name, proto::name_of(kind));
  to->send(proto::ChallengeReceived{proto::Str16(s.account()), s.rating(), kind,
                                    static_cast<uint16_t>(std::ceil(timeout.count()))});
}

void Server::on_answer_challenge(Session& s, std::string_view from, bool accept) {
  using O = proto::ChallengeOutcome;
  auto it = invitations_.find(std::string(from));
  Session* inviter = online_session(from);
  if (it == invitations_.end() || it->second.invitee != s.account() || inviter == nullptr)
    return answer_invitation(s, from, O::Withdrawn);
  if (s.state() != proto::State::GameEnd || s.room() != 0) {  // a crossing (§5.2)
    return answer_invitation(s, from, O::NotAvailable);
  }
  const proto::ChallengeKind kind = it->second.kind;
  drop_invitation(std::string(from));
  if (!accept) {
    answer_invitation(*inviter, s.account(), O::Declined);
    return answer_invitation(s, from, O::Declined);
  }
  if (!can_be_invited(*inviter) || inviter->state() != proto::State::GameEnd) {
    answer_invitation(*inviter, s.account(), O::NotAvailable);
    return answer_invitation(s, from, O::Withdrawn);
  }
  accept_invitation(*inviter, s, kind);
}

void Server::on_rematch(Session& s) {
  using O = proto::ChallengeOutcome;
  const std::string last = s.last_opponent();
  Session* o = last.empty() ? nullptr : session_named(s, last);
  if (s.state() != proto::State::GameEnd || s.room() != 0)
    return answer_invitation(s, last, O::NotAvailable);  // a crossing (§5.2)
  if (o == nullptr || o->version() < 2 || o->last_opponent() != s.account() ||
      o->state() != proto::State::GameEnd || o->room() != 0)
    return answer_invitation(s, last,
                             o != nullptr && o->version() < 2 ? O::SpeaksV1 : O::NoRematch);
  // Both asked: the game starts.
  if (auto it = invitations_.find(last); it != invitations_.end() &&
                                         it->second.invitee == s.account() &&
                                         it->second.kind == proto::ChallengeKind::Rematch) {
    drop_invitation(last);
    return accept_invitation(*o, s, proto::ChallengeKind::Rematch);
  }
  on_challenge(s, last, proto::ChallengeKind::Rematch);
}

// The invitee's message (AnswerChallenge or Rematch) and the inviter's invitation both
// get ChallengeResult 11 after GameStart2.
void Server::accept_invitation(Session& inviter, Session& invitee, proto::ChallengeKind kind) {
  matchmaker_.remove(inviter.id());
  matchmaker_.remove(invitee.id());
  Session* black = nullptr;
  if (kind == proto::ChallengeKind::Rematch)  // colours swap
    black = inviter.v2().last_was_black ? &invitee : &inviter;
  else  // the lower rating moves first; on a tie the invited player
    black = inviter.rating() < invitee.rating() ? &inviter : &invitee;
  Session* white = black == &inviter ? &invitee : &inviter;
  spdlog::info("{} accepts {}'s {}", invitee.tag(), inviter.account(), proto::name_of(kind));
  const uint64_t inviter_id = inviter.id(), invitee_id = invitee.id();
  const std::string inviter_name = inviter.account(), invitee_name = invitee.account();
  start_game(Matchmaker::Pair{black->id(), white->id()}, true);
  if (Session* s = find_session(inviter_id))
    answer_invitation(*s, invitee_name, proto::ChallengeOutcome::Accepted);
  if (Session* s = find_session(invitee_id))
    answer_invitation(*s, inviter_name, proto::ChallengeOutcome::Accepted);
}

void Server::drop_invitation(const std::string& inviter) {
  auto it = invitations_.find(inviter);
  if (it == invitations_.end()) return;
  if (it->second.timer != 0) loop_.cancel(it->second.timer);
  invitations_.erase(it);
}

void Server::close_invitations(Session& s, bool tell_self) {
  if (!s.logged_in() || s.version() < 2) return;
  const std::string me = s.account();
  if (auto it = invitations_.find(me); it != invitations_.end()) {
    const std::string invitee = it->second.invitee;
    drop_invitation(me);
    if (tell_self) answer_invitation(s, invitee, proto::ChallengeOutcome::NotAvailable);
  }
  std::vector<std::string> to_me;
  for (const auto& [inviter, inv] : invitations_)
    // Invitations to the bot's account are for the bot session of their inviter's last game.
    if (inv.invitee == me && (!s.is_house_bot() || inviter == s.last_opponent()))
      to_me.push_back(inviter);
  for (const std::string& inviter : to_me) {
    drop_invitation(inviter);
    if (Session* o = online_session(inviter))
      answer_invitation(*o, me, proto::ChallengeOutcome::NotAvailable);
  }
}

}  // namespace checkers::server
