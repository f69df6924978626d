// figure(): prints a hardening test's measured figure as a "FIGURE ..." line (the
// lines docs/SECURITY.md quotes) and attaches it to the Catch2 report.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

namespace checkers::test::hardening {

inline void figure(const std::string& line) {
  std::printf("FIGURE %s\n", line.c_str());
  std::fflush(stdout);
  WARN(line);
}

}  // namespace checkers::test::hardening
