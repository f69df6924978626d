// checkers-bench: load generator for checkers-server (see bench/cli.hpp).
#include "bench/cli.hpp"

int main(int argc, char** argv) { return checkers::bench::run_cli(argc, argv); }
