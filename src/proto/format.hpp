// fmt formatters for the protocol types, used by --verbose logging on both sides:
//   Move     (3,5)->(2,4)
//   Board    x.x.x.x./.x.x.x.x/x.x.x.x./......../......../.o.o.o.o/o.o.o.o./.o.o.o.o
//   messages YourTurn{last_move=first-turn, board=...}, Connect{version=1,
//            username="cam", password=<3 bytes>} (passwords are never logged)
//   v2       MoveMade{ply=3, mover=Primary, forced=0, path=(2,5)x(4,3), board=..., ...}
//            (clocks in ms, kNoClock as "none"; chat text quoted like strings)
// plus the enums (MsgType, LoginFailure, State, Direction, Verdict, Role) by name.
// Only the empty format spec "{}" is accepted.
#pragma once

#include <fmt/format.h>

#include <string_view>
#include <type_traits>
#include <variant>

#include "proto/dfa.hpp"
#include "proto/messages.hpp"
#include "proto/types.hpp"

namespace checkers::proto::fmt_detail {

struct NoSpec {
  constexpr auto parse(fmt::format_parse_context& ctx) {
    if (ctx.begin() != ctx.end() && *ctx.begin() != '}')
      throw fmt::format_error("invalid format spec");
    return ctx.begin();
  }
};

// A Str16 as a quoted string, bytes outside printable ASCII as \xNN.
template <class Out>
Out write_quoted(Out out, std::string_view s) {
  *out++ = '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\')
      out = fmt::format_to(out, "\\x{:02x}", u);
    else
      *out++ = c;
  }
  *out++ = '"';
  return out;
}

template <class Out>
Out write_board(Out out, const Board& b) {
  for (int y = 0; y < 8; ++y) {
    if (y != 0) *out++ = '/';
    for (int x = 0; x < 8; ++x) *out++ = code_char(b.at(x, y));
  }
  return out;
}

template <class Out>
Out write_move(Out out, const Move& m) {
  return fmt::format_to(out, "({},{})->({},{})", m.x, m.y, m.to_x(), m.to_y());
}

template <class Out>
Out write_last_move(Out out, const Move& m) {
  if (m == kFirstTurnSentinel) return fmt::format_to(out, "first-turn");
  return write_move(out, m);
}

template <class Out>
Out write_reason(Out out, LoginFailure r) {
  const std::string_view name = name_of(r);
  if (name == "Unknown") return fmt::format_to(out, "Unknown({})", static_cast<unsigned>(r));
  return fmt::format_to(out, "{}", name);
}

template <class Out>
struct MessageWriter {
  Out out;
  Out operator()(const Connect& m) {
    out = fmt::format_to(out, "Connect{{version={}, username=", m.version);
    out = write_quoted(out, m.username.view());
    return fmt::format_to(out, ", password=<{} bytes>}}", m.password.size());
  }
  Out operator()(const InvalidLogin& m) {
    out = fmt::format_to(out, "InvalidLogin{{reason=");
    out = write_reason(out, m.reason);
    return fmt::format_to(out, "}}");
  }
  Out operator()(const InvalidVersion& m) {
    return fmt::format_to(out, "InvalidVersion{{highest={}, lowest={}}}", m.highest, m.lowest);
  }
  Out operator()(const QueuePosition& m) {
    return fmt::format_to(out, "QueuePosition{{queue_size={}, queue_pos={}, rating={}}}",
                          m.queue_size, m.queue_pos, m.rating);
  }
  Out operator()(const GameStart& m) {
    out = fmt::format_to(out, "GameStart{{opponent_name=");
    out = write_quoted(out, m.opponent_name.view());
    return fmt::format_to(out, ", opponent_rating={}}}", m.opponent_rating);
  }
  Out operator()(const YourTurn& m) {
    out = fmt::format_to(out, "YourTurn{{last_move=");
    out = write_last_move(out, m.last_move);
    return board_tail(m.board);
  }
  Out operator()(const MakeMove& m) {
    out = fmt::format_to(out, "MakeMove{{move=");
    out = write_move(out, m.move);
    return fmt::format_to(out, "}}");
  }
  Out operator()(const CompulsoryMove& m) {
    return move_and_board("CompulsoryMove", m.move, m.board);
  }
  Out operator()(const InvalidMove& m) { return move_and_board("InvalidMove", m.move, m.board); }
  Out operator()(const OpponentDisconnect&) {
    return fmt::format_to(out, "OpponentDisconnect{{}}");
  }
  Out operator()(const GameOver& m) {
    out = fmt::format_to(out, "GameOver{{you_won={}, new_rating={}, old_rating={}, winning_move=",
                         m.you_won, m.new_rating, m.old_rating);
    out = write_move(out, m.winning_move);
    return board_tail(m.board);
  }
  Out operator()(const ReQueue&) { return fmt::format_to(out, "ReQueue{{}}"); }
  Out operator()(const LogOut&) { return fmt::format_to(out, "LogOut{{}}"); }
  // Every v2 message, from its field list: Name{field=value, ...}.
  template <HasFieldList T>
  Out operator()(const T& m) {
    out = fmt::format_to(out, "{}{{", name_of(T::kType));
    bool first = true;
    T::fields(m, [&](const char* name, const auto& value) {
      out = fmt::format_to(out, "{}{}=", first ? "" : ", ", name);
      first = false;
      out = write_field(value);
    });
    return fmt::format_to(out, "}}");
  }

 private:
  Out write_field(uint8_t v) { return fmt::format_to(out, "{}", v); }
  Out write_field(uint16_t v) { return fmt::format_to(out, "{}", v); }
  Out write_field(uint32_t v) {
    return v == kNoClock ? fmt::format_to(out, "none") : fmt::format_to(out, "{}", v);
  }
  template <class E>
  requires std::is_enum_v<E> Out write_field(E v) {
    const std::string_view name = name_of(v);
    if (name == "Unknown") return fmt::format_to(out, "Unknown({})", static_cast<unsigned>(v));
    return fmt::format_to(out, "{}", name);
  }
  Out write_field(const Str16& s) {
    if (s.overlong()) return fmt::format_to(out, "<overlong>");
    return write_quoted(out, s.view());
  }
  Out write_field(const Board& b) { return write_board(out, b); }
  Out write_field(const Path& p) { return fmt::format_to(out, "{}", p.to_string()); }
  Out write_field(const ChatText& t) { return write_quoted(out, t.view()); }

  Out move_and_board(std::string_view name, const Move& mv, const Board& b) {
    out = fmt::format_to(out, "{}{{move=", name);
    out = write_move(out, mv);
    return board_tail(b);
  }
  Out board_tail(const Board& b) {
    out = fmt::format_to(out, ", board=");
    out = write_board(out, b);
    return fmt::format_to(out, "}}");
  }
};

template <class T>
struct MessageFormatter : NoSpec {
  template <class Ctx>
  auto format(const T& m, Ctx& ctx) const {
    return MessageWriter<decltype(ctx.out())>{ctx.out()}(m);
  }
};

template <class E>
struct NamedEnumFormatter : NoSpec {
  template <class Ctx>
  auto format(E e, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), "{}", name_of(e));
  }
};

}  // namespace checkers::proto::fmt_detail

template <>
struct fmt::formatter<checkers::proto::Move> : checkers::proto::fmt_detail::NoSpec {
  template <class Ctx>
  auto format(const checkers::proto::Move& m, Ctx& ctx) const {
    return checkers::proto::fmt_detail::write_move(ctx.out(), m);
  }
};

template <>
struct fmt::formatter<checkers::proto::Board> : checkers::proto::fmt_detail::NoSpec {
  template <class Ctx>
  auto format(const checkers::proto::Board& b, Ctx& ctx) const {
    return checkers::proto::fmt_detail::write_board(ctx.out(), b);
  }
};

template <>
struct fmt::formatter<checkers::proto::Str16> : checkers::proto::fmt_detail::NoSpec {
  template <class Ctx>
  auto format(const checkers::proto::Str16& s, Ctx& ctx) const {
    if (s.overlong()) return fmt::format_to(ctx.out(), "<overlong>");
    return checkers::proto::fmt_detail::write_quoted(ctx.out(), s.view());
  }
};

template <>
struct fmt::formatter<checkers::proto::Message> : checkers::proto::fmt_detail::NoSpec {
  template <class Ctx>
  auto format(const checkers::proto::Message& m, Ctx& ctx) const {
    return std::visit(checkers::proto::fmt_detail::MessageWriter<decltype(ctx.out())>{ctx.out()},
                      m);
  }
};

template <>
struct fmt::formatter<checkers::proto::LoginFailure> : checkers::proto::fmt_detail::NoSpec {
  template <class Ctx>
  auto format(checkers::proto::LoginFailure r, Ctx& ctx) const {
    return checkers::proto::fmt_detail::write_reason(ctx.out(), r);
  }
};

#define CHECKERS_PROTO_FORMATTER(T, Base)   \
  template <>                               \
  struct fmt::formatter<checkers::proto::T> \
      : checkers::proto::fmt_detail::Base<checkers::proto::T> {};

CHECKERS_PROTO_FORMATTER(Connect, MessageFormatter)
CHECKERS_PROTO_FORMATTER(InvalidLogin, MessageFormatter)
CHECKERS_PROTO_FORMATTER(InvalidVersion, MessageFormatter)
CHECKERS_PROTO_FORMATTER(QueuePosition, MessageFormatter)
CHECKERS_PROTO_FORMATTER(GameStart, MessageFormatter)
CHECKERS_PROTO_FORMATTER(YourTurn, MessageFormatter)
CHECKERS_PROTO_FORMATTER(MakeMove, MessageFormatter)
CHECKERS_PROTO_FORMATTER(CompulsoryMove, MessageFormatter)
CHECKERS_PROTO_FORMATTER(InvalidMove, MessageFormatter)
CHECKERS_PROTO_FORMATTER(OpponentDisconnect, MessageFormatter)
CHECKERS_PROTO_FORMATTER(GameOver, MessageFormatter)
CHECKERS_PROTO_FORMATTER(ReQueue, MessageFormatter)
CHECKERS_PROTO_FORMATTER(LogOut, MessageFormatter)
CHECKERS_PROTO_FORMATTER(MsgType, NamedEnumFormatter)
CHECKERS_PROTO_FORMATTER(State, NamedEnumFormatter)
CHECKERS_PROTO_FORMATTER(Direction, NamedEnumFormatter)
CHECKERS_PROTO_FORMATTER(Verdict, NamedEnumFormatter)
CHECKERS_PROTO_FORMATTER(Role, NamedEnumFormatter)

#undef CHECKERS_PROTO_FORMATTER

// Each v2 message struct on its own.
template <checkers::proto::HasFieldList T>
struct fmt::formatter<T> : checkers::proto::fmt_detail::MessageFormatter<T> {};
