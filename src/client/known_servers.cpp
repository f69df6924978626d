#include "client/known_servers.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "client/xdg.hpp"

namespace checkers::client {

std::filesystem::path KnownServers::default_path() {
  return checkers_dir(XdgBase::State) / "known_servers";
}

std::optional<KnownServers::Entry> KnownServers::find(const std::string& endpoint) const {
  std::ifstream in(file_);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string key, fingerprint;
    if (words >> key >> fingerprint && key == endpoint) return Entry{fingerprint, number};
  }
  return std::nullopt;
}

bool KnownServers::add(const std::string& endpoint, const std::string& fingerprint) const {
  std::error_code ec;
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path(), ec);
  const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), file_.string());
  while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  if (find(endpoint)) {  // stored by another client of ours meanwhile
    ::close(fd);
    return false;
  }
  const std::string text = endpoint + " " + fingerprint + "\n";
  const ssize_t n = ::write(fd, text.data(), text.size());
  const int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    throw std::system_error(n < 0 ? err : EIO, std::generic_category(), file_.string());
  return true;
}

std::string normalize_fingerprint(const std::string& text) {
  std::string_view t = text;
  for (const char* prefix : {"SHA256:", "sha256:", "SHA256 Fingerprint=", "sha256 Fingerprint="}) {
    const std::string_view p = prefix;
    if (t.substr(0, p.size()) == p) t.remove_prefix(p.size());
  }
  std::string hex;
  for (const char c : t) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    hex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64) return {};
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (i) out += ':';
    out += hex.substr(i, 2);
  }
  return out;
}

std::string endpoint_key(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace checkers::client
