// The --verbose log formats of every protocol type.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "proto/format.hpp"

using namespace checkers::proto;

namespace {
const char* kStart = "x.x.x.x./.x.x.x.x/x.x.x.x./......../......../.o.o.o.o/o.o.o.o./.o.o.o.o";
}

TEST_CASE("Move and Board formats", "[proto][format]") {
  CHECK(fmt::format("{}", Move{3, 5, -1, -1}) == "(3,5)->(2,4)");
  CHECK(fmt::format("{}", Move{0, 6, 1, 1}) == "(0,6)->(1,7)");
  const Board start = *Board::parse(kStart);
  CHECK(fmt::format("{}", start) == kStart);
  CHECK(start.to_string() == kStart);
}

TEST_CASE("every message formats with its type name and fields", "[proto][format]") {
  const Board b = *Board::parse(kStart);
  CHECK(fmt::format("{}", Message{Connect{1, "cam", "secret"}}) ==
        "Connect{version=1, username=\"cam\", password=<6 bytes>}");
  CHECK(fmt::format("{}", Message{InvalidLogin{LoginFailure::InvalidPassword}}) ==
        "InvalidLogin{reason=InvalidPassword}");
  CHECK(fmt::format("{}", Message{InvalidLogin{static_cast<LoginFailure>(9)}}) ==
        "InvalidLogin{reason=Unknown(9)}");
  CHECK(fmt::format("{}", Message{InvalidVersion{3, 1}}) == "InvalidVersion{highest=3, lowest=1}");
  CHECK(fmt::format("{}", Message{QueuePosition{5, 3, 1190}}) ==
        "QueuePosition{queue_size=5, queue_pos=3, rating=1190}");
  CHECK(fmt::format("{}", Message{GameStart{"jen\x01", 1190}}) ==
        "GameStart{opponent_name=\"jen\\x01\", opponent_rating=1190}");
  CHECK(fmt::format("{}", Message{YourTurn{kFirstTurnSentinel, b}}) ==
        fmt::format("YourTurn{{last_move=first-turn, board={}}}", kStart));
  CHECK(fmt::format("{}", Message{YourTurn{Move{3, 5, -1, -1}, b}}) ==
        fmt::format("YourTurn{{last_move=(3,5)->(2,4), board={}}}", kStart));
  CHECK(fmt::format("{}", Message{MakeMove{Move{4, 2, -1, 1}}}) == "MakeMove{move=(4,2)->(3,3)}");
  CHECK(fmt::format("{}", Message{CompulsoryMove{Move{2, 2, 1, -1}, b}}) ==
        fmt::format("CompulsoryMove{{move=(2,2)->(3,1), board={}}}", kStart));
  CHECK(fmt::format("{}", Message{InvalidMove{Move{0, 6, 1, 1}, b}}) ==
        fmt::format("InvalidMove{{move=(0,6)->(1,7), board={}}}", kStart));
  CHECK(fmt::format("{}", Message{OpponentDisconnect{}}) == "OpponentDisconnect{}");
  CHECK(fmt::format("{}", Message{GameOver{1, 1200, 1190, Move{1, 5, 1, 1}, b}}) ==
        fmt::format(
            "GameOver{{you_won=1, new_rating=1200, old_rating=1190, winning_move=(1,5)->(2,6), "
            "board={}}}",
            kStart));
  CHECK(fmt::format("{}", Message{ReQueue{}}) == "ReQueue{}");
  CHECK(fmt::format("{}", Message{LogOut{}}) == "LogOut{}");
  // The structs format the same without the variant.
  CHECK(fmt::format("{}", MakeMove{Move{4, 2, -1, 1}}) == "MakeMove{move=(4,2)->(3,3)}");
}

TEST_CASE("enums format by name", "[proto][format]") {
  CHECK(fmt::format("{} {} {} {} {}", MsgType::GameOver, State::ProcessingGameState,
                    Direction::ClientToServer, Verdict::IgnoreTolerated,
                    Role::Client) == "GameOver ProcessingGameState C->S IgnoreTolerated client");
  CHECK(fmt::format("{}", Str16("abcdefghijklmnopq")) == "<overlong>");
}
