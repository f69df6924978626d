// Per-message codecs. Each message is a fixed sequence of fields after its type
// byte; Writer and Reader walk those fields so every layout reads like the table
// in docs/PROTOCOL.md §5.
#include "proto/messages.hpp"

#include <utility>

namespace checkers::proto {

namespace {

class Writer {
 public:
  explicit Writer(std::span<uint8_t> out) noexcept : out_(out) {}
  void u8(uint8_t v) noexcept { out_[pos_++] = v; }
  void u32(uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i) out_[pos_++] = static_cast<uint8_t>(v >> (8 * i));
  }
  void move(const Move& m) noexcept { u8(m.encode()); }
  void board(const Board& b) noexcept {
    b.encode_to(out_.subspan(pos_).first<Board::kWireSize>());
    pos_ += Board::kWireSize;
  }
  bool str16(const Str16& s) noexcept {
    const bool ok = s.to_wire(out_.subspan(pos_).first<Str16::kCapacity>());
    pos_ += Str16::kCapacity;
    return ok;
  }
  size_t size() const noexcept { return pos_; }

 private:
  std::span<uint8_t> out_;
  size_t pos_ = 0;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) noexcept : in_(in) {}
  uint8_t u8() noexcept { return in_[pos_++]; }
  uint32_t u32() noexcept {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{in_[pos_++]} << (8 * i);
    return v;
  }
  Move move() noexcept { return Move::decode(u8()); }
  Board board() noexcept {
    const Board b = Board::decode(in_.subspan(pos_).first<Board::kWireSize>());
    pos_ += Board::kWireSize;
    return b;
  }
  Str16 str16() noexcept {
    const Str16 s = Str16::from_wire(in_.subspan(pos_).first<Str16::kCapacity>());
    pos_ += Str16::kCapacity;
    return s;
  }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 1;  // past the type byte
};

// Starts a message: checks room and writes the type byte.
template <class T>
bool begin(std::span<uint8_t> out, Writer& w) noexcept {
  if (out.size() < T::kSize) return false;
  w.u8(static_cast<uint8_t>(T::kType));
  return true;
}

}  // namespace

size_t Connect::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (username.overlong() || password.overlong() || !begin<Connect>(out, w)) return 0;
  w.u8(version);
  w.str16(username);
  w.str16(password);
  return w.size();
}
Connect Connect::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  Connect m;
  m.version = r.u8();
  m.username = r.str16();
  m.password = r.str16();
  return m;
}

size_t InvalidLogin::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (!begin<InvalidLogin>(out, w)) return 0;
  w.u8(static_cast<uint8_t>(reason));
  return w.size();
}
InvalidLogin InvalidLogin::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  return InvalidLogin{static_cast<LoginFailure>(r.u8())};
}

size_t InvalidVersion::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (!begin<InvalidVersion>(out, w)) return 0;
  w.u8(highest);
  w.u8(lowest);
  return w.size();
}
InvalidVersion InvalidVersion::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  InvalidVersion m;
  m.highest = r.u8();
  m.lowest = r.u8();
  return m;
}

size_t QueuePosition::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (!begin<QueuePosition>(out, w)) return 0;
  w.u32(queue_size);
  w.u32(queue_pos);
  w.u32(rating);
  return w.size();
}
QueuePosition QueuePosition::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  QueuePosition m;
  m.queue_size = r.u32();
  m.queue_pos = r.u32();
  m.rating = r.u32();
  return m;
}

size_t GameStart::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (opponent_name.overlong() || !begin<GameStart>(out, w)) return 0;
  w.str16(opponent_name);
  w.u32(opponent_rating);
  return w.size();
}
GameStart GameStart::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  GameStart m;
  m.opponent_name = r.str16();
  m.opponent_rating = r.u32();
  return m;
}

size_t YourTurn::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (!begin<YourTurn>(out, w)) return 0;
  w.move(last_move);
  w.board(board);
  return w.size();
}
YourTurn YourTurn::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  YourTurn m;
  m.last_move = r.move();
  m.board = r.board();
  return m;
}

size_t MakeMove::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (!begin<MakeMove>(out, w)) return 0;
  w.move(move);
  return w.size();
}
MakeMove MakeMove::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  return MakeMove{r.move()};
}

size_t CompulsoryMove::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (!begin<CompulsoryMove>(out, w)) return 0;
  w.move(move);
  w.board(board);
  return w.size();
}
CompulsoryMove CompulsoryMove::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  CompulsoryMove m;
  m.move = r.move();
  m.board = r.board();
  return m;
}

size_t InvalidMove::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (!begin<InvalidMove>(out, w)) return 0;
  w.move(move);
  w.board(board);
  return w.size();
}
InvalidMove InvalidMove::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  InvalidMove m;
  m.move = r.move();
  m.board = r.board();
  return m;
}

size_t GameOver::encode(std::span<uint8_t> out) const noexcept {
  Writer w(out);
  if (!begin<GameOver>(out, w)) return 0;
  w.u8(you_won);
  w.u32(new_rating);
  w.u32(old_rating);
  w.move(winning_move);
  w.board(board);
  return w.size();
}
GameOver GameOver::decode(std::span<const uint8_t, kSize> in) noexcept {
  Reader r(in);
  GameOver m;
  m.you_won = r.u8();
  m.new_rating = r.u32();
  m.old_rating = r.u32();
  m.winning_move = r.move();
  m.board = r.board();
  return m;
}

// The three type-byte-only messages.
#define CHECKERS_PROTO_EMPTY_MESSAGE(T)                     \
  size_t T::encode(std::span<uint8_t> out) const noexcept { \
    Writer w(out);                                          \
    return begin<T>(out, w) ? w.size() : 0;                 \
  }                                                         \
  T T::decode(std::span<const uint8_t, kSize>) noexcept { return T{}; }

CHECKERS_PROTO_EMPTY_MESSAGE(OpponentDisconnect)
CHECKERS_PROTO_EMPTY_MESSAGE(ReQueue)
CHECKERS_PROTO_EMPTY_MESSAGE(LogOut)
#undef CHECKERS_PROTO_EMPTY_MESSAGE

const char* name_of(MsgType t) noexcept {
  static constexpr std::array<const char*, kMsgTypeCountV2> names{
      "Connect",         "InvalidLogin",    "QueuePosition",
      "GameStart",       "YourTurn",        "MakeMove",
      "CompulsoryMove",  "InvalidMove",     "OpponentDisconnect",
      "GameOver",        "ReQueue",         "LogOut",
      "InvalidVersion",  "Welcome",         "LeaveQueue",
      "GameStart2",      "YourTurn2",       "MakeMove2",
      "MoveMade",        "InvalidMove2",    "GameOver2",
      "Resign",          "OfferDraw",       "DrawOffered",
      "AnswerDraw",      "DrawDeclined",    "Chat",
      "ChatFrom",        "ChatRefused",     "Who",
      "PlayerEntry",     "Challenge",       "ChallengeReceived",
      "AnswerChallenge", "ChallengeResult", "Rematch",
      "ListGames",       "GameEntry",       "Watch",
      "WatchStart",      "WatchRefused",    "Unwatch",
      "WatcherCount",    "FetchGames",      "RecordEntry",
      "RecordMove"};
  const auto raw = static_cast<size_t>(t);
  if (raw < kFirstMsgType || raw > kLastMsgTypeV2) return "Unknown";
  return names[raw - kFirstMsgType];
}

const char* name_of(LoginFailure r) noexcept {
  switch (r) {
    case LoginFailure::AccountDoesNotExist:
      return "AccountDoesNotExist";
    case LoginFailure::InvalidPassword:
      return "InvalidPassword";
    case LoginFailure::AlreadyLoggedIn:
      return "AlreadyLoggedIn";
  }
  return "Unknown";
}

size_t encode(const Message& m, std::span<uint8_t> out) noexcept {
  return std::visit([out](const auto& msg) { return msg.encode(out); }, m);
}

std::optional<std::vector<uint8_t>> to_bytes(const Message& m) {
  std::vector<uint8_t> bytes;
  if (!encode_append(m, bytes)) return std::nullopt;
  return bytes;
}

namespace {

template <class T>
Message decode_as(std::span<const uint8_t> in) noexcept {
  if constexpr (HasFieldList<T>)
    return T::decode(in);  // v2: the whole message, fixed or variable size
  else
    return T::decode(in.first<T::kSize>());
}

// Indexed by type byte - 1, in Message's alternative order.
template <size_t... I>
constexpr auto make_decoders(std::index_sequence<I...>) {
  using Fn = Message (*)(std::span<const uint8_t>) noexcept;
  return std::array<Fn, sizeof...(I)>{&decode_as<std::variant_alternative_t<I, Message>>...};
}
template <size_t... I>
constexpr bool alternatives_in_type_order(std::index_sequence<I...>) {
  return (
      (static_cast<size_t>(std::variant_alternative_t<I, Message>::kType) == I + kFirstMsgType) &&
      ...);
}
static_assert(alternatives_in_type_order(std::make_index_sequence<std::variant_size_v<Message>>{}));
static_assert(std::variant_size_v<Message> == kMsgTypeCountV2);

constexpr auto kDecoders = make_decoders(std::make_index_sequence<std::variant_size_v<Message>>{});

}  // namespace

std::optional<Message> decode(std::span<const uint8_t> in, uint8_t version) noexcept {
  if (in.empty()) return std::nullopt;
  const FrameSize f = frame_size(in, version);
  if (f.status != FrameSize::Known || f.size != in.size()) return std::nullopt;
  if (!detail::content_valid(in)) return std::nullopt;
  return kDecoders[in[0] - kFirstMsgType](in);
}

namespace detail {
Message decode_complete(std::span<const uint8_t> whole) noexcept {
  return kDecoders[whole[0] - kFirstMsgType](whole);
}
bool content_valid(std::span<const uint8_t> whole) noexcept {
  if (!variable_size(whole[0])) return true;
  const size_t header =
      whole[0] == static_cast<uint8_t>(MsgType::Chat) ? kChatHeaderSize : kChatFromHeaderSize;
  return valid_chat_bytes(whole.subspan(header));
}
}  // namespace detail

}  // namespace checkers::proto
