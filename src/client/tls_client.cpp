#include "client/tls_client.hpp"

#include <exception>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "client/server_link.hpp"

#ifdef CHECKERS_HAVE_TLS
#include "reactor/tls_context.hpp"
#endif

namespace checkers::client {

namespace {
// A fingerprint (95 characters) as two indented lines of 16 bytes: fits 80 columns.
std::string indented(const std::string& fingerprint) {
  if (fingerprint.size() != 95) return "  " + fingerprint;
  return "  " + fingerprint.substr(0, 47) + "\n  " + fingerprint.substr(48);
}
}  // namespace

TlsClient::TlsClient(TlsClientOptions options)
    : options_(std::move(options)), known_(options_.known_servers) {
#ifdef CHECKERS_HAVE_TLS
  if (options_.mode == TlsChoice::Off) return;
  reactor::TlsContext::ClientPolicy policy;
  policy.ca_file = options_.ca_file;
  policy.keylog_file = options_.keylog_file;
  policy.check_fingerprint = [this](const std::string& fp) { return check(fp); };
  context_ = reactor::TlsContext::client(std::move(policy));
#endif
}

TlsClient::~TlsClient() = default;

TlsClient::Plan TlsClient::plan(const std::string& host, uint16_t port) const {
  if (options_.mode == TlsChoice::Off || !context_) return {};
  if (options_.mode == TlsChoice::On || !options_.pinned_fingerprint.empty() ||
      !options_.ca_file.empty())
    return {true, false};
  // No silent downgrade: a server once seen with (or announcing) TLS gets TLS or nothing.
  const std::string key = endpoint_key(host, port);
  return {true, key != offered_ && !known_.find(key).has_value()};
}

std::unique_ptr<reactor::Transport> TlsClient::transport(int fd, const std::string& host,
                                                         uint16_t port) {
  attempt_ = Attempt{};
  attempt_.expected = known_.find(endpoint_key(host, port));
#ifdef CHECKERS_HAVE_TLS
  if (context_) return context_->connect(fd, host);
#else
  (void)fd;
#endif
  return nullptr;
}

bool TlsClient::check(const std::string& fingerprint) {
  attempt_.seen = true;
  attempt_.got = fingerprint;
  if (!options_.pinned_fingerprint.empty()) return fingerprint == options_.pinned_fingerprint;
  if (attempt_.expected) return fingerprint == attempt_.expected->fingerprint;
  return true;  // first use: stored once the handshake is done
}

std::string TlsClient::trusted(const std::string& host, uint16_t port,
                               const std::string& fingerprint) {
  if (!options_.pinned_fingerprint.empty() || !options_.ca_file.empty() || attempt_.expected)
    return {};
  const std::string key = endpoint_key(host, port);
  const std::string endpoint = format_endpoint(host, port);
  std::string where;
  try {
    if (!known_.add(key, fingerprint)) return {};  // another client of ours stored it meanwhile
    where = fmt::format("saved in {}", known_.path().string());
  } catch (const std::exception& e) {
    spdlog::warn("cannot store the fingerprint: {}", e.what());
    where = fmt::format("but it could not be saved ({})", e.what());
  }
  return fmt::format(
      "First TLS connection to {}. Its certificate (SHA-256):\n{}\n"
      "Trusted from now on: {}.\n"
      "Compare it with `checkers-server tls fingerprint` on the server.",
      endpoint, indented(fingerprint), where);
}

std::string TlsClient::refusal(const std::string& host, uint16_t port,
                               const std::string& tls_error) const {
  const std::string endpoint = format_endpoint(host, port);
  if (attempt_.seen && !options_.pinned_fingerprint.empty() &&
      attempt_.got != options_.pinned_fingerprint)
    return fmt::format(
        "REFUSED: the TLS certificate of {} does not match --tls-fingerprint.\n"
        "Expected:\n{}\nOffered:\n{}\nNothing was sent to it",
        endpoint, indented(options_.pinned_fingerprint), indented(attempt_.got));
  if (attempt_.seen && attempt_.expected && attempt_.got != attempt_.expected->fingerprint) {
    const std::string file = known_.path().string();
    const int line = attempt_.expected->line;
    return fmt::format(
        "@@@ REFUSED: THE TLS CERTIFICATE OF {} HAS CHANGED! @@@\n"
        "Someone may be intercepting this connection (or the certificate was replaced).\n"
        "Known ({}:{}):\n{}\nOffered:\n{}\n"
        "Nothing was sent to it. If the change is expected, remove line {} of {}\n"
        "and connect again",
        endpoint, file, line, indented(attempt_.expected->fingerprint), indented(attempt_.got),
        line, file);
  }
  if (!attempt_.seen && attempt_.expected)
    return fmt::format(
        "REFUSED: {} used TLS before ({}:{})\n"
        "but did not complete a TLS handshake now ({});\nnot falling back to plain text",
        endpoint, known_.path().string(), attempt_.expected->line, tls_error);
  return fmt::format("TLS connection to {} failed: {}", endpoint, tls_error);
}

std::string TlsClient::plain_warning(const std::string& host, uint16_t port) {
  const std::string key = endpoint_key(host, port);
  if (key == warned_) return {};
  warned_ = key;
  // With --tls off the player chose plain text; do not blame the server for it.
  if (options_.mode == TlsChoice::Off)
    return fmt::format("Warning: --tls off: your password travels unencrypted to {}.",
                       format_endpoint(host, port));
  return fmt::format("Warning: {} does not offer TLS; your password travels unencrypted.",
                     format_endpoint(host, port));
}

}  // namespace checkers::client
