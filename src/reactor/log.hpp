// Logging setup shared by the binaries: spdlog's default logger on stderr (or a file),
// with a level parsed from a string. Library code logs through spdlog's default logger
// and never prints to stdout.
#pragma once

#include <spdlog/common.h>

#include <optional>
#include <string>
#include <string_view>

namespace checkers::reactor {

// "trace", "debug", "info", "warn"/"warning", "error", "critical", "off".
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// Replaces the default logger with one writing to stderr (file empty) or appending to
// `file`. Throws spdlog::spdlog_ex if the file cannot be opened.
void configure_logging(spdlog::level::level_enum level, const std::string& file = {});

}  // namespace checkers::reactor
