// checkers-client: play checkers in the terminal, or let the bot play (see docs/CLIENT.md).
#include "client/app.hpp"

int main(int argc, char** argv) { return checkers::client::client_main(argc, argv); }
