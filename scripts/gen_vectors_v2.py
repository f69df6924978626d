#!/usr/bin/env python3
"""Writes tests/data/vectors-v2.json: golden vectors for protocol v2.

An encoder written from docs/PROTOCOL-v2.md alone (independent of src/proto), so
the C++ codec is checked against the specification rather than against itself.
Run: python3 scripts/gen_vectors_v2.py > tests/data/vectors-v2.json
"""
import json
import struct
import sys

START_PRIMARY = [
    "x.x.x.x.", ".x.x.x.x", "x.x.x.x.", "........",
    "........", ".o.o.o.o", "o.o.o.o.", ".o.o.o.o",
]
MIDGAME = [
    "........", "...x.x..", "..x.....", ".o.X....",
    "........", ".....O..", "o.......", "........",
]
CODES = {".": 0, "o": 5, "O": 7, "x": 4, "X": 6}


def board(rows):
    v = 0
    for y, row in enumerate(rows):
        for x, ch in enumerate(row):
            v |= CODES[ch] << (3 * (8 * x + y))
    return v.to_bytes(24, "big")


def path(squares=None, count=None, raw=None):
    if raw is not None:
        return bytes([count]) + bytes.fromhex(raw)
    b = bytes([len(squares)]) + bytes(8 * x + y for x, y in squares)
    return b + bytes(14 - len(b))


def u8(v): return struct.pack("<B", v)
def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<I", v)


def str16(s):
    b = s.encode()
    assert len(b) <= 16
    return b + bytes(16 - len(b))


def text(s):
    b = s.encode() if isinstance(s, str) else s
    return u16(len(b)) + b


# (field name, encoder) in wire order, per docs/PROTOCOL-v2.md §4.
LAYOUTS = {
    "Welcome": (0x0E, [("version", u8), ("rating", u32), ("base", u32), ("increment", u32),
                       ("chat_max", u16), ("flags", u8)]),
    "LeaveQueue": (0x0F, []),
    "GameStart2": (0x10, [("game_id", u32), ("colour", u8), ("opponent_name", str16),
                          ("opponent_rating", u32), ("own_rating", u32),
                          ("opponent_version", u8), ("clock_kind", u8), ("base", u32),
                          ("increment", u32)]),
    "YourTurn2": (0x11, [("ply", u16), ("board", board), ("primary_clock", u32),
                         ("secondary_clock", u32)]),
    "MakeMove2": (0x12, [("path", None)]),
    "MoveMade": (0x13, [("ply", u16), ("mover", u8), ("forced", u8), ("path", None),
                        ("board", board), ("primary_clock", u32), ("secondary_clock", u32)]),
    "InvalidMove2": (0x14, [("path", None), ("reason", u8), ("board", board)]),
    "GameOver2": (0x15, [("game_id", u32), ("winner", u8), ("reason", u8), ("plies", u16),
                         ("primary_old", u32), ("primary_new", u32), ("secondary_old", u32),
                         ("secondary_new", u32), ("primary_clock", u32),
                         ("secondary_clock", u32), ("board", board)]),
    "Resign": (0x16, []),
    "OfferDraw": (0x17, []),
    "DrawOffered": (0x18, []),
    "AnswerDraw": (0x19, [("accept", u8)]),
    "DrawDeclined": (0x1A, [("reason", u8)]),
    "Chat": (0x1B, [("text", text)]),
    "ChatFrom": (0x1C, [("from", str16), ("text", text)]),
    "ChatRefused": (0x1D, [("reason", u8)]),
    "Who": (0x1E, []),
    "PlayerEntry": (0x1F, [("index", u16), ("count", u16), ("total", u16), ("name", str16),
                           ("rating", u32), ("status", u8), ("version", u8)]),
    "Challenge": (0x20, [("name", str16)]),
    "ChallengeReceived": (0x21, [("from", str16), ("rating", u32), ("kind", u8),
                                 ("timeout", u16)]),
    "AnswerChallenge": (0x22, [("from", str16), ("accept", u8)]),
    "ChallengeResult": (0x23, [("name", str16), ("result", u8)]),
    "Rematch": (0x24, []),
    "ListGames": (0x25, []),
    "GameEntry": (0x26, [("index", u16), ("count", u16), ("total", u16), ("game_id", u32),
                         ("primary_name", str16), ("primary_rating", u32),
                         ("secondary_name", str16), ("secondary_rating", u32), ("ply", u16),
                         ("primary_clock", u32), ("secondary_clock", u32),
                         ("watchers", u16)]),
    "Watch": (0x27, [("game_id", u32)]),
    "WatchStart": (0x28, [("game_id", u32), ("primary_name", str16), ("primary_rating", u32),
                          ("secondary_name", str16), ("secondary_rating", u32),
                          ("clock_kind", u8), ("base", u32), ("increment", u32),
                          ("ply", u16), ("to_move", u8), ("board", board),
                          ("primary_clock", u32), ("secondary_clock", u32),
                          ("watchers", u16)]),
    "WatchRefused": (0x29, [("game_id", u32), ("reason", u8)]),
    "Unwatch": (0x2A, []),
    "WatcherCount": (0x2B, [("watchers", u16)]),
    "FetchGames": (0x2C, [("max", u8)]),
    "RecordEntry": (0x2D, [("index", u16), ("count", u16), ("record_id", u32),
                           ("ended_at", u32), ("colour", u8), ("opponent_name", str16),
                           ("winner", u8), ("reason", u8), ("plies", u16), ("own_old", u32),
                           ("own_new", u32), ("opponent_old", u32), ("opponent_new", u32),
                           ("clock_kind", u8), ("base", u32), ("increment", u32)]),
    "RecordMove": (0x2E, [("record_id", u32), ("ply", u16), ("path", None)]),
}


def encode(fields):
    type_byte, layout = LAYOUTS[fields["type"]]
    out = bytes([type_byte])
    for name, enc in layout:
        v = fields[name]
        out += path(**v) if enc is None else enc(v)
    return out


JUMP2 = {"squares": [[2, 5], [4, 3], [6, 1]]}
STEP = {"squares": [[3, 5], [2, 4]]}
LONGEST = {"squares": [[1, 0], [3, 2], [5, 4], [7, 6], [5, 4], [3, 2], [1, 4], [3, 6],
                       [5, 4], [7, 2], [5, 0], [3, 2], [1, 0]]}
NOCLOCK = 0xFFFFFFFF

MESSAGES = [
    ("welcome_default_control", {"type": "Welcome", "version": 2, "rating": 1500,
                                 "base": 300000, "increment": 3000, "chat_max": 200,
                                 "flags": 1}),
    ("welcome_chat_off", {"type": "Welcome", "version": 2, "rating": 1200, "base": 600000,
                          "increment": 5000, "chat_max": 0, "flags": 0}),
    ("leave_queue", {"type": "LeaveQueue"}),
    ("game_start2_primary_fischer", {"type": "GameStart2", "game_id": 7, "colour": 0,
                                     "opponent_name": "jen", "opponent_rating": 1190,
                                     "own_rating": 1200, "opponent_version": 2,
                                     "clock_kind": 0, "base": 300000, "increment": 3000}),
    ("game_start2_mixed_per_move", {"type": "GameStart2", "game_id": 65536, "colour": 1,
                                    "opponent_name": "sixteencharsname",
                                    "opponent_rating": 2000, "own_rating": 987,
                                    "opponent_version": 1, "clock_kind": 1, "base": 120000,
                                    "increment": 0}),
    ("your_turn2_first", {"type": "YourTurn2", "ply": 0, "board": START_PRIMARY,
                          "primary_clock": 300000, "secondary_clock": 300000}),
    ("your_turn2_midgame", {"type": "YourTurn2", "ply": 513, "board": MIDGAME,
                            "primary_clock": 1234, "secondary_clock": 98765}),
    ("make_move2_step", {"type": "MakeMove2", "path": STEP}),
    ("make_move2_double_jump", {"type": "MakeMove2", "path": JUMP2}),
    ("make_move2_longest_path", {"type": "MakeMove2", "path": LONGEST}),
    ("make_move2_raw_count_255", {"type": "MakeMove2",
                                  "path": {"count": 255, "raw": "ff" * 13}}),
    ("move_made_forced_jump", {"type": "MoveMade", "ply": 12, "mover": 1, "forced": 1,
                               "path": JUMP2, "board": MIDGAME, "primary_clock": 250000,
                               "secondary_clock": 301000}),
    ("move_made_per_move_clock", {"type": "MoveMade", "ply": 1, "mover": 0, "forced": 0,
                                  "path": STEP, "board": START_PRIMARY,
                                  "primary_clock": 120000, "secondary_clock": 120000}),
    ("invalid_move2_capture_compulsory", {"type": "InvalidMove2", "path": STEP, "reason": 1,
                                          "board": MIDGAME}),
    ("invalid_move2_malformed", {"type": "InvalidMove2",
                                 "path": {"squares": [[7, 7]]},
                                 "reason": 3, "board": START_PRIMARY}),
    ("game_over2_primary_wins_time", {"type": "GameOver2", "game_id": 7, "winner": 0,
                                      "reason": 3, "plies": 41, "primary_old": 1200,
                                      "primary_new": 1216, "secondary_old": 1190,
                                      "secondary_new": 1174, "primary_clock": 5000,
                                      "secondary_clock": 0, "board": MIDGAME}),
    ("game_over2_draw_agreed", {"type": "GameOver2", "game_id": 8, "winner": 2, "reason": 5,
                                "plies": 30, "primary_old": 1500, "primary_new": 1499,
                                "secondary_old": 1480, "secondary_new": 1481,
                                "primary_clock": 100, "secondary_clock": 200,
                                "board": MIDGAME}),
    ("game_over2_shutdown_no_result", {"type": "GameOver2", "game_id": 9, "winner": 3,
                                       "reason": 8, "plies": 0, "primary_old": 1500,
                                       "primary_new": 1500, "secondary_old": 1400,
                                       "secondary_new": 1400, "primary_clock": NOCLOCK,
                                       "secondary_clock": NOCLOCK, "board": START_PRIMARY}),
    ("resign", {"type": "Resign"}),
    ("offer_draw", {"type": "OfferDraw"}),
    ("draw_offered", {"type": "DrawOffered"}),
    ("answer_draw_accept", {"type": "AnswerDraw", "accept": 1}),
    ("answer_draw_decline", {"type": "AnswerDraw", "accept": 0}),
    ("draw_declined_already_offered", {"type": "DrawDeclined", "reason": 2}),
    ("chat_ascii", {"type": "Chat", "text": "gg"}),
    ("chat_utf8", {"type": "Chat", "text": "D\u00e9j\u00e0 vu \u2014 \u738b \U0001F600"}),
    ("chat_200_bytes", {"type": "Chat", "text": "abcdefghij" * 20}),
    ("chat_from", {"type": "ChatFrom", "from": "jen", "text": "good luck!"}),
    ("chat_from_16char_name_200_bytes", {"type": "ChatFrom", "from": "sixteencharsname",
                                         "text": "\u00e9" * 100}),
    ("chat_refused_rate", {"type": "ChatRefused", "reason": 0}),
    ("who", {"type": "Who"}),
    ("player_entry", {"type": "PlayerEntry", "index": 2, "count": 3, "total": 3,
                      "name": "cam", "rating": 1200, "status": 2, "version": 2}),
    ("player_entry_empty", {"type": "PlayerEntry", "index": 0, "count": 0, "total": 0,
                            "name": "", "rating": 0, "status": 0, "version": 0}),
    ("challenge", {"type": "Challenge", "name": "jen"}),
    ("challenge_received_rematch", {"type": "ChallengeReceived", "from": "jen",
                                    "rating": 1190, "kind": 1, "timeout": 30}),
    ("answer_challenge_accept", {"type": "AnswerChallenge", "from": "cam", "accept": 1}),
    ("challenge_result_timed_out", {"type": "ChallengeResult", "name": "jen", "result": 1}),
    ("rematch", {"type": "Rematch"}),
    ("list_games", {"type": "ListGames"}),
    ("game_entry", {"type": "GameEntry", "index": 1, "count": 1, "total": 1, "game_id": 7,
                    "primary_name": "cam", "primary_rating": 1200, "secondary_name": "jen",
                    "secondary_rating": 1190, "ply": 12, "primary_clock": 250000,
                    "secondary_clock": 301000, "watchers": 10}),
    ("watch", {"type": "Watch", "game_id": 7}),
    ("watch_start", {"type": "WatchStart", "game_id": 7, "primary_name": "cam",
                     "primary_rating": 1200, "secondary_name": "jen",
                     "secondary_rating": 1190, "clock_kind": 0, "base": 300000,
                     "increment": 3000, "ply": 12, "to_move": 0, "board": MIDGAME,
                     "primary_clock": 250000, "secondary_clock": 301000, "watchers": 1}),
    ("watch_refused_no_such_game", {"type": "WatchRefused", "game_id": 99, "reason": 0}),
    ("unwatch", {"type": "Unwatch"}),
    ("watcher_count", {"type": "WatcherCount", "watchers": 300}),
    ("fetch_games", {"type": "FetchGames", "max": 20}),
    ("record_entry", {"type": "RecordEntry", "index": 1, "count": 2, "record_id": 4242,
                      "ended_at": 1795000000, "colour": 1, "opponent_name": "jen",
                      "winner": 1, "reason": 2, "plies": 2, "own_old": 1200, "own_new": 1212,
                      "opponent_old": 1190, "opponent_new": 1178, "clock_kind": 0,
                      "base": 300000, "increment": 3000}),
    ("record_entry_none", {"type": "RecordEntry", "index": 0, "count": 0, "record_id": 0,
                           "ended_at": 0, "colour": 0, "opponent_name": "", "winner": 0,
                           "reason": 0, "plies": 0, "own_old": 0, "own_new": 0,
                           "opponent_old": 0, "opponent_new": 0, "clock_kind": 0,
                           "base": 0, "increment": 0}),
    ("record_move", {"type": "RecordMove", "record_id": 4242, "ply": 2, "path": JUMP2}),
]

# Bytes a v2 receiver must refuse (the connection is closed): docs/PROTOCOL-v2.md §1, §2.5.
MALFORMED = [
    ("chat_length_zero", bytes([0x1B]) + u16(0)),
    ("chat_length_201", bytes([0x1B]) + u16(201) + b"a" * 201),
    ("chat_length_65535", bytes([0x1B]) + u16(65535)),
    ("chat_from_length_201", bytes([0x1C]) + str16("jen") + u16(201) + b"a" * 201),
    ("chat_bad_continuation", bytes([0x1B]) + text(b"a\xc3(")),
    ("chat_overlong_slash", bytes([0x1B]) + text(b"\xc0\xaf")),
    ("chat_overlong_3byte", bytes([0x1B]) + text(b"\xe0\x80\xaf")),
    ("chat_surrogate", bytes([0x1B]) + text(b"\xed\xa0\x80")),
    ("chat_above_10ffff", bytes([0x1B]) + text(b"\xf4\x90\x80\x80")),
    ("chat_truncated_sequence", bytes([0x1B]) + text(b"ok\xe2\x82")),
    ("chat_nul", bytes([0x1B]) + text(b"a\x00b")),
    ("chat_newline", bytes([0x1B]) + text(b"a\nb")),
    ("chat_escape", bytes([0x1B]) + text(b"\x1b[2J")),
    ("chat_del", bytes([0x1B]) + text(b"\x7f")),
    ("chat_from_bad_utf8", bytes([0x1C]) + str16("jen") + text(b"\xff")),
    ("type_0x2f", bytes([0x2F])),
    ("type_0xff", bytes([0xFF])),
]


def main():
    cases = []
    for name, fields in MESSAGES:
        cases.append({"name": name, "kind": "message", "fields": fields,
                      "hex": encode(fields).hex()})
    for name, raw in MALFORMED:
        cases.append({"name": name, "kind": "malformed", "hex": raw.hex()})
    doc = {
        "protocol_version": 2,
        "notes": "docs/PROTOCOL-v2.md §12. Message fields use the names of §4 plus 'type'. "
                 "Boards are 8 strings board[y][x] from the receiver's view as in "
                 "vectors-v1.json. A Path is {squares: [[x, y], ...]} or, when it is not a "
                 "list of on-board squares with zero padding, {count, raw: 13 bytes hex}. "
                 "Text fields are JSON strings (UTF-8 on the wire). Clocks are ms; "
                 "4294967295 = no clock. Enumerations are integers. 'malformed' cases are "
                 "complete inputs a version-2 receiver must refuse (fatal).",
        "generator": "scripts/gen_vectors_v2.py, an encoder written from docs/PROTOCOL-v2.md "
                     "independently of src/proto",
        "cases": cases,
    }
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
