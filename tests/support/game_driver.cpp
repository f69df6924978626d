#include "support/game_driver.hpp"

#include <poll.h>

#include <array>
#include <random>

namespace checkers::test {

using game::Color;
using game::Piece;
using game::Square;

Strategy random_strategy(uint32_t seed) {
  auto rng = std::make_shared<std::mt19937>(seed);
  return [rng](const game::Position&, const std::vector<game::Hop>& legal) {
    std::uniform_int_distribution<size_t> pick(0, legal.size() - 1);
    return legal[pick(*rng)];
  };
}

Strategy first_hop_strategy() {
  return [](const game::Position&, const std::vector<game::Hop>& legal) { return legal.front(); };
}

Color infer_color(const proto::Board& b) {
  int high = 0, low = 0;
  for (int x = 0; x < 8; ++x)
    for (int y = 0; y < 8; ++y) {
      const auto c = b.at(x, y);
      if (c == proto::Code::OwnMan || c == proto::Code::OwnKing) (y >= 4 ? high : low)++;
    }
  return high >= low ? Color::Black : Color::White;
}

game::Position position_from_board(const proto::Board& b, Color me, Color to_move,
                                   std::optional<proto::Move> last_move) {
  std::array<Piece, 32> pieces{};
  pieces.fill(Piece::None);
  for (int i = 0; i < 32; ++i) {
    const Square s = game::square_of_index(i);
    switch (b.at(s.x, s.y)) {
      case proto::Code::OwnMan:
        pieces[i] = game::make_piece(me, false);
        break;
      case proto::Code::OwnKing:
        pieces[i] = game::make_piece(me, true);
        break;
      case proto::Code::OpponentMan:
        pieces[i] = game::make_piece(game::opponent(me), false);
        break;
      case proto::Code::OpponentKing:
        pieces[i] = game::make_piece(game::opponent(me), true);
        break;
      default:
        break;
    }
  }
  game::Position pos = game::Position::from_pieces(pieces, to_move);
  if (last_move && *last_move != proto::kFirstTurnSentinel && to_move == me) {
    // Our own capture that continues: the captured square is empty and our
    // piece stands beyond it.
    const Square over{last_move->x + last_move->dx, last_move->y + last_move->dy};
    const Square land{last_move->x + 2 * last_move->dx, last_move->y + 2 * last_move->dy};
    if (game::is_playable(land) && pos.piece_at(over) == Piece::None &&
        pos.piece_at(land) != Piece::None && game::color_of(pos.piece_at(land)) == me)
      pos = pos.with_continuation(land);
  }
  return pos;
}

proto::Board board_for(const game::Position& pos, Color viewer) {
  proto::Board b;
  for (int i = 0; i < 32; ++i) {
    const Piece p = pos.piece_at_index(i);
    if (p == Piece::None) continue;
    const Square s = game::square_of_index(i);
    const bool own = game::color_of(p) == viewer;
    const bool king = game::is_king(p);
    b.set(s.x, s.y,
          own ? (king ? proto::Code::OwnKing : proto::Code::OwnMan)
              : (king ? proto::Code::OpponentKing : proto::Code::OpponentMan));
  }
  return b;
}

proto::Move to_wire(const game::Hop& hop) {
  return proto::Move{static_cast<uint8_t>(hop.from.x), static_cast<uint8_t>(hop.from.y),
                     static_cast<int8_t>(hop.dx), static_cast<int8_t>(hop.dy)};
}

GameReport GameDriver::play(const Strategy& strategy, int max_moves,
                            std::chrono::milliseconds message_timeout) {
  GameReport rep;
  bool done[2] = {false, false};
  bool color_known[2] = {false, false};
  auto learn_color = [&](int i, const proto::Board& b) {
    if (!color_known[i]) {
      rep.color[i] = infer_color(b);
      color_known[i] = true;
    }
  };
  auto deadline = std::chrono::steady_clock::now() + message_timeout;
  while (!(done[0] && done[1])) {
    std::optional<proto::Message> msg;
    int who = -1;
    for (int i = 0; i < 2 && !msg; ++i) {
      if (done[i]) continue;
      if ((msg = players_[i]->try_receive(0ms))) who = i;
    }
    if (!msg) {
      if (std::chrono::steady_clock::now() > deadline)
        throw ProtocolError("game driver: no message from either player in time");
      pollfd fds[2] = {{done[0] ? -1 : players_[0]->fd(), POLLIN, 0},
                       {done[1] ? -1 : players_[1]->fd(), POLLIN, 0}};
      ::poll(fds, 2, 50);
      continue;
    }
    deadline = std::chrono::steady_clock::now() + message_timeout;
    ProtocolClient& me = *players_[who];
    if (auto* t = std::get_if<proto::YourTurn>(&*msg)) {
      learn_color(who, t->board);
      const Color c = rep.color[who];
      const game::Position pos = position_from_board(t->board, c, c, t->last_move);
      if (pos.continuing_piece()) ++rep.continuations;
      if (rep.moves_sent >= max_moves) {
        rep.to_move = who;
        rep.pending_turn = *t;
        return rep;
      }
      const auto legal = game::legal_hops(pos);
      if (legal.empty())
        throw ProtocolError(fmt::format("{}: YourTurn without a legal hop: {}", me.name(), *t));
      me.send(proto::MakeMove{to_wire(strategy(pos, legal))});
      ++rep.moves_sent;
    } else if (auto* cm = std::get_if<proto::CompulsoryMove>(&*msg)) {
      learn_color(who, cm->board);
      ++rep.compulsory_moves;
    } else if (auto* im = std::get_if<proto::InvalidMove>(&*msg)) {
      throw ProtocolError(fmt::format("{}: legal hop rejected: {}", me.name(), *im));
    } else if (auto* go = std::get_if<proto::GameOver>(&*msg)) {
      rep.over[who] = *go;
      done[who] = true;
    } else if (std::holds_alternative<proto::OpponentDisconnect>(*msg)) {
      rep.opponent_disconnect[who] = true;
      done[who] = true;
    } else if (!std::holds_alternative<proto::QueuePosition>(*msg)) {
      throw ProtocolError(fmt::format("{}: unexpected {} during a game", me.name(), *msg));
    }
  }
  rep.finished = true;
  return rep;
}

std::vector<ClientGame> play_games(const std::vector<ProtocolClient*>& clients,
                                   const Strategy& strategy,
                                   std::chrono::milliseconds idle_timeout) {
  const size_t n = clients.size();
  std::vector<ClientGame> games(n);
  std::vector<std::optional<Color>> colors(n);
  std::vector<bool> done(n, false);
  size_t remaining = n;
  std::vector<pollfd> fds(n);
  auto deadline = std::chrono::steady_clock::now() + idle_timeout;
  while (remaining > 0) {
    bool progressed = false;
    for (size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      while (auto msg = clients[i]->try_receive(0ms)) {
        progressed = true;
        ProtocolClient& me = *clients[i];
        if (auto* gs = std::get_if<proto::GameStart>(&*msg)) {
          games[i].start = *gs;
          colors[i].reset();
        } else if (auto* t = std::get_if<proto::YourTurn>(&*msg)) {
          if (!colors[i]) colors[i] = infer_color(t->board);
          const Color c = *colors[i];
          const game::Position pos = position_from_board(t->board, c, c, t->last_move);
          if (pos.continuing_piece()) ++games[i].continuations;
          const auto legal = game::legal_hops(pos);
          if (legal.empty())
            throw ProtocolError(fmt::format("{}: YourTurn without a legal hop: {}", me.name(), *t));
          me.send(proto::MakeMove{to_wire(strategy(pos, legal))});
          ++games[i].moves_sent;
        } else if (auto* cm = std::get_if<proto::CompulsoryMove>(&*msg)) {
          if (!colors[i]) colors[i] = infer_color(cm->board);
          ++games[i].compulsory_moves;
        } else if (auto* go = std::get_if<proto::GameOver>(&*msg)) {
          games[i].over = *go;
        } else if (std::holds_alternative<proto::OpponentDisconnect>(*msg)) {
          games[i].opponent_disconnect = true;
        } else if (auto* im = std::get_if<proto::InvalidMove>(&*msg)) {
          throw ProtocolError(fmt::format("{}: legal hop rejected: {}", me.name(), *im));
        } else if (!std::holds_alternative<proto::QueuePosition>(*msg)) {
          throw ProtocolError(fmt::format("{}: unexpected {}", me.name(), *msg));
        }
        if (games[i].over || games[i].opponent_disconnect) {
          done[i] = true;
          --remaining;
          break;
        }
      }
    }
    if (progressed) {
      deadline = std::chrono::steady_clock::now() + idle_timeout;
      continue;
    }
    if (std::chrono::steady_clock::now() > deadline)
      throw ProtocolError(
          fmt::format("play_games: {} clients still playing, nothing arrives", remaining));
    for (size_t i = 0; i < n; ++i) fds[i] = pollfd{done[i] ? -1 : clients[i]->fd(), POLLIN, 0};
    ::poll(fds.data(), fds.size(), 100);
  }
  return games;
}

}  // namespace checkers::test
