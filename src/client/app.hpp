// The checkers-client program: logging set-up (never on the terminal the board is drawn
// on), finding the server (--host-addr or LAN discovery), the event loop with the
// terminal, signals and the session, and the exit code.
#pragma once

#include "client/options.hpp"

namespace checkers::client {

// Runs the client to the end; returns the process exit code.
int run_client(const ClientOptions& options);

// main(): parse_options then run_client.
int client_main(int argc, char** argv);

}  // namespace checkers::client
