#include "hardening/hostile.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "game/movegen.hpp"
#include "support/game_driver.hpp"

namespace checkers::test::hardening {

size_t raise_fd_limit(size_t want) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < want) {
    rl.rlim_cur = std::min<rlim_t>(want, rl.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &rl);
    ::getrlimit(RLIMIT_NOFILE, &rl);
  }
  return rl.rlim_cur;
}

std::vector<uint8_t> connect_bytes(std::string_view user, std::string_view password,
                                   uint8_t version) {
  std::vector<uint8_t> b(34, 0);
  b[0] = 0x01;
  b[1] = version;
  std::memcpy(&b[2], user.data(), std::min<size_t>(user.size(), 16));
  std::memcpy(&b[18], password.data(), std::min<size_t>(password.size(), 16));
  return b;
}

// ---------------------------------------------------------------- RawSocket

RawSocket::RawSocket(uint16_t port, const std::string& source_ip, int rcvbuf) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (!source_ip.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source_ip.c_str(), &local.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
      throw std::runtime_error("bind " + source_ip + ": " + std::strerror(errno));
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(std::string("connect: ") + std::strerror(e));
  }
}

RawSocket::~RawSocket() { close(); }

void RawSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

long RawSocket::send(std::span<const uint8_t> bytes) {
  const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n >= 0) return n;
  return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
}

bool RawSocket::drain_closed() {
  uint8_t buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) continue;
    if (n == 0) return true;
    return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }
}

bool RawSocket::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (drain_closed()) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
}

void RawSocket::reset() {
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close();
}

std::vector<std::optional<Clock::time_point>> watch_closes(
    std::vector<RawSocket>& sockets, Clock::time_point deadline,
    const std::function<void(Clock::time_point)>& tick) {
  std::vector<std::optional<Clock::time_point>> closed(sockets.size());
  std::vector<pollfd> fds(sockets.size());
  size_t open = sockets.size();
  while (open > 0) {
    const auto now = Clock::now();
    if (now >= deadline) break;
    if (tick) tick(now);
    for (size_t i = 0; i < sockets.size(); ++i)
      fds[i] = pollfd{closed[i] ? -1 : sockets[i].fd(), POLLIN, 0};
    const int n = ::poll(fds.data(), fds.size(), 10);
    if (n <= 0) continue;
    const auto seen = Clock::now();
    for (size_t i = 0; i < sockets.size(); ++i) {
      if (closed[i] || fds[i].revents == 0) continue;
      if (sockets[i].drain_closed()) {
        closed[i] = seen;
        --open;
      }
    }
  }
  return closed;
}

LatencyStats summarize(std::vector<double> v, size_t games_finished) {
  LatencyStats s;
  s.moves = v.size();
  s.games_finished = games_finished;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[std::min(v.size() - 1, static_cast<size_t>(q * (v.size() - 1) + 0.5))];
  };
  s.p50_ms = at(0.50);
  s.p99_ms = at(0.99);
  s.max_ms = v.back();
  return s;
}

// ---------------------------------------------------------------- SideGames

SideGames::SideGames(uint16_t port, const std::string& prefix, int pairs,
                     std::chrono::milliseconds pace, uint32_t seed)
    : pace_(pace), seed_(seed) {
  for (int p = 0; p < pairs; ++p) {
    auto a = std::make_unique<ProtocolClient>("127.0.0.1", port, 10s);
    auto b = std::make_unique<ProtocolClient>("127.0.0.1", port, 10s);
    const std::string na = fmt::format("{}a{}", prefix, p), nb = fmt::format("{}b{}", prefix, p);
    a->set_name(na);
    b->set_name(nb);
    a->login(na, "pw");
    b->login(nb, "pw");
    a->unread(a->expect_skipping_queue<proto::GameStart>(10s));
    b->unread(b->expect_skipping_queue<proto::GameStart>(10s));
    names_.push_back(na);
    names_.push_back(nb);
    clients_.push_back(std::move(a));
    clients_.push_back(std::move(b));
  }
  thread_ = std::thread([this] { run(); });
}

SideGames::~SideGames() { stop(); }

void SideGames::reset_samples() {
  std::lock_guard lock(mu_);
  samples_.clear();
  games_finished_ = 0;
}

LatencyStats SideGames::stop_sampling() {
  std::lock_guard lock(mu_);
  LatencyStats s = summarize(samples_, games_finished_ / 2);
  samples_.clear();
  games_finished_ = 0;
  return s;
}

LatencyStats SideGames::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  return summarize(samples_, games_finished_ / 2);
}

std::string SideGames::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

std::map<std::string, uint32_t> SideGames::last_ratings() const {
  std::lock_guard lock(mu_);
  return last_ratings_;
}

std::map<std::string, uint32_t> SideGames::games_over() const {
  std::lock_guard lock(mu_);
  return games_over_;
}

void SideGames::run() {
  const size_t n = clients_.size();
  std::mt19937 rng(seed_);
  std::vector<std::optional<game::Color>> color(n);
  std::vector<int> opponent(n, -1);
  std::vector<std::optional<proto::Move>> pending(n);
  std::vector<Clock::time_point> due(n), last_sent(n);
  std::vector<std::optional<Clock::time_point>> sent_at(n);
  std::vector<pollfd> fds(n);
  auto index_of = [&](const std::string& name) {
    auto it = std::find(names_.begin(), names_.end(), name);
    return it == names_.end() ? -1 : static_cast<int>(it - names_.begin());
  };
  try {
    while (!stop_) {
      for (size_t i = 0; i < n; ++i) {
        while (auto msg = clients_[i]->try_receive(0ms)) {
          const auto now = Clock::now();
          const bool answer = std::holds_alternative<proto::YourTurn>(*msg) ||
                              std::holds_alternative<proto::CompulsoryMove>(*msg) ||
                              std::holds_alternative<proto::GameOver>(*msg);
          if (answer && opponent[i] >= 0 && sent_at[opponent[i]]) {
            const double lat =
                std::chrono::duration<double, std::milli>(now - *sent_at[opponent[i]]).count();
            sent_at[opponent[i]].reset();
            std::lock_guard lock(mu_);
            samples_.push_back(lat);
          }
          if (auto* gs = std::get_if<proto::GameStart>(&*msg)) {
            color[i].reset();
            opponent[i] = index_of(gs->opponent_name.str());
          } else if (auto* t = std::get_if<proto::YourTurn>(&*msg)) {
            if (!color[i]) color[i] = infer_color(t->board);
            const game::Position pos =
                position_from_board(t->board, *color[i], *color[i], t->last_move);
            const auto legal = game::legal_hops(pos);
            if (legal.empty()) throw ProtocolError("side game: YourTurn without a legal hop");
            pending[i] =
                to_wire(legal[std::uniform_int_distribution<size_t>(0, legal.size() - 1)(rng)]);
            due[i] = std::max(now, last_sent[i] + pace_);
          } else if (auto* cm = std::get_if<proto::CompulsoryMove>(&*msg)) {
            if (!color[i]) color[i] = infer_color(cm->board);
          } else if (std::holds_alternative<proto::GameOver>(*msg) ||
                     std::holds_alternative<proto::OpponentDisconnect>(*msg)) {
            if (auto* go = std::get_if<proto::GameOver>(&*msg)) {
              std::lock_guard lock(mu_);
              ++games_finished_;
              last_ratings_[names_[i]] = go->new_rating;
              ++games_over_[names_[i]];
            }
            pending[i].reset();
            sent_at[i].reset();
            clients_[i]->send(proto::ReQueue{});
          } else if (std::holds_alternative<proto::InvalidMove>(*msg)) {
            throw ProtocolError(fmt::format("side game: legal move rejected: {}", *msg));
          }
        }
      }
      auto next = Clock::now() + 10ms;
      for (size_t i = 0; i < n; ++i) {
        if (!pending[i]) continue;
        const auto now = Clock::now();
        if (due[i] <= now) {
          clients_[i]->send(proto::MakeMove{*pending[i]});
          pending[i].reset();
          sent_at[i] = last_sent[i] = now;
          ++moves_;
        } else {
          next = std::min(next, due[i]);
        }
      }
      for (size_t i = 0; i < n; ++i) fds[i] = pollfd{clients_[i]->fd(), POLLIN, 0};
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
      ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long>(0, wait.count())));
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    error_ = e.what();
  }
}

// ---------------------------------------------------------------- Bystander

Bystander::Bystander(uint16_t port, std::string prefix) : port_(port), prefix_(std::move(prefix)) {
  start_game();
}

void Bystander::start_game() {
  a_ = std::make_unique<ProtocolClient>("127.0.0.1", port_, 10s);
  b_ = std::make_unique<ProtocolClient>("127.0.0.1", port_, 10s);
  a_->login(fmt::format("{}a{}", prefix_, gen_), "pw");
  b_->login(fmt::format("{}b{}", prefix_, gen_), "pw");
  a_->expect_skipping_queue<proto::GameStart>(10s);
  b_->expect_skipping_queue<proto::GameStart>(10s);
}

void Bystander::step() {
  GameDriver driver(*a_, *b_);
  const GameReport rep = driver.play(random_strategy(static_cast<uint32_t>(moves_ + 7)), 1, 5s);
  moves_ += rep.moves_sent;
  if (rep.finished) {
    if (!rep.over[0] || !rep.over[1])
      throw ProtocolError("bystander game did not end with GameOver");
    ++gen_;
    start_game();
    return;
  }
  (rep.to_move == 0 ? *a_ : *b_).unread(*rep.pending_turn);
}

// ---------------------------------------------------------------- kill -9

namespace {

// Plays the games of `clients` (already matched in pairs) until every one is
// over or its connection is gone; GameOvers go to `over` (name -> new rating).
void play_until_gone(std::vector<std::unique_ptr<ProtocolClient>>& clients, std::mt19937& rng,
                     std::map<std::string, uint32_t>& over) {
  const size_t n = clients.size();
  std::vector<std::optional<game::Color>> color(n);
  std::vector<bool> done(n, false);
  size_t left = n;
  std::vector<pollfd> fds(n);
  auto deadline = Clock::now() + 10s;
  while (left > 0 && Clock::now() < deadline) {
    for (size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      try {
        while (auto msg = clients[i]->try_receive(0ms)) {
          deadline = Clock::now() + 10s;
          if (auto* t = std::get_if<proto::YourTurn>(&*msg)) {
            if (!color[i]) color[i] = infer_color(t->board);
            const auto pos = position_from_board(t->board, *color[i], *color[i], t->last_move);
            const auto legal = game::legal_hops(pos);
            clients[i]->send(proto::MakeMove{
                to_wire(legal[std::uniform_int_distribution<size_t>(0, legal.size() - 1)(rng)])});
          } else if (auto* cm = std::get_if<proto::CompulsoryMove>(&*msg)) {
            if (!color[i]) color[i] = infer_color(cm->board);
          } else if (auto* go = std::get_if<proto::GameOver>(&*msg)) {
            over[clients[i]->name()] = go->new_rating;
            done[i] = true;
            --left;
            break;
          } else if (std::holds_alternative<proto::OpponentDisconnect>(*msg)) {
            done[i] = true;
            --left;
            break;
          }
        }
      } catch (const std::exception&) {  // the server is gone
        done[i] = true;
        --left;
      }
    }
    for (size_t i = 0; i < n; ++i) fds[i] = pollfd{done[i] ? -1 : clients[i]->fd(), POLLIN, 0};
    ::poll(fds.data(), fds.size(), 20);
  }
}

}  // namespace

Kill9Stats kill9_loop(ServerProcess& srv, int kills, int pairs, uint32_t seed) {
  Kill9Stats st;
  std::mt19937 rng(seed);
  for (int k = 0; k < kills; ++k) {
    if (!srv.running()) srv.start();
    const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1000)(rng));
    std::atomic<bool> killed{false}, armed{false};
    std::thread killer([&] {
      // The clock starts once the first games are under way.
      while (!armed) std::this_thread::sleep_for(5ms);
      std::this_thread::sleep_for(delay);
      srv.kill(SIGKILL);
      killed = true;
    });
    std::map<std::string, uint32_t> over;
    for (int batch = 0; !killed; ++batch) {
      std::vector<std::unique_ptr<ProtocolClient>> clients;
      try {
        for (int i = 0; i < 2 * pairs && !killed; ++i) {
          auto c = std::make_unique<ProtocolClient>("127.0.0.1", srv.port(), 2s);
          c->set_name(fmt::format("k{}b{}c{}", k, batch, i));
          c->login(c->name(), "pw", 5s);
          clients.push_back(std::move(c));
        }
      } catch (const std::exception&) {
        // killed during a login
      }
      armed = true;
      play_until_gone(clients, rng, over);
    }
    killer.join();
    if (!srv.wait_exit(10s)) st.problems.push_back(fmt::format("kill {}: server did not die", k));
    ++st.kills;
    st.games_over += over.size();
    std::map<std::string, uint32_t> stored;
    try {
      stored = stored_ratings(srv);
    } catch (const std::exception& e) {
      st.problems.push_back(fmt::format("kill {}: store does not open: {}", k, e.what()));
      continue;
    }
    for (const auto& [name, rating] : over) {
      ++st.ratings_checked;
      auto it = stored.find(name);
      if (it == stored.end())
        st.problems.push_back(fmt::format("kill {}: {} got GameOver but has no account", k, name));
      else if (it->second != rating)
        st.problems.push_back(fmt::format("kill {}: {} got GameOver rating {} but the store has {}",
                                          k, name, rating, it->second));
    }
  }
  srv.start();  // the store opens after the last kill as well
  return st;
}

// ---------------------------------------------------------------- fuzz

std::vector<uint8_t> message_bytes(uint8_t type, const std::string& user) {
  if (type == 0x01) return connect_bytes(user, "pw");
  std::vector<uint8_t> b(*proto::message_size(type), 0);
  b[0] = type;
  return b;
}

// Seeded random clients: mixes of valid messages, random bytes, truncations,
// resets and reconnections from 127.0.0.2-9, for `duration`.
FuzzStats fuzz_server(uint16_t port, uint32_t seed, std::chrono::milliseconds duration) {
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  FuzzStats st;
  std::vector<std::unique_ptr<RawSocket>> socks(16);
  auto reconnect = [&](size_t i) {
    socks[i] = std::make_unique<RawSocket>(port, fmt::format("127.0.0.{}", 2 + i % 8));
    ++st.connections;
  };
  for (size_t i = 0; i < socks.size(); ++i) reconnect(i);
  const auto end = Clock::now() + duration;
  while (Clock::now() < end) {
    ++st.actions;
    const size_t i = pick(socks.size());
    RawSocket& s = *socks[i];
    std::vector<uint8_t> bytes;
    switch (pick(8)) {
      case 0:  // random bytes
        bytes.resize(1 + pick(64));
        for (auto& b : bytes) b = static_cast<uint8_t>(rng());
        break;
      case 1:  // a login with a small pool of names and passwords
        bytes = connect_bytes(fmt::format("fz{}", pick(6)), pick(4) == 0 ? "bad" : "pw");
        break;
      case 2:
        bytes = {0x06, static_cast<uint8_t>(rng())};
        break;
      case 3:
        bytes = {static_cast<uint8_t>(pick(2) ? 0x0B : 0x0C)};
        break;
      case 4: {  // any defined message, possibly truncated
        const auto t = static_cast<uint8_t>(1 + pick(13));
        bytes = message_bytes(t, "fzt");
        for (size_t k = 1; k < bytes.size(); ++k) bytes[k] = static_cast<uint8_t>(rng());
        if (pick(2)) bytes.resize(1 + pick(bytes.size()));
        break;
      }
      case 5:
        s.reset();
        reconnect(i);
        continue;
      case 6:
        s.close();
        reconnect(i);
        continue;
      default:
        if (s.drain_closed()) reconnect(i);
        continue;
    }
    if (s.send(bytes) < 0) {
      reconnect(i);
      continue;
    }
    st.bytes += bytes.size();
    if (s.drain_closed()) reconnect(i);
    if (pick(4) == 0) std::this_thread::sleep_for(std::chrono::microseconds(pick(2000)));
  }
  return st;
}

// ---------------------------------------------------------------- probes

Rss process_rss(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  Rss r;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) r.rss_kb = std::stol(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) r.peak_kb = std::stol(line.substr(6));
  }
  return r;
}

std::map<std::string, StoredAccount> stored_accounts(const ServerProcess& srv) {
  const RunResult r = srv.run_admin({"user", "list"});
  if (r.exit_code != 0) throw std::runtime_error("user list failed: " + r.err);
  std::map<std::string, StoredAccount> out;
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);  // header: NAME RATING RD GAMES ...
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string name;
    StoredAccount a;
    uint32_t rd = 0;
    if (f >> name >> a.rating >> rd >> a.games) out[name] = a;
  }
  return out;
}

std::map<std::string, uint32_t> stored_ratings(const ServerProcess& srv) {
  std::map<std::string, uint32_t> out;
  for (const auto& [name, a] : stored_accounts(srv)) out[name] = a.rating;
  return out;
}

std::string ms(double v) { return fmt::format("{:.2f} ms", v); }

}  // namespace checkers::test::hardening
