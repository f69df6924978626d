#include "server/logging.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace checkers::server {

class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(std::string path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "ae");
    if (file_ == nullptr)
      throw spdlog::spdlog_ex("cannot open log file " + path_ + ": " + std::strerror(errno));
  }
  ~ReopenableFileSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  // False (the old file kept) if the path cannot be opened.
  bool reopen() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::FILE* f = std::fopen(path_.c_str(), "ae");
    if (f == nullptr) return false;
    std::fclose(file_);
    file_ = f;
    return true;
  }
  const std::string& path() const { return path_; }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    std::fwrite(buf.data(), 1, buf.size(), file_);
    std::fflush(file_);  // a crash (or kill -9) must not lose the last lines
  }
  void flush_() override { std::fflush(file_); }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

ServerLogging::ServerLogging(spdlog::level::level_enum level, const std::string& file) {
  std::vector<spdlog::sink_ptr> sinks;
  sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!file.empty()) {
    file_sink_ = std::make_shared<ReopenableFileSink>(file);
    sinks.push_back(file_sink_);
  }
  auto logger = std::make_shared<spdlog::logger>("checkers-server", sinks.begin(), sinks.end());
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

ServerLogging::~ServerLogging() { spdlog::default_logger()->flush(); }

void ServerLogging::reopen() {
  if (!file_sink_) return;
  if (file_sink_->reopen())
    spdlog::info("log file {} reopened", file_sink_->path());
  else
    spdlog::error("cannot reopen log file {}: {}", file_sink_->path(), std::strerror(errno));
}

}  // namespace checkers::server
