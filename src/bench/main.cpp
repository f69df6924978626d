// checkers-bench: load generator for checkers-server (see bench/cli.hpp).
#include <string>

#include "bench/cli.hpp"

#ifndef CHECKERS_VERSION_STRING
#define CHECKERS_VERSION_STRING "unknown"
#endif

int main(int argc, char** argv) {
  return checkers::bench::run_cli(argc, argv,
                                  std::string("checkers-bench ") + CHECKERS_VERSION_STRING);
}
