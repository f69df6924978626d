#include "tls/tls_test_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

namespace checkers::test {

namespace {
using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<long>(0, left.count()));
}

std::string fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  std::string out;
  for (unsigned i = 0; i < len; ++i) out += fmt::format("{}{:02X}", i ? ":" : "", md[i]);
  return out;
}
}  // namespace

TlsTestClient::TlsTestClient(uint16_t port, std::chrono::milliseconds timeout) {
  try {
    connect_and_handshake(port, timeout);
  } catch (...) {
    release();  // no destructor runs for an object whose constructor threw
    throw;
  }
}

void TlsTestClient::connect_and_handshake(uint16_t port, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("tls client: connect failed");
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::fcntl(fd_, F_SETFL, O_NONBLOCK);
  ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    ERR_clear_error();
    const int r = SSL_connect(ssl_);
    if (r == 1) break;
    const int e = SSL_get_error(ssl_, r);
    if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) || !wait(e, deadline)) {
      char buf[256] = "";
      ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
      throw std::runtime_error(std::string("tls client: handshake failed: ") + buf);
    }
  }
}

TlsTestClient::~TlsTestClient() { release(); }

void TlsTestClient::release() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  if (fd_ >= 0) ::close(fd_);
  ssl_ = nullptr;
  ctx_ = nullptr;
  fd_ = -1;
}

bool TlsTestClient::wait(int ssl_error, Clock::time_point deadline) const {
  pollfd p{fd_, static_cast<short>(ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
  return ::poll(&p, 1, ms_left(deadline)) == 1;
}

std::string TlsTestClient::peer_fingerprint() const {
  X509* cert = SSL_get0_peer_certificate(ssl_);
  return cert == nullptr ? std::string() : fingerprint(cert);
}

std::string TlsTestClient::protocol_version() const { return SSL_get_version(ssl_); }

void TlsTestClient::send(const proto::Message& m) {
  std::string bytes;
  proto::encode_append(m, bytes);
  if (!send_raw({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}))
    throw std::runtime_error("tls client: connection closed while sending");
}

bool TlsTestClient::send_raw(std::span<const uint8_t> bytes, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  size_t off = 0;
  while (off < bytes.size()) {
    size_t n = 0;
    ERR_clear_error();
    if (SSL_write_ex(ssl_, bytes.data() + off, bytes.size() - off, &n) == 1) {
      off += n;
      continue;
    }
    const int e = SSL_get_error(ssl_, 0);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) return false;
    if (!wait(e, deadline)) throw std::runtime_error("tls client: send timed out");
  }
  return true;
}

proto::Message TlsTestClient::receive(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (inbox_.empty()) {
    if (closed_) throw std::runtime_error("tls client: connection closed");
    uint8_t buf[4096];
    size_t n = 0;
    ERR_clear_error();
    if (SSL_read_ex(ssl_, buf, sizeof buf, &n) == 1) {
      const proto::FeedResult r = decoder_.feed({buf, n}, [this](const proto::Message& m) {
        inbox_.push_back(m);
        return true;
      });
      if (r.status == proto::DecodeStatus::UnknownType)
        throw std::runtime_error("tls client: unknown message type from the server");
      continue;
    }
    const int e = SSL_get_error(ssl_, 0);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      if (!wait(e, deadline)) throw std::runtime_error("tls client: receive timed out");
      continue;
    }
    closed_ = true;
  }
  proto::Message m = inbox_.front();
  inbox_.pop_front();
  return m;
}

proto::QueuePosition TlsTestClient::login(const std::string& user, const std::string& password) {
  send(proto::Connect{proto::kProtocolVersion, user, password});
  return expect<proto::QueuePosition>();
}

bool TlsTestClient::expect_closed(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  try {
    for (;;) {
      if (Clock::now() >= deadline) return false;
      receive(std::chrono::milliseconds(ms_left(deadline)));
    }
  } catch (const std::runtime_error& e) {
    return closed_;
  }
}

std::vector<uint8_t> make_client_hello() {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL* ssl = SSL_new(ctx);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl, in, out);
  SSL_connect(ssl);  // WANT_READ after writing the ClientHello into `out`
  char* data = nullptr;
  const long len = BIO_get_mem_data(out, &data);
  std::vector<uint8_t> hello(data, data + len);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return hello;
}

std::string pem_fingerprint(const std::string& file) {
  FILE* f = std::fopen(file.c_str(), "r");
  if (f == nullptr) return {};
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) return {};
  std::string fp = fingerprint(cert);
  X509_free(cert);
  return fp;
}

}  // namespace checkers::test
