// The checkers-bench command line: parses the options, raises RLIMIT_NOFILE to what the
// connections need, runs the LoadGenerator and prints the per-second lines, the final
// table and (with --json) the JSON object as the last line of stdout.
#pragma once

#include <string>

namespace checkers::bench {

// Returns the process exit code: 0 done, 1 could not run, 2 bad command line.
// `version` is what --version prints (main.cpp knows the build's version string).
int run_cli(int argc, char** argv, const std::string& version = "checkers-bench");

}  // namespace checkers::bench
