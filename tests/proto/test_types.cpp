// Move, Board and Str16 codecs and the per-message encode/decode edge cases.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "proto/messages.hpp"
#include "proto/types.hpp"

using namespace checkers::proto;

namespace {

Board random_board(std::mt19937& rng) {
  static constexpr Code codes[] = {Code::Empty, Code::OwnMan, Code::OwnKing, Code::OpponentMan,
                                   Code::OpponentKing};
  Board b;
  for (int x = 0; x < 8; ++x)
    for (int y = 0; y < 8; ++y) b.set(x, y, codes[rng() % 5]);
  return b;
}

}  // namespace

TEST_CASE("every Move byte decodes and re-encodes to itself", "[proto][move]") {
  for (int b = 0; b < 256; ++b) {
    const Move m = Move::decode(static_cast<uint8_t>(b));
    CHECK(m.x < 8);
    CHECK(m.y < 8);
    CHECK((m.dx == 1 || m.dx == -1));
    CHECK((m.dy == 1 || m.dy == -1));
    CHECK(m.encode() == b);
  }
  CHECK(kFirstTurnSentinel.encode() == 0x00);
  CHECK(Move{1, 2, -1, 1}.encode() == 0x29);
  CHECK(Move{7, 7, 1, 1}.encode() == 0xff);
  CHECK(Move{3, 5, -1, -1}.to_x() == 2);
  CHECK(Move{3, 5, -1, -1}.to_y() == 4);
}

TEST_CASE("Board probes land on the documented bytes", "[proto][board]") {
  Board b;
  b.set(3, 5, Code::OwnKing);
  const Board::Wire w = b.encode();
  for (size_t i = 0; i < w.size(); ++i) {
    INFO("byte " << i);
    CHECK(w[i] == (i == 12 ? 0x03 : i == 13 ? 0x80 : 0x00));
  }
  Board c;
  c.set(0, 0, Code::OwnKing);
  CHECK(c.encode()[23] == 0x07);
}

TEST_CASE("Board encode/decode round-trips random boards", "[proto][board]") {
  std::mt19937 rng(42);
  for (int i = 0; i < 500; ++i) {
    const Board b = random_board(rng);
    const Board::Wire w = b.encode();
    CHECK(Board::decode(w) == b);
    CHECK(b.flipped_owner().flipped_owner() == b);
    CHECK(Board::parse(b.to_string()) == b);
  }
}

TEST_CASE("Board decode treats codes without the used bit as empty", "[proto][board]") {
  // Column patterns: every 3-bit group 001, 010 or 011 (never sent by conforming peers).
  static constexpr uint32_t patterns[] = {0x249249, 0x492492, 0x6db6db};
  Board::Wire w{};
  for (size_t col = 0; col < 8; ++col) {
    const uint32_t p = patterns[col % 3];
    w[3 * col] = static_cast<uint8_t>(p >> 16);
    w[3 * col + 1] = static_cast<uint8_t>(p >> 8);
    w[3 * col + 2] = static_cast<uint8_t>(p);
  }
  CHECK(Board::decode(w) == Board{});
}

TEST_CASE("flipped_owner swaps own and opponent pieces only", "[proto][board]") {
  Board b;
  b.set(0, 0, Code::OwnMan);
  b.set(1, 1, Code::OwnKing);
  b.set(2, 2, Code::OpponentMan);
  b.set(3, 3, Code::OpponentKing);
  const Board f = b.flipped_owner();
  CHECK(f.at(0, 0) == Code::OpponentMan);
  CHECK(f.at(1, 1) == Code::OpponentKing);
  CHECK(f.at(2, 2) == Code::OwnMan);
  CHECK(f.at(3, 3) == Code::OwnKing);
  CHECK(f.at(4, 4) == Code::Empty);
}

TEST_CASE("Board::parse rejects malformed text", "[proto][board]") {
  CHECK_FALSE(Board::parse(""));
  CHECK_FALSE(Board::parse("......../......../......../......../......../......../......."));
  CHECK_FALSE(
      Board::parse("......../......../......../......../......../......../......../........./"));
  CHECK_FALSE(
      Board::parse("......../......../......../......../......../......../......../.......?"));
  CHECK_FALSE(Board::parse(
      "......../......../......../......../......../......../......../......../........"));
  CHECK(Board::parse("......../......../......../......../......../......../......../........"));
  CHECK(Board::parse("......../......../......../......../......../......../......../......../"));
}

TEST_CASE("Str16 keeps up to 16 bytes and refuses longer text", "[proto][str16]") {
  CHECK(Str16("cam").view() == "cam");
  CHECK(Str16("abcdefghijklmnop").size() == 16);
  CHECK_FALSE(Str16("abcdefghijklmnop").overlong());
  CHECK(Str16("abcdefghijklmnopq").overlong());
  CHECK_FALSE(Str16::make("abcdefghijklmnopq"));
  CHECK(Str16::make("abcdefghijklmnop"));
  CHECK(Str16("cam") == std::string_view("cam"));
  CHECK(Str16("cam") == "cam");
  CHECK("cam" == Str16("cam"));
  CHECK(Str16("cam") == std::string("cam"));
  CHECK(Str16("cam") != "ca");
  CHECK(Str16("cam") == Str16("cam"));
  CHECK_FALSE(Str16("abcdefghijklmnopq") == std::string_view("abcdefghijklmnopq"));

  CHECK_FALSE(pack_str16("abcdefghijklmnopq"));
  const auto packed = pack_str16("ab");
  REQUIRE(packed);
  CHECK((*packed)[0] == 'a');
  CHECK((*packed)[2] == '\0');
  CHECK((*packed)[15] == '\0');
  CHECK(unpack_str16(std::span<const char, 16>(*packed)) == "ab");

  std::array<uint8_t, 16> wire{};
  wire.fill('z');
  CHECK(unpack_str16(std::span<const uint8_t, 16>(wire)) == std::string(16, 'z'));
  wire[5] = 0;
  wire[6] = 'q';  // bytes after the first NUL are not part of the value
  CHECK(Str16::from_wire(wire).view() == "zzzzz");
}

TEST_CASE("a name over 16 bytes is never sent, never cut", "[proto][str16][messages]") {
  std::array<uint8_t, kMaxMessageSize> buf{};
  buf.fill(0xAA);
  CHECK(Connect{1, "abcdefghijklmnopq", "pw"}.encode(buf) == 0);
  CHECK(Connect{1, "user", std::string(17, 'p')}.encode(buf) == 0);
  CHECK(encode(Message{GameStart{"abcdefghijklmnopq", 1200}}, buf) == 0);
  CHECK(buf[0] == 0xAA);  // nothing written
  std::string out = "x";
  CHECK_FALSE(encode_append(Message{Connect{1, std::string(20, 'u'), "pw"}}, out));
  CHECK(out == "x");
  CHECK_FALSE(to_bytes(Message{GameStart{std::string(17, 'n'), 0}}));
  CHECK(encode(Message{Connect{1, "abcdefghijklmnop", "0123456789ABCDEF"}}, buf) == 34);
}

TEST_CASE("every message has its documented size and round-trips", "[proto][messages]") {
  Board b;
  b.set(2, 4, Code::OwnKing);
  const std::vector<Message> all{Connect{1, "cam", "mac"},
                                 InvalidLogin{LoginFailure::AlreadyLoggedIn},
                                 QueuePosition{5, 3, 1190},
                                 GameStart{"jen", 1190},
                                 YourTurn{kFirstTurnSentinel, b},
                                 MakeMove{Move{3, 5, -1, -1}},
                                 CompulsoryMove{Move{2, 2, 1, -1}, b},
                                 InvalidMove{Move{0, 6, 1, 1}, b},
                                 OpponentDisconnect{},
                                 GameOver{1, 1200, 1190, Move{1, 5, 1, 1}, b},
                                 ReQueue{},
                                 LogOut{},
                                 InvalidVersion{3, 1}};
  REQUIRE(all.size() == kMsgTypeCount);
  for (const Message& m : all) {
    INFO(name_of(type_of(m)));
    std::array<uint8_t, kMaxMessageSize> buf{};
    const size_t n = encode(m, buf);
    CHECK(n == message_size(static_cast<uint8_t>(type_of(m))));
    CHECK(buf[0] == static_cast<uint8_t>(type_of(m)));
    const auto back = decode(std::span<const uint8_t>(buf.data(), n));
    REQUIRE(back);
    CHECK(*back == m);
    // A buffer one byte short is refused; a wrong length does not decode.
    CHECK(encode(m, std::span<uint8_t>(buf.data(), n - 1)) == 0);
    CHECK_FALSE(decode(std::span<const uint8_t>(buf.data(), n - 1)));
    CHECK_FALSE(decode(std::span<const uint8_t>(buf.data(), n + 1)));
  }
}

TEST_CASE("type bytes: 1-13 known, everything else unknown", "[proto][messages]") {
  for (int t = 0; t < 256; ++t) {
    INFO("type " << t);
    CHECK(message_size(static_cast<uint8_t>(t)).has_value() == (t >= 1 && t <= 13));
  }
  CHECK_FALSE(decode(std::vector<uint8_t>{0x00}));
  CHECK_FALSE(decode(std::vector<uint8_t>{0x0e}));
  CHECK_FALSE(decode(std::span<const uint8_t>()));
  CHECK(std::string(name_of(MsgType::InvalidVersion)) == "InvalidVersion");
  CHECK(std::string(name_of(static_cast<MsgType>(0))) == "Unknown");
}

TEST_CASE("undefined InvalidLogin reasons and GameOver.you_won bytes survive decoding",
          "[proto][messages]") {
  const auto login = decode(std::vector<uint8_t>{0x02, 0x07});
  REQUIRE(login);
  CHECK(static_cast<uint8_t>(std::get<InvalidLogin>(*login).reason) == 7);
  CHECK(to_bytes(*login) == std::vector<uint8_t>{0x02, 0x07});

  std::vector<uint8_t> over(35, 0);
  over[0] = 0x0a;
  over[1] = 0xff;  // the design text's "won"
  const auto go = decode(over);
  REQUIRE(go);
  CHECK(std::get<GameOver>(*go).won());
  over[1] = 0;
  CHECK_FALSE(std::get<GameOver>(*decode(over)).won());
}

TEST_CASE("version range lives in one place", "[proto][version]") {
  CHECK(version_supported(1));
  CHECK_FALSE(version_supported(0));
  CHECK(version_supported(2));  // docs/PROTOCOL-v2.md §3: the server speaks 1..2
  CHECK_FALSE(version_supported(3));
  CHECK(to_bytes(kOurVersionRange) == std::vector<uint8_t>{0x0d, 0x02, 0x01});
  CHECK(Connect{}.version == kProtocolVersion);
}
