#include "support/protocol_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace checkers::test {

namespace {
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left_until(Clock::time_point deadline) {
  const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return d.count() < 0 ? std::chrono::milliseconds(0) : d;
}
}  // namespace

ProtocolClient::ProtocolClient(const std::string& host, uint16_t port,
                               std::chrono::milliseconds timeout) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    throw ProtocolError("bad address " + host);
  }
  fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) throw ProtocolError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) {
      const int e = errno;
      close();
      throw ProtocolError(std::string("connect: ") + std::strerror(e));
    }
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
      close();
      throw ProtocolError("connect timed out");
    }
    int err = 0;
    socklen_t elen = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err != 0) {
      close();
      throw ProtocolError(std::string("connect: ") + std::strerror(err));
    }
  }
}

ProtocolClient::~ProtocolClient() { close(); }

ProtocolClient::ProtocolClient(ProtocolClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      peer_closed_(other.peer_closed_),
      name_(std::move(other.name_)),
      decoder_(other.decoder_),
      inbox_(std::move(other.inbox_)) {}

void ProtocolClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void ProtocolClient::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void ProtocolClient::send(const proto::Message& m) {
  std::array<uint8_t, proto::kMaxMessageSizeV2> buf{};
  const size_t n = proto::encode(m, buf);
  if (n == 0) throw ProtocolError(fmt::format("{}: cannot encode {}", name_, m));
  send_raw(std::span<const uint8_t>(buf.data(), n));
}

void ProtocolClient::send_raw(std::span<const uint8_t> bytes) {
  if (fd_ < 0) throw ProtocolError(name_ + ": send on a closed client");
  size_t off = 0;
  const auto deadline = Clock::now() + kDefaultTimeout;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, static_cast<int>(left_until(deadline).count()));
      if (Clock::now() > deadline) throw ProtocolError(name_ + ": send timed out");
      continue;
    }
    throw ProtocolError(name_ + ": send failed: " + std::strerror(errno));
  }
}

bool ProtocolClient::read_some(std::chrono::milliseconds timeout) {
  if (fd_ < 0) throw ProtocolError(name_ + ": receive on a closed client");
  if (peer_closed_) throw ProtocolError(name_ + ": connection closed by the server");
  pollfd p{fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (r == 0) return false;
  if (r < 0) return errno == EINTR ? false : throw ProtocolError(name_ + ": poll failed");
  std::array<uint8_t, 4096> buf;
  const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
  if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))) {
    peer_closed_ = true;
    throw ProtocolError(name_ + ": connection closed by the server");
  }
  if (n < 0) return false;  // EAGAIN / EINTR
  const auto res = decoder_.feed(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)),
                                 [&](const proto::Message& m) { inbox_.push_back(m); });
  if (res.status == proto::DecodeStatus::UnknownType)
    throw ProtocolError(
        fmt::format("{}: unknown message type byte {:#04x} from the server", name_, res.bad_type));
  return true;
}

std::optional<proto::Message> ProtocolClient::try_receive(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (inbox_.empty()) {
    if (!read_some(left_until(deadline)) && Clock::now() >= deadline) return std::nullopt;
  }
  proto::Message m = inbox_.front();
  inbox_.pop_front();
  return m;
}

proto::Message ProtocolClient::receive(std::chrono::milliseconds timeout) {
  auto m = try_receive(timeout);
  if (!m) throw ProtocolError(fmt::format("{}: no message within {} ms", name_, timeout.count()));
  return *m;
}

bool ProtocolClient::expect_closed(std::chrono::milliseconds timeout, bool skip_messages) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (!inbox_.empty()) {
      if (!skip_messages)
        throw ProtocolError(fmt::format("{}: expected close, got {}", name_, inbox_.front()));
      inbox_.clear();
    }
    if (peer_closed_) return true;
    try {
      if (!read_some(left_until(deadline)) && Clock::now() >= deadline) return false;
    } catch (const ProtocolError&) {
      if (peer_closed_) {
        if (!inbox_.empty() && !skip_messages)
          throw ProtocolError(fmt::format("{}: expected close, got {}", name_, inbox_.front()));
        return true;
      }
      throw;
    }
  }
}

bool ProtocolClient::expect_silence(std::chrono::milliseconds quiet) {
  if (!inbox_.empty()) return false;
  try {
    const auto deadline = Clock::now() + quiet;
    while (Clock::now() < deadline) {
      if (read_some(left_until(deadline))) {
        if (!inbox_.empty()) return false;
      }
    }
  } catch (const ProtocolError&) {
    return false;
  }
  return true;
}

proto::Message ProtocolClient::connect(std::string_view user, std::string_view password,
                                       uint8_t version, std::chrono::milliseconds timeout) {
  // The reply of a v2 server may already be a v2 message (Welcome).
  decoder_.set_version(std::max<uint8_t>(version, 1));
  send(proto::Connect{version, proto::Str16(user), proto::Str16(password)});
  proto::Message m = receive(timeout);
  if (std::holds_alternative<proto::InvalidVersion>(m)) decoder_.set_version(1);
  return m;
}

proto::Welcome ProtocolClient::login_v2(std::string_view user, std::string_view password,
                                        std::chrono::milliseconds timeout) {
  name_ = std::string(user);
  proto::Message m = connect(user, password, 2, timeout);
  if (auto* w = std::get_if<proto::Welcome>(&m)) return *w;
  throw ProtocolError(fmt::format("{}: v2 login failed: {}", name_, m));
}

proto::QueuePosition ProtocolClient::login(std::string_view user, std::string_view password,
                                           std::chrono::milliseconds timeout) {
  name_ = std::string(user);
  proto::Message m = connect(user, password, proto::kProtocolVersion, timeout);
  if (auto* q = std::get_if<proto::QueuePosition>(&m)) return *q;
  throw ProtocolError(fmt::format("{}: login failed: {}", name_, m));
}

int receive_either(ProtocolClient& a, ProtocolClient& b, proto::Message& out,
                   std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto m = a.try_receive(0ms)) {
      out = *m;
      return 0;
    }
    if (auto m = b.try_receive(0ms)) {
      out = *m;
      return 1;
    }
    if (Clock::now() >= deadline) throw ProtocolError("no message from either client in time");
    pollfd fds[2] = {{a.fd(), POLLIN, 0}, {b.fd(), POLLIN, 0}};
    ::poll(fds, 2, static_cast<int>(std::min<long>(left_until(deadline).count(), 100)));
  }
}

}  // namespace checkers::test
