#include "reactor/tls_stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "reactor/tls_context.hpp"

namespace checkers::reactor {

namespace {
// One TLS record's worth of plaintext: what a read can take off the SSL at once.
constexpr std::size_t kRecordSize = 16 * 1024;

std::string openssl_errors() {
  std::string text;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}
}  // namespace

TlsTransport::~TlsTransport() { SSL_free(ssl_); }

ssize_t TlsTransport::fail(int ret, int* err) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      wait_ = Wait::Readable;
      *err = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      wait_ = Wait::Writable;
      *err = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_SYSCALL:
      failed_ = true;
      if (saved_errno == 0) return 0;  // EOF without close_notify
      *err = saved_errno;
      error_ = std::strerror(saved_errno);
      return -1;
    default: {
      failed_ = true;
      *err = EPROTO;
      error_ = openssl_errors();
      const long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        error_ += std::string(error_.empty() ? "" : "; ") + X509_verify_cert_error_string(verify);
      }
      if (error_.empty()) error_ = "TLS failure";
      return -1;
    }
  }
}

int TlsTransport::handshake(int* err) {
  if (done_) return 1;
  ERR_clear_error();
  errno = 0;
  const int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    done_ = true;
    return 1;
  }
  if (fail(r, err) == 0) {
    failed_ = true;
    *err = ECONNABORTED;
    error_ = "the peer closed the connection during the handshake";
  }
  return -1;
}

ssize_t TlsTransport::read(Buffer& in, std::size_t limit, int* err) {
  std::size_t total = 0;
  std::uint8_t chunk[kRecordSize];
  while (total < limit) {
    std::size_t got = 0;
    ERR_clear_error();
    errno = 0;
    if (SSL_read_ex(ssl_, chunk, std::min(limit - total, sizeof chunk), &got) != 1) {
      if (total > 0) {
        ERR_clear_error();  // reported by the next call, which sees the same state
        break;
      }
      return fail(0, err);
    }
    in.append(chunk, got);
    total += got;
  }
  return static_cast<ssize_t>(total);
}

ssize_t TlsTransport::write(std::span<const std::uint8_t> data, int* err) {
  std::size_t written = 0;
  ERR_clear_error();
  errno = 0;
  if (SSL_write_ex(ssl_, data.data(), data.size(), &written) == 1)
    return static_cast<ssize_t>(written);
  const ssize_t r = fail(0, err);
  if (r == 0) {  // the peer said goodbye: nothing more can be written
    *err = EPIPE;
    return -1;
  }
  return r;
}

bool TlsTransport::has_buffered_input() const { return SSL_has_pending(ssl_) == 1; }

void TlsTransport::shutdown() {
  if (!done_ || failed_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // sends close_notify if the socket takes it; never waits
  ERR_clear_error();
}

std::string TlsTransport::describe() const {
  return std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_);
}

std::string TlsTransport::peer_fingerprint() const {
  X509* cert = SSL_get0_peer_certificate(ssl_);
  return cert == nullptr ? std::string() : certificate_fingerprint(cert);
}

}  // namespace checkers::reactor
