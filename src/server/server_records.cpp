// Server: the v2 FetchGames answer, read from the games log's recent games in memory.
#include "server/game_records.hpp"
#include "server/server.hpp"

namespace checkers::server {

void Server::send_records(Session& s, uint8_t max) {
  for (const proto::Message& m : fetch_games_answer(store_.archive(), s.account(), max))
    std::visit([&](const auto& msg) { s.send(msg); }, m);
}

}  // namespace checkers::server
