// The whole content of a file (outputs of child processes, saved PDN games).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace checkers::test {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace checkers::test
