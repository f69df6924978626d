// The byte codec of the v2 messages, written once for all of them: a message is
// its type byte followed by its fields (messages_v2.hpp `fields()`) in order,
// each field encoded as docs/PROTOCOL-v2.md §2 says.
#include <algorithm>
#include <type_traits>

#include "proto/messages.hpp"

namespace checkers::proto {

namespace {

template <class E>
concept ByteEnum = std::is_enum_v<E> && sizeof(E) == 1;

// Bytes a field occupies.
struct FieldSize {
  size_t total = 1;  // the type byte
  void operator()(const char*, uint8_t) { total += 1; }
  void operator()(const char*, uint16_t) { total += 2; }
  void operator()(const char*, uint32_t) { total += 4; }
  template <ByteEnum E>
  void operator()(const char*, E) {
    total += 1;
  }
  void operator()(const char*, const Str16&) { total += Str16::kCapacity; }
  void operator()(const char*, const Board&) { total += Board::kWireSize; }
  void operator()(const char*, const Path&) { total += Path::kWireSize; }
  void operator()(const char*, const ChatText& t) { total += 2 + t.size(); }
};

struct FieldWriter {
  std::span<uint8_t> out;
  size_t pos = 1;
  bool ok = true;
  void operator()(const char*, uint8_t v) { out[pos++] = v; }
  void operator()(const char*, uint16_t v) {
    out[pos++] = static_cast<uint8_t>(v);
    out[pos++] = static_cast<uint8_t>(v >> 8);
  }
  void operator()(const char*, uint32_t v) {
    for (int i = 0; i < 4; ++i) out[pos++] = static_cast<uint8_t>(v >> (8 * i));
  }
  template <ByteEnum E>
  void operator()(const char* n, E v) {
    (*this)(n, static_cast<uint8_t>(v));
  }
  void operator()(const char*, const Str16& s) {
    ok = ok && s.to_wire(out.subspan(pos).first<Str16::kCapacity>());
    pos += Str16::kCapacity;
  }
  void operator()(const char*, const Board& b) {
    b.encode_to(out.subspan(pos).first<Board::kWireSize>());
    pos += Board::kWireSize;
  }
  void operator()(const char*, const Path& p) {
    p.encode_to(out.subspan(pos).first<Path::kWireSize>());
    pos += Path::kWireSize;
  }
  void operator()(const char* n, const ChatText& t) {
    ok = ok && t.valid();
    (*this)(n, static_cast<uint16_t>(t.size()));
    std::copy_n(t.view().data(), t.size(), out.begin() + static_cast<std::ptrdiff_t>(pos));
    pos += t.size();
  }
};

struct FieldReader {
  std::span<const uint8_t> in;
  size_t pos = 1;
  void operator()(const char*, uint8_t& v) { v = in[pos++]; }
  void operator()(const char*, uint16_t& v) {
    v = static_cast<uint16_t>(in[pos] | in[pos + 1] << 8);
    pos += 2;
  }
  void operator()(const char*, uint32_t& v) {
    v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{in[pos++]} << (8 * i);
  }
  template <ByteEnum E>
  void operator()(const char*, E& v) {
    v = static_cast<E>(in[pos++]);
  }
  void operator()(const char*, Str16& s) {
    s = Str16::from_wire(in.subspan(pos).first<Str16::kCapacity>());
    pos += Str16::kCapacity;
  }
  void operator()(const char*, Board& b) {
    b = Board::decode(in.subspan(pos).first<Board::kWireSize>());
    pos += Board::kWireSize;
  }
  void operator()(const char*, Path& p) {
    p = Path::decode(in.subspan(pos).first<Path::kWireSize>());
    pos += Path::kWireSize;
  }
  void operator()(const char* n, ChatText& t) {
    uint16_t len = 0;
    (*this)(n, len);
    const size_t take = std::min<size_t>({len, in.size() - pos, ChatText::kCapacity});
    t = ChatText(std::string_view(reinterpret_cast<const char*>(in.data() + pos), take));
    pos += take;
  }
};

template <class T>
size_t encode_fields(const T& m, std::span<uint8_t> out) noexcept {
  FieldSize size;
  T::fields(m, size);
  if (out.size() < size.total) return 0;
  out[0] = static_cast<uint8_t>(T::kType);
  FieldWriter w{out};
  T::fields(m, w);
  return w.ok ? w.pos : 0;
}

template <class T>
T decode_fields(std::span<const uint8_t> in) noexcept {
  T m;
  FieldReader r{in};
  T::fields(m, r);
  return m;
}

}  // namespace

#define CHECKERS_PROTO_V2_DEFINE(T)                                                             \
  size_t T::encode(std::span<uint8_t> out) const noexcept { return encode_fields(*this, out); } \
  T T::decode(std::span<const uint8_t> in) noexcept { return decode_fields<T>(in); }

CHECKERS_PROTO_V2_DEFINE(Welcome)
CHECKERS_PROTO_V2_DEFINE(LeaveQueue)
CHECKERS_PROTO_V2_DEFINE(GameStart2)
CHECKERS_PROTO_V2_DEFINE(YourTurn2)
CHECKERS_PROTO_V2_DEFINE(MakeMove2)
CHECKERS_PROTO_V2_DEFINE(MoveMade)
CHECKERS_PROTO_V2_DEFINE(InvalidMove2)
CHECKERS_PROTO_V2_DEFINE(GameOver2)
CHECKERS_PROTO_V2_DEFINE(Resign)
CHECKERS_PROTO_V2_DEFINE(OfferDraw)
CHECKERS_PROTO_V2_DEFINE(DrawOffered)
CHECKERS_PROTO_V2_DEFINE(AnswerDraw)
CHECKERS_PROTO_V2_DEFINE(DrawDeclined)
CHECKERS_PROTO_V2_DEFINE(Chat)
CHECKERS_PROTO_V2_DEFINE(ChatFrom)
CHECKERS_PROTO_V2_DEFINE(ChatRefused)
CHECKERS_PROTO_V2_DEFINE(Who)
CHECKERS_PROTO_V2_DEFINE(PlayerEntry)
CHECKERS_PROTO_V2_DEFINE(Challenge)
CHECKERS_PROTO_V2_DEFINE(ChallengeReceived)
CHECKERS_PROTO_V2_DEFINE(AnswerChallenge)
CHECKERS_PROTO_V2_DEFINE(ChallengeResult)
CHECKERS_PROTO_V2_DEFINE(Rematch)
CHECKERS_PROTO_V2_DEFINE(ListGames)
CHECKERS_PROTO_V2_DEFINE(GameEntry)
CHECKERS_PROTO_V2_DEFINE(Watch)
CHECKERS_PROTO_V2_DEFINE(WatchStart)
CHECKERS_PROTO_V2_DEFINE(WatchRefused)
CHECKERS_PROTO_V2_DEFINE(Unwatch)
CHECKERS_PROTO_V2_DEFINE(WatcherCount)
CHECKERS_PROTO_V2_DEFINE(FetchGames)
CHECKERS_PROTO_V2_DEFINE(RecordEntry)
CHECKERS_PROTO_V2_DEFINE(RecordMove)
#undef CHECKERS_PROTO_V2_DEFINE

// Every fixed v2 size in msg_type.hpp agrees with the field lists.
namespace {
template <class T>
constexpr bool size_matches() {
  if constexpr (VariableSizeMessage<T>)
    return true;
  else
    return detail::kSizes[static_cast<size_t>(T::kType) - kFirstMsgType] == T::kSize;
}
template <size_t... I>
constexpr bool all_sizes_match(std::index_sequence<I...>) {
  return (size_matches<std::variant_alternative_t<I, Message>>() && ...);
}
static_assert(all_sizes_match(std::make_index_sequence<std::variant_size_v<Message>>{}));
}  // namespace

}  // namespace checkers::proto
