// Server logging: spdlog's default logger writing to stderr and, with
// --log-file, also appending to a file that SIGHUP reopens (log rotation:
// move the file away, send SIGHUP, the server starts a new one).
#pragma once

#include <memory>
#include <string>

#include <spdlog/common.h>

namespace checkers::server {

class ReopenableFileSink;

class ServerLogging {
 public:
  // Installs the default logger. Throws spdlog::spdlog_ex if the file cannot be opened.
  ServerLogging(spdlog::level::level_enum level, const std::string& file);
  ~ServerLogging();
  ServerLogging(const ServerLogging&) = delete;
  ServerLogging& operator=(const ServerLogging&) = delete;

  // Reopens the log file (no-op without one); errors are logged, not thrown.
  void reopen();

 private:
  std::shared_ptr<ReopenableFileSink> file_sink_;
};

}  // namespace checkers::server
