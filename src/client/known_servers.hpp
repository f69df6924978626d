// KnownServers: the client's trust store, like ssh's known_hosts. One line per server,
// "HOST:PORT FINGERPRINT" (IPv6 hosts in brackets), '#' starts a comment. The first TLS
// connection to a server adds its certificate's SHA-256 fingerprint; later connections
// must present the same certificate, and a server listed here is never contacted in
// plain text by --tls auto again. The file is read on every lookup (another client may
// have added a line) and appended to, never rewritten: removing a line is the user's act.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace checkers::client {

class KnownServers {
 public:
  struct Entry {
    std::string fingerprint;
    int line = 0;  // 1-based, for "remove line N of FILE"
  };

  explicit KnownServers(std::filesystem::path file) : file_(std::move(file)) {}
  // $XDG_STATE_HOME/checkers/known_servers, else ~/.local/state/checkers/known_servers.
  static std::filesystem::path default_path();

  // The first line for `endpoint` (see endpoint_key()).
  std::optional<Entry> find(const std::string& endpoint) const;
  // Appends a line (creating the file, mode 0600, and its directory) unless the endpoint
  // is there already (false): under an exclusive lock, so two clients meeting a server for
  // the first time at once store it once. Throws std::system_error when it cannot write.
  bool add(const std::string& endpoint, const std::string& fingerprint) const;
  const std::filesystem::path& path() const { return file_; }

 private:
  std::filesystem::path file_;
};

// "SHA256:ab..", "abcd..", "AB:CD:.." all become "AB:CD:.." (as `openssl x509 -noout
// -fingerprint -sha256` prints it); empty if it is not 32 bytes of hex.
std::string normalize_fingerprint(const std::string& text);
// "host:8864", "[::1]:8864".
std::string endpoint_key(const std::string& host, uint16_t port);

}  // namespace checkers::client
