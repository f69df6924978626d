-- Wireshark / tshark dissector for the Checkers Protocol v1 (docs/PROTOCOL.md,
-- PROTOCOL-v1.md) and v2 (docs/PROTOCOL-v2.md), and the project's LAN discovery
-- datagrams (docs/DISCOVERY.md). The version of a TCP connection is that of its
-- last Connect (v1 until one is seen, and again after an InvalidVersion): types
-- 0x0E-0x2E are v2 messages on a v2 connection and undefined on a v1 one.
--
--   tshark -X lua_script:contrib/wireshark/checkers.lua -r capture.pcapng
--   tshark ... -d tcp.port==40000,checkers        (a server on another port)
--
-- or copy this file to ~/.local/lib/wireshark/plugins/ (docs/WIRESHARK.md).
--
-- The game protocol has no length field: the type byte fixes the size, so the
-- TCP dissector below walks a segment message by message and asks TCP for the
-- rest of a message cut across segments (desegment_offset/desegment_len).
-- Coordinates are shown as the project writes them: a Move is (x,y)->(x+dx,y+dy),
-- a Board is 8 rows y = 0..7 (top to bottom), x = 0..7 left to right, from the
-- receiving player's view: . empty, o own man, O own king, x opponent man,
-- X opponent king.

local DEFAULT_PORT = 8864

---------------------------------------------------------------------------
-- Game protocol (TCP)
---------------------------------------------------------------------------

local checkers = Proto("checkers", "Checkers Protocol")

-- Type byte -> name and total size (type byte included), PROTOCOL-v1.md §5.
local MSG = {
  [0x01] = { name = "Connect", size = 34, dir = "c2s" },
  [0x02] = { name = "InvalidLogin", size = 2, dir = "s2c" },
  [0x03] = { name = "QueuePosition", size = 13, dir = "s2c" },
  [0x04] = { name = "GameStart", size = 21, dir = "s2c" },
  [0x05] = { name = "YourTurn", size = 26, dir = "s2c" },
  [0x06] = { name = "MakeMove", size = 2, dir = "c2s" },
  [0x07] = { name = "CompulsoryMove", size = 26, dir = "s2c" },
  [0x08] = { name = "InvalidMove", size = 26, dir = "s2c" },
  [0x09] = { name = "OpponentDisconnect", size = 1, dir = "s2c" },
  [0x0A] = { name = "GameOver", size = 35, dir = "s2c" },
  [0x0B] = { name = "ReQueue", size = 1, dir = "c2s" },
  [0x0C] = { name = "LogOut", size = 1, dir = "c2s" },
  [0x0D] = { name = "InvalidVersion", size = 3, dir = "s2c" },
}

-- Version 2 (PROTOCOL-v2.md §4): field layouts in wire order. Kinds: u8, u16, u32,
-- ms (u32 milliseconds, 0xFFFFFFFF = no clock), str16, board, path (14 bytes), text
-- (u16 length + UTF-8; the two chat messages have a variable size).
local V2 = {
  [0x0E] = { "Welcome", "s2c", { {"version", "u8"}, {"rating", "u32"}, {"base", "ms"}, {"increment", "ms"}, {"chat_max", "u16"}, {"flags", "u8"} } },
  [0x0F] = { "LeaveQueue", "c2s", {} },
  [0x10] = { "GameStart2", "s2c", { {"game_id", "u32"}, {"colour", "u8"}, {"opponent_name", "str16"}, {"opponent_rating", "u32"}, {"own_rating", "u32"}, {"opponent_version", "u8"}, {"clock_kind", "u8"}, {"base", "ms"}, {"increment", "ms"} } },
  [0x11] = { "YourTurn2", "s2c", { {"ply", "u16"}, {"board", "board"}, {"primary_clock", "ms"}, {"secondary_clock", "ms"} } },
  [0x12] = { "MakeMove2", "c2s", { {"path", "path"} } },
  [0x13] = { "MoveMade", "s2c", { {"ply", "u16"}, {"mover", "u8"}, {"forced", "u8"}, {"path", "path"}, {"board", "board"}, {"primary_clock", "ms"}, {"secondary_clock", "ms"} } },
  [0x14] = { "InvalidMove2", "s2c", { {"path", "path"}, {"reason", "u8"}, {"board", "board"} } },
  [0x15] = { "GameOver2", "s2c", { {"game_id", "u32"}, {"winner", "u8"}, {"reason", "u8"}, {"plies", "u16"}, {"primary_old", "u32"}, {"primary_new", "u32"}, {"secondary_old", "u32"}, {"secondary_new", "u32"}, {"primary_clock", "ms"}, {"secondary_clock", "ms"}, {"board", "board"} } },
  [0x16] = { "Resign", "c2s", {} },
  [0x17] = { "OfferDraw", "c2s", {} },
  [0x18] = { "DrawOffered", "s2c", {} },
  [0x19] = { "AnswerDraw", "c2s", { {"accept", "u8"} } },
  [0x1A] = { "DrawDeclined", "s2c", { {"reason", "u8"} } },
  [0x1B] = { "Chat", "c2s", { {"text", "text"} } },
  [0x1C] = { "ChatFrom", "s2c", { {"from", "str16"}, {"text", "text"} } },
  [0x1D] = { "ChatRefused", "s2c", { {"reason", "u8"} } },
  [0x1E] = { "Who", "c2s", {} },
  [0x1F] = { "PlayerEntry", "s2c", { {"index", "u16"}, {"count", "u16"}, {"total", "u16"}, {"name", "str16"}, {"rating", "u32"}, {"status", "u8"}, {"version", "u8"} } },
  [0x20] = { "Challenge", "c2s", { {"name", "str16"} } },
  [0x21] = { "ChallengeReceived", "s2c", { {"from", "str16"}, {"rating", "u32"}, {"kind", "u8"}, {"timeout", "u16"} } },
  [0x22] = { "AnswerChallenge", "c2s", { {"from", "str16"}, {"accept", "u8"} } },
  [0x23] = { "ChallengeResult", "s2c", { {"name", "str16"}, {"result", "u8"} } },
  [0x24] = { "Rematch", "c2s", {} },
  [0x25] = { "ListGames", "c2s", {} },
  [0x26] = { "GameEntry", "s2c", { {"index", "u16"}, {"count", "u16"}, {"total", "u16"}, {"game_id", "u32"}, {"primary_name", "str16"}, {"primary_rating", "u32"}, {"secondary_name", "str16"}, {"secondary_rating", "u32"}, {"ply", "u16"}, {"primary_clock", "ms"}, {"secondary_clock", "ms"}, {"watchers", "u16"} } },
  [0x27] = { "Watch", "c2s", { {"game_id", "u32"} } },
  [0x28] = { "WatchStart", "s2c", { {"game_id", "u32"}, {"primary_name", "str16"}, {"primary_rating", "u32"}, {"secondary_name", "str16"}, {"secondary_rating", "u32"}, {"clock_kind", "u8"}, {"base", "ms"}, {"increment", "ms"}, {"ply", "u16"}, {"to_move", "u8"}, {"board", "board"}, {"primary_clock", "ms"}, {"secondary_clock", "ms"}, {"watchers", "u16"} } },
  [0x29] = { "WatchRefused", "s2c", { {"game_id", "u32"}, {"reason", "u8"} } },
  [0x2A] = { "Unwatch", "c2s", {} },
  [0x2B] = { "WatcherCount", "s2c", { {"watchers", "u16"} } },
  [0x2C] = { "FetchGames", "c2s", { {"max", "u8"} } },
  [0x2D] = { "RecordEntry", "s2c", { {"index", "u16"}, {"count", "u16"}, {"record_id", "u32"}, {"ended_at", "u32"}, {"colour", "u8"}, {"opponent_name", "str16"}, {"winner", "u8"}, {"reason", "u8"}, {"plies", "u16"}, {"own_old", "u32"}, {"own_new", "u32"}, {"opponent_old", "u32"}, {"opponent_new", "u32"}, {"clock_kind", "u8"}, {"base", "ms"}, {"increment", "ms"} } },
  [0x2E] = { "RecordMove", "s2c", { {"record_id", "u32"}, {"ply", "u16"}, {"path", "path"} } },
}
local KIND_SIZE = { u8 = 1, u16 = 2, u32 = 4, ms = 4, str16 = 16, board = 24, path = 14 }
local MAX_CHAT = 200
for t, v in pairs(V2) do
  local size, variable = 1, false
  for _, fld in ipairs(v[3]) do
    if fld[2] == "text" then variable = true; size = size + 2 else size = size + KIND_SIZE[fld[2]] end
  end
  -- For the chat messages `size` is the fixed part (up to and including the length).
  MSG[t] = { name = v[1], dir = v[2], size = size, variable = variable, layout = v[3], v2 = true }
end

local type_names = {}
for t, m in pairs(MSG) do type_names[t] = m.name end

local login_reasons = {
  [0] = "account does not exist",
  [1] = "wrong password",
  [2] = "already logged in",
}

local dir_names = { c2s = "client to server", s2c = "server to client" }

local f = {
  type = ProtoField.uint8("checkers.type", "Type", base.HEX, type_names),
  direction = ProtoField.string("checkers.direction", "Direction"),
  version = ProtoField.uint8("checkers.version", "Protocol version", base.DEC),
  username = ProtoField.string("checkers.username", "Username"),
  password = ProtoField.string("checkers.password", "Password"),
  reason = ProtoField.uint8("checkers.reason", "Reason", base.DEC, login_reasons),
  highest = ProtoField.uint8("checkers.highest_supported_version", "Highest supported version", base.DEC),
  lowest = ProtoField.uint8("checkers.lowest_supported_version", "Lowest supported version", base.DEC),
  queue_size = ProtoField.uint32("checkers.queue_size", "Queue size", base.DEC),
  queue_pos = ProtoField.uint32("checkers.queue_pos", "Queue position", base.DEC),
  rating = ProtoField.uint32("checkers.rating", "Rating", base.DEC),
  opponent_name = ProtoField.string("checkers.opponent_name", "Opponent name"),
  opponent_rating = ProtoField.uint32("checkers.opponent_rating", "Opponent rating", base.DEC),
  last_move = ProtoField.uint8("checkers.last_move", "Last move", base.HEX),
  move = ProtoField.uint8("checkers.move", "Move", base.HEX),
  winning_move = ProtoField.uint8("checkers.winning_move", "Winning move", base.HEX),
  move_x = ProtoField.uint8("checkers.move.x", "x (column)", base.DEC, nil, 0xE0),
  move_y = ProtoField.uint8("checkers.move.y", "y (row)", base.DEC, nil, 0x1C),
  move_dx = ProtoField.int8("checkers.move.dx", "dx", base.DEC),
  move_dy = ProtoField.int8("checkers.move.dy", "dy", base.DEC),
  move_from = ProtoField.string("checkers.move.from", "From"),
  move_to = ProtoField.string("checkers.move.to", "To (neighbour; for a jump, the captured piece)"),
  move_from_pdn = ProtoField.uint8("checkers.move.from_pdn", "From (PDN square)", base.DEC),
  move_to_pdn = ProtoField.uint8("checkers.move.to_pdn", "To (PDN square)", base.DEC),
  move_sentinel = ProtoField.bool("checkers.move.first_turn", "First-turn sentinel"),
  you_won = ProtoField.uint8("checkers.you_won", "You won", base.DEC),
  new_rating = ProtoField.uint32("checkers.new_rating", "New rating", base.DEC),
  old_rating = ProtoField.uint32("checkers.old_rating", "Old rating", base.DEC),
  board = ProtoField.bytes("checkers.board", "Board"),
  board_row = ProtoField.string("checkers.board.row", "Row"),
  own_men = ProtoField.uint8("checkers.board.own_men", "Own men", base.DEC),
  own_kings = ProtoField.uint8("checkers.board.own_kings", "Own kings", base.DEC),
  opp_men = ProtoField.uint8("checkers.board.opponent_men", "Opponent men", base.DEC),
  opp_kings = ProtoField.uint8("checkers.board.opponent_kings", "Opponent kings", base.DEC),
  own_pieces = ProtoField.uint8("checkers.board.own_pieces", "Own pieces", base.DEC),
  opp_pieces = ProtoField.uint8("checkers.board.opponent_pieces", "Opponent pieces", base.DEC),
  unknown = ProtoField.bytes("checkers.unknown", "Undecodable bytes"),
  path = ProtoField.bytes("checkers.path", "Path"),
  path_count = ProtoField.uint8("checkers.path.count", "Squares", base.DEC),
  path_square = ProtoField.string("checkers.path.square", "Square"),
  text = ProtoField.string("checkers.text", "Text", base.UNICODE),
  text_length = ProtoField.uint16("checkers.text_length", "Text length", base.DEC),
  conn_version = ProtoField.uint8("checkers.connection_version", "Connection version", base.DEC),
}
-- v2 scalar fields not in v1 (PROTOCOL-v2.md names), checkers.<name>.
local V2_SCALAR = {}
for _, v in pairs(V2) do
  for _, fld in ipairs(v[3]) do
    local name, kind = fld[1], fld[2]
    if f[name] == nil and V2_SCALAR[name] == nil and (kind == "u8" or kind == "u16" or kind == "u32" or kind == "ms" or kind == "str16") then
      if kind == "u8" then V2_SCALAR[name] = ProtoField.uint8("checkers." .. name, name, base.DEC)
      elseif kind == "u16" then V2_SCALAR[name] = ProtoField.uint16("checkers." .. name, name, base.DEC)
      elseif kind == "str16" then V2_SCALAR[name] = ProtoField.string("checkers." .. name, name)
      else V2_SCALAR[name] = ProtoField.uint32("checkers." .. name, name, base.DEC) end
    end
  end
end
for name, field in pairs(V2_SCALAR) do f[name] = field end
checkers.fields = {}
for _, field in pairs(f) do table.insert(checkers.fields, field) end

local e = {
  unknown_type = ProtoExpert.new("checkers.unknown_type.expert", "Unknown message type",
    expert.group.MALFORMED, expert.severity.ERROR),
  wrong_direction = ProtoExpert.new("checkers.wrong_direction.expert", "Message sent in the wrong direction",
    expert.group.PROTOCOL, expert.severity.WARN),
  bad_code = ProtoExpert.new("checkers.board.bad_code.expert", "Undefined board square code (1-3)",
    expert.group.PROTOCOL, expert.severity.WARN),
  incomplete = ProtoExpert.new("checkers.incomplete.expert", "Incomplete message (TCP reassembly is off)",
    expert.group.REASSEMBLE, expert.severity.WARN),
  bad_text = ProtoExpert.new("checkers.bad_text.expert", "Chat length 0 or over 200 bytes, or not valid UTF-8: the receiver must close the connection",
    expert.group.MALFORMED, expert.severity.ERROR),
}
checkers.experts = { e.unknown_type, e.wrong_direction, e.bad_code, e.incomplete, e.bad_text }

checkers.prefs.port = Pref.uint("TCP port", DEFAULT_PORT, "The server's TCP port (default 8864)")

-- Move ----------------------------------------------------------------------

local function pdn(x, y)
  if x < 0 or x > 7 or y < 0 or y > 7 or (x + y) % 2 ~= 0 then return nil end
  return 4 * (7 - y) + math.floor(x / 2) + 1
end

local function decode_move(b)
  local x = math.floor(b / 32)
  local y = math.floor(b / 4) % 8
  local dx = (math.floor(b / 2) % 2 == 1) and 1 or -1
  local dy = (b % 2 == 1) and 1 or -1
  return x, y, dx, dy
end

-- "(2,5)→(3,4)"
local function move_text(b)
  local x, y, dx, dy = decode_move(b)
  return string.format("(%d,%d)→(%d,%d)", x, y, x + dx, y + dy)
end

-- Adds a Move field (`field` is last_move, move or winning_move) with its parts.
local function add_move(tree, field, range, allow_sentinel)
  local b = range:uint()
  local x, y, dx, dy = decode_move(b)
  local text = move_text(b)
  local sentinel = allow_sentinel and b == 0
  local label = sentinel and "first turn (sentinel 0x00)" or text
  local item = tree:add(field, range):append_text(" " .. label)
  item:add(f.move_x, range)
  item:add(f.move_y, range)
  item:add(f.move_dx, range, dx):append_text(dx > 0 and " (towards larger x)" or " (towards smaller x)")
  item:add(f.move_dy, range, dy):append_text(dy > 0 and " (towards larger y)" or " (towards smaller y)")
  item:add(f.move_from, range, string.format("(%d,%d)", x, y))
  item:add(f.move_to, range, string.format("(%d,%d)", x + dx, y + dy))
  local from_pdn, to_pdn = pdn(x, y), pdn(x + dx, y + dy)
  if from_pdn then item:add(f.move_from_pdn, range, from_pdn):set_generated() end
  if to_pdn then item:add(f.move_to_pdn, range, to_pdn):set_generated() end
  if allow_sentinel then item:add(f.move_sentinel, range, sentinel):set_generated() end
  return label
end

-- Board ---------------------------------------------------------------------

local CODE_CHAR = { [0] = ".", [4] = "x", [5] = "o", [6] = "X", [7] = "O" }

-- 3-bit code of square (x, y): the 24 bytes are one big-endian 192-bit number
-- and the square's code sits at bit 3*(8x+y) from the least significant end.
local function square_code(bytes, x, y)
  local code = 0
  for k = 0, 2 do
    local n = 3 * (8 * x + y) + k
    local byte = bytes:get_index(23 - math.floor(n / 8))
    if math.floor(byte / 2 ^ (n % 8)) % 2 == 1 then code = code + 2 ^ k end
  end
  return math.floor(code)
end

local function add_board(tree, pinfo, range)
  local bytes = range:bytes()
  local item = tree:add(f.board, range)
  item:append_text("  (receiver's view, y=0 at the top: o own man, O own king, x opponent man, X opponent king)")
  local counts = { [4] = 0, [5] = 0, [6] = 0, [7] = 0 }
  for y = 0, 7 do
    local compact, spaced = {}, {}
    for x = 0, 7 do
      local code = square_code(bytes, x, y)
      local ch = CODE_CHAR[code]
      if ch == nil then
        -- Codes 1-3 have the used bit clear: receivers treat them as empty.
        ch = "."
        item:add_proto_expert_info(e.bad_code,
          string.format("Undefined square code %d at (%d,%d), shown as empty", code, x, y))
      else
        if counts[code] then counts[code] = counts[code] + 1 end
      end
      compact[#compact + 1] = ch
      spaced[#spaced + 1] = ch
    end
    local row = table.concat(compact)
    item:add(f.board_row, range, row, string.format("y=%d  %s", y, table.concat(spaced, " ")))
  end
  item:add(f.own_men, range, counts[5]):set_generated()
  item:add(f.own_kings, range, counts[7]):set_generated()
  item:add(f.opp_men, range, counts[4]):set_generated()
  item:add(f.opp_kings, range, counts[6]):set_generated()
  item:add(f.own_pieces, range, counts[5] + counts[7]):set_generated()
  item:add(f.opp_pieces, range, counts[4] + counts[6]):set_generated()
end

-- str16: the bytes before the first NUL (all 16 if none).
local function add_str16(tree, field, range)
  local raw = range:raw()
  local nul = raw:find("\0", 1, true)
  local text = nul and raw:sub(1, nul - 1) or raw
  tree:add(field, range, text)
  return text
end

-- Messages ------------------------------------------------------------------

-- Each returns the text for the Info column (after the message name).
local BODY = {}

BODY[0x01] = function(tvb, tree)
  tree:add(f.version, tvb(1, 1))
  local user = add_str16(tree, f.username, tvb(2, 16))
  add_str16(tree, f.password, tvb(18, 16))
  return string.format(" v%d user=\"%s\"", tvb(1, 1):uint(), user)
end

BODY[0x02] = function(tvb, tree)
  local reason = tvb(1, 1):uint()
  tree:add(f.reason, tvb(1, 1))
  return " (" .. (login_reasons[reason] or ("unknown reason " .. reason)) .. ")"
end

BODY[0x03] = function(tvb, tree)
  tree:add_le(f.queue_size, tvb(1, 4))
  tree:add_le(f.queue_pos, tvb(5, 4))
  tree:add_le(f.rating, tvb(9, 4))
  return string.format(" %d/%d rating %d", tvb(5, 4):le_uint(), tvb(1, 4):le_uint(), tvb(9, 4):le_uint())
end

BODY[0x04] = function(tvb, tree)
  local name = add_str16(tree, f.opponent_name, tvb(1, 16))
  tree:add_le(f.opponent_rating, tvb(17, 4))
  return string.format(" vs \"%s\" (%d)", name, tvb(17, 4):le_uint())
end

BODY[0x05] = function(tvb, tree, pinfo)
  local label = add_move(tree, f.last_move, tvb(1, 1), true)
  add_board(tree, pinfo, tvb(2, 24))
  if tvb(1, 1):uint() == 0 then return " (first turn)" end
  return " after " .. label
end

BODY[0x06] = function(tvb, tree)
  return " " .. add_move(tree, f.move, tvb(1, 1), false)
end

local function move_and_board(tvb, tree, pinfo)
  local label = add_move(tree, f.move, tvb(1, 1), false)
  add_board(tree, pinfo, tvb(2, 24))
  return " " .. label
end
BODY[0x07] = move_and_board
BODY[0x08] = move_and_board

BODY[0x0A] = function(tvb, tree, pinfo)
  local won = tvb(1, 1):uint()
  tree:add(f.you_won, tvb(1, 1)):append_text(won ~= 0 and " (won)" or " (not won: lost or drawn)")
  tree:add_le(f.new_rating, tvb(2, 4))
  tree:add_le(f.old_rating, tvb(6, 4))
  local label = add_move(tree, f.winning_move, tvb(10, 1), false)
  add_board(tree, pinfo, tvb(11, 24))
  return string.format(" %s %d→%d, last move %s", won ~= 0 and "won" or "not won",
    tvb(6, 4):le_uint(), tvb(2, 4):le_uint(), label)
end

BODY[0x0D] = function(tvb, tree)
  tree:add(f.highest, tvb(1, 1))
  tree:add(f.lowest, tvb(2, 1))
  return string.format(" (server speaks %d..%d)", tvb(2, 1):uint(), tvb(1, 1):uint())
end

-- v2 -----------------------------------------------------------------------

local function path_text(range)
  local n = range(0, 1):uint()
  if n < 2 or n > 13 then return string.format("(%d squares)", n) end
  local parts = {}
  local jump = math.abs(math.floor(range(2, 1):uint() / 8) - math.floor(range(1, 1):uint() / 8)) == 2
  for i = 1, n do
    local sq = range(i, 1):uint()
    parts[#parts + 1] = string.format("(%d,%d)", math.floor(sq / 8), sq % 8)
  end
  return table.concat(parts, jump and "x" or "-")
end

local function add_path(tree, range)
  local text = path_text(range)
  local item = tree:add(f.path, range):append_text(" " .. text)
  item:add(f.path_count, range(0, 1))
  local n = math.min(range(0, 1):uint(), 13)
  for i = 1, n do
    local sq = range(i, 1):uint()
    item:add(f.path_square, range(i, 1), string.format("(%d,%d)", math.floor(sq / 8), sq % 8))
  end
  return text
end

-- Well-formed UTF-8 without C0 controls or DEL (PROTOCOL-v2.md §2.5).
local function valid_chat(bytes)
  local i, n = 0, bytes:len()
  while i < n do
    local c = bytes:get_index(i)
    local len, cp
    if c < 0x80 then
      if c < 0x20 or c == 0x7f then return false end
      len, cp = 1, c
    elseif c >= 0xc2 and c <= 0xdf then len, cp = 2, c % 0x20
    elseif c >= 0xe0 and c <= 0xef then len, cp = 3, c % 0x10
    elseif c >= 0xf0 and c <= 0xf4 then len, cp = 4, c % 0x08
    else return false end
    if i + len > n then return false end
    for k = 1, len - 1 do
      local b = bytes:get_index(i + k)
      if b < 0x80 or b > 0xbf then return false end
      cp = cp * 64 + (b % 64)
    end
    if (len == 3 and cp < 0x800) or (len == 4 and cp < 0x10000) or (cp >= 0xd800 and cp <= 0xdfff) or cp > 0x10ffff then return false end
    i = i + len
  end
  return true
end

-- Dissects a v2 message whose whole bytes are `tvb`; returns the Info text after the name.
local function dissect_v2_body(tvb, tree, pinfo, m)
  local off, info = 1, ""
  for _, fld in ipairs(m.layout) do
    local name, kind = fld[1], fld[2]
    if kind == "u8" then tree:add(f[name], tvb(off, 1)); off = off + 1
    elseif kind == "u16" then tree:add_le(f[name], tvb(off, 2)); off = off + 2
    elseif kind == "u32" then tree:add_le(f[name], tvb(off, 4)); off = off + 4
    elseif kind == "ms" then
      local item = tree:add_le(f[name], tvb(off, 4))
      if tvb(off, 4):le_uint() == 0xFFFFFFFF then item:append_text(" (no clock)") else item:append_text(" ms") end
      off = off + 4
    elseif kind == "str16" then
      local text = add_str16(tree, f[name], tvb(off, 16))
      if info == "" then info = string.format(" \"%s\"", text) end
      off = off + 16
    elseif kind == "board" then add_board(tree, pinfo, tvb(off, 24)); off = off + 24
    elseif kind == "path" then info = info .. " " .. add_path(tree, tvb(off, 14)); off = off + 14
    elseif kind == "text" then
      local len = tvb(off, 2):le_uint()
      tree:add_le(f.text_length, tvb(off, 2))
      off = off + 2
      if len > 0 then
        local range = tvb(off, len)
        tree:add(f.text, range, range:string(ENC_UTF_8))
        if not valid_chat(range:bytes()) then tree:add_proto_expert_info(e.bad_text) end
        info = info .. string.format(" \"%s\"", range:string(ENC_UTF_8))
      end
      off = off + len
    end
  end
  return info
end

-- The version of each TCP stream (its last Connect), and of each frame as first seen.
local tcp_stream = Field.new("tcp.stream")
local stream_version = {}
local frame_version = {}

-- The message size at `offset` for `version`, or nil (undefined type), or -1 (chat
-- length not yet known: more bytes needed), or -2 (bad chat length).
local function message_size(tvb, offset, version)
  local t = tvb(offset, 1):uint()
  local m = MSG[t]
  if m == nil or (m.v2 and version < 2) then return nil end
  if not m.variable then return m.size end
  if tvb:len() - offset < m.size then return -1 end
  local len = tvb(offset + m.size - 2, 2):le_uint()
  if len == 0 or len > MAX_CHAT then return -2 end
  return m.size + len
end

-- "c2s", "s2c" or nil when the server port is not known for this packet.
local function packet_direction(pinfo)
  local server_port = pinfo.match_uint
  if server_port == nil or server_port == 0 then server_port = checkers.prefs.port end
  if pinfo.dst_port == server_port and pinfo.src_port ~= server_port then return "c2s" end
  if pinfo.src_port == server_port and pinfo.dst_port ~= server_port then return "s2c" end
  return nil
end

-- Info column: one entry per message, several messages in a frame joined by ", ".
local function add_info(pinfo, text)
  if tostring(pinfo.cols.protocol) ~= "Checkers" then
    pinfo.cols.protocol = "Checkers"
    pinfo.cols.info = text
  else
    pinfo.cols.info:append(", " .. text)
  end
end

local function dissect_message(tvb, pinfo, tree, dir, version)
  local t = tvb(0, 1):uint()
  local m = MSG[t]
  local item = tree:add(checkers, tvb(), string.format("Checkers Protocol v%d, %s", version, m.name))
  item:add(f.type, tvb(0, 1))
  item:add(f.conn_version, tvb(0, 1), version):set_generated()
  if dir then
    item:add(f.direction, tvb(0, 1), dir_names[dir]):set_generated()
    if dir ~= m.dir then
      item:add_proto_expert_info(e.wrong_direction,
        string.format("%s is only sent %s", m.name, dir_names[m.dir]))
    end
  end
  local text
  if m.v2 then
    text = m.name .. dissect_v2_body(tvb, item, pinfo, m)
  else
    local body = BODY[t]
    text = m.name .. (body and body(tvb, item, pinfo) or "")
  end
  item:append_text(text:sub(#m.name + 1))
  add_info(pinfo, text)
end

local function dissect_unknown(tvb, pinfo, tree, version, why)
  local t = tvb(0, 1):uint()
  local item = tree:add(checkers, tvb(), string.format("Checkers Protocol v%d, %s", version,
    why and ("malformed " .. MSG[t].name) or "unknown message"))
  item:add(f.type, tvb(0, 1))
  if tvb:len() > 1 then item:add(f.unknown, tvb(1)) end
  if why then
    item:add_proto_expert_info(e.bad_text, why)
    add_info(pinfo, MSG[t].name .. " [malformed]")
    return
  end
  item:add_proto_expert_info(e.unknown_type,
    string.format("Unknown message type 0x%02x: the receiver must close the connection", t))
  add_info(pinfo, string.format("Unknown type 0x%02x", t))
end

-- TLS on the same port (issue 17): a connection whose FIRST client byte is a TLS
-- record type (0x14-0x17; a connection starts with Connect, 0x01) goes to Wireshark's
-- TLS dissector, which hands the decrypted records back to us through "tls.port"
-- (give it the client's SSLKEYLOGFILE: -o tls.keylog_file:FILE). Later segments of a
-- plain connection may start with the same bytes: v2 types 0x14-0x17 are messages.
local tls_handle = Dissector.get("tls")
local tls_record = Field.new("tls.record")
local function inside_tls(pinfo)
  return tls_record() ~= nil
end
local stream_tls = {}  -- tcp.stream -> whether its first client byte began a TLS record
local frame_tls = {}   -- frame number -> the decision, stable over tshark's passes

local function is_tls_stream(tvb, pinfo, stream)
  local tls = frame_tls[pinfo.number]
  if tls == nil then
    tls = stream_tls[stream]
    if tls == nil and packet_direction(pinfo) == "c2s" then
      local first = tvb(0, 1):uint()
      tls = first >= 0x14 and first <= 0x17
      stream_tls[stream] = tls
    end
    frame_tls[pinfo.number] = tls or false
  end
  return tls
end

function checkers.dissector(tvb, pinfo, tree)
  local len = tvb:len()
  local stream = tcp_stream() and tcp_stream().value or -1
  if len > 0 and not inside_tls(pinfo) and is_tls_stream(tvb, pinfo, stream) then
    return tls_handle:call(tvb, pinfo, tree)
  end
  local dir = packet_direction(pinfo)
  local version = frame_version[pinfo.number]
  if version == nil then
    version = stream_version[stream] or 1
    frame_version[pinfo.number] = version
  end
  local offset = 0
  while offset < len do
    local t = tvb(offset, 1):uint()
    local size = message_size(tvb, offset, version)
    if size == nil then
      -- No way to resynchronise after an undefined type (no length field), and
      -- the peer closes at once anyway: the rest of the segment is shown as is.
      dissect_unknown(tvb(offset):tvb(), pinfo, tree, version)
      return len
    end
    if size == -2 then
      dissect_unknown(tvb(offset):tvb(), pinfo, tree, version, "chat length 0 or over 200 bytes")
      return len
    end
    local m = MSG[t]
    if size == -1 or len - offset < size then
      if pinfo.can_desegment > 0 then
        pinfo.desegment_offset = offset
        pinfo.desegment_len = size == -1 and DESEGMENT_ONE_MORE_SEGMENT or size - (len - offset)
        return len
      end
      local item = tree:add(checkers, tvb(offset), "Checkers Protocol, incomplete " .. m.name)
      item:add(f.type, tvb(offset, 1))
      item:add_proto_expert_info(e.incomplete)
      add_info(pinfo, m.name .. " [incomplete]")
      return len
    end
    dissect_message(tvb(offset, size):tvb(), pinfo, tree, dir, version)
    -- A Connect chooses the connection's version; InvalidVersion leaves it at 1.
    if t == 0x01 then version = tvb(offset + 1, 1):uint() end
    if t == 0x0D then version = 1 end
    if not pinfo.visited then stream_version[stream] = version end
    offset = offset + size
  end
  return offset
end

---------------------------------------------------------------------------
-- LAN discovery (UDP), docs/DISCOVERY.md §2
---------------------------------------------------------------------------

local disc = Proto("checkers_disc", "Checkers LAN Discovery")

local KIND = { [1] = "Query", [2] = "Announcement" }
local QUERY_SIZE = 64
local ANNOUNCEMENT_FIXED = 31
local MAX_NAME = 64

local d = {
  kind_text = ProtoField.string("checkers_disc.datagram", "Datagram"),
  magic = ProtoField.string("checkers_disc.magic", "Magic"),
  format_version = ProtoField.uint8("checkers_disc.format_version", "Format version", base.DEC),
  kind = ProtoField.uint8("checkers_disc.kind", "Kind", base.DEC, KIND),
  nonce = ProtoField.uint32("checkers_disc.nonce", "Nonce", base.HEX),
  padding = ProtoField.bytes("checkers_disc.padding", "Padding"),
  instance_id = ProtoField.uint64("checkers_disc.instance_id", "Instance id", base.HEX),
  tcp_port = ProtoField.uint16("checkers_disc.tcp_port", "TCP port", base.DEC),
  lowest = ProtoField.uint8("checkers_disc.lowest_version", "Lowest protocol version", base.DEC),
  highest = ProtoField.uint8("checkers_disc.highest_version", "Highest protocol version", base.DEC),
  online = ProtoField.uint32("checkers_disc.players_online", "Players online", base.DEC),
  queued = ProtoField.uint32("checkers_disc.players_queued", "Players queued", base.DEC),
  name_length = ProtoField.uint8("checkers_disc.name_length", "Name length", base.DEC),
  name = ProtoField.string("checkers_disc.name", "Server name", base.UNICODE),
  legacy = ProtoField.bool("checkers_disc.legacy_beacon", "Legacy beacon (reference server, empty datagram)"),
  trailing = ProtoField.bytes("checkers_disc.trailing", "Trailing bytes"),
  tls = ProtoField.string("checkers_disc.tls", "TLS on the game port"),
  tls_fingerprint = ProtoField.bytes("checkers_disc.tls_fingerprint", "TLS certificate SHA-256", base.COLON),
}
disc.fields = {}
for _, field in pairs(d) do table.insert(disc.fields, field) end

local de = {
  malformed = ProtoExpert.new("checkers_disc.malformed.expert", "Malformed discovery datagram (receivers ignore it)",
    expert.group.MALFORMED, expert.severity.ERROR),
  padding = ProtoExpert.new("checkers_disc.bad_padding.expert", "Query padding is not all zero (receivers ignore it)",
    expert.group.MALFORMED, expert.severity.ERROR),
  beacon = ProtoExpert.new("checkers_disc.legacy_beacon.expert", "Reference server beacon (empty UDP datagram)",
    expert.group.SEQUENCE, expert.severity.CHAT),
}
disc.experts = { de.malformed, de.padding, de.beacon }

disc.prefs.port = Pref.uint("UDP port", DEFAULT_PORT, "The discovery UDP port (default 8864)")

local function disc_info(pinfo, text)
  pinfo.cols.protocol = "Checkers-Disc"
  pinfo.cols.info = text
end

local function dissect_query(tvb, tree)
  tree:add_le(d.nonce, tvb(6, 4))
  local pad = tvb(10, QUERY_SIZE - 10)
  local item = tree:add(d.padding, pad)
  for i = 0, pad:len() - 1 do
    if pad:bytes():get_index(i) ~= 0 then
      item:add_proto_expert_info(de.padding)
      break
    end
  end
  return string.format("Query nonce=0x%08x", tvb(6, 4):le_uint())
end

local function dissect_announcement(tvb, tree)
  tree:add_le(d.nonce, tvb(6, 4))
  tree:add_le(d.instance_id, tvb(10, 8))
  tree:add_le(d.tcp_port, tvb(18, 2))
  tree:add(d.lowest, tvb(20, 1))
  tree:add(d.highest, tvb(21, 1))
  tree:add_le(d.online, tvb(22, 4))
  tree:add_le(d.queued, tvb(26, 4))
  tree:add(d.name_length, tvb(30, 1))
  local n = tvb(30, 1):uint()
  local name = ""
  if n > 0 then
    name = tvb(31, n):string(ENC_UTF_8)
    tree:add(d.name, tvb(31, n), name)
  else
    tree:add(d.name, tvb(30, 0), "")
  end
  local tls = ""
  local at = 31 + n
  while at + 2 <= tvb:len() do
    local t, l = tvb(at, 1):uint(), tvb(at + 1, 1):uint()
    if t == 1 and l == 33 then
      local flags = tvb(at + 2, 1):uint()
      tls = (bit.band(flags, 2) ~= 0) and ", TLS required" or ", TLS"
      tree:add(d.tls, tvb(at, 2 + l), tls:sub(3))
      tree:add(d.tls_fingerprint, tvb(at + 3, 32))
    end
    at = at + 2 + l
  end
  local nonce = tvb(6, 4):le_uint()
  return string.format("Announcement%s \"%s\" tcp %d, v%d..%d, %d online, %d queued%s",
    nonce == 0 and " (unsolicited)" or string.format(" nonce=0x%08x", nonce), name,
    tvb(18, 2):le_uint(), tvb(20, 1):uint(), tvb(21, 1):uint(), tvb(22, 4):le_uint(), tvb(26, 4):le_uint(),
    tls)
end

-- Size the datagram must have, or nil and why not.
local function expected_size(tvb)
  local len = tvb:len()
  if len < 6 then return nil, "truncated header" end
  if tvb(0, 4):raw() ~= "CHKR" then return nil, "bad magic" end
  if tvb(4, 1):uint() ~= 1 then return nil, "unknown format version " .. tvb(4, 1):uint() end
  local kind = tvb(5, 1):uint()
  if kind == 1 then return QUERY_SIZE end
  if kind == 2 then
    if len < ANNOUNCEMENT_FIXED then return nil, "truncated announcement" end
    local n = tvb(30, 1):uint()
    if n > MAX_NAME then return nil, "name longer than 64 bytes" end
    -- Extensions follow the name: (type, length, value) each, to the end.
    local size = ANNOUNCEMENT_FIXED + n
    while size + 2 <= len and size + 2 + tvb(size + 1, 1):uint() <= len do
      size = size + 2 + tvb(size + 1, 1):uint()
    end
    return size
  end
  return nil, "bad kind " .. kind
end

function disc.dissector(tvb, pinfo, tree)
  local len = tvb:len()
  local item = tree:add(disc, tvb())
  if len == 0 then
    item:add(d.legacy, tvb(), true):set_generated()
    item:add(d.kind_text, tvb(), "Legacy beacon"):set_generated()
    item:add_proto_expert_info(de.beacon)
    item:append_text(", legacy beacon (empty datagram)")
    disc_info(pinfo, "Legacy beacon (empty datagram from a reference-compatible server)")
    return 0
  end
  if len >= 4 then item:add(d.magic, tvb(0, 4)) end
  if len >= 5 then item:add(d.format_version, tvb(4, 1)) end
  if len >= 6 then item:add(d.kind, tvb(5, 1)) end
  local size, why = expected_size(tvb)
  if size == nil or len < size then
    why = why or string.format("truncated: %d of %d bytes", len, size)
    item:add_proto_expert_info(de.malformed, "Malformed discovery datagram: " .. why)
    disc_info(pinfo, "Malformed: " .. why)
    return len
  end
  local sub = tvb(0, size):tvb()
  local text
  if tvb(5, 1):uint() == 1 then text = dissect_query(sub, item) else text = dissect_announcement(sub, item) end
  item:add(d.kind_text, tvb(5, 1), (text:match("^%a+"))):set_generated()
  if len > size then
    item:add(d.trailing, tvb(size))
    item:add_proto_expert_info(de.malformed, string.format("Malformed: %d trailing bytes", len - size))
    text = text .. " [trailing bytes]"
  end
  item:append_text(", " .. text)
  disc_info(pinfo, text)
  return len
end

-- UDP hands an empty payload to no subdissector, so the reference server's
-- beacon (0 bytes) is picked up after the fact: a UDP datagram of length 0 to or
-- from a port that the UDP table (preference or Decode As) gives to us.
local beacon_post = Proto("checkers_beacon", "Checkers legacy beacon detector")
local udp_length = Field.new("udp.length")
local udp_srcport = Field.new("udp.srcport")
local udp_dstport = Field.new("udp.dstport")

local function ours(port)
  local h = port and DissectorTable.get("udp.port"):get_dissector(port)
  return h ~= nil and tostring(h):lower() == "checkers_disc"
end

function beacon_post.dissector(tvb, pinfo, tree)
  local len = udp_length()
  if len == nil or len.value ~= 8 then return end
  local dst, src = udp_dstport(), udp_srcport()
  if not (ours(dst and dst.value) or ours(src and src.value)) then return end
  disc.dissector(tvb(tvb:len()):tvb(), pinfo, tree)
end

-- Our datagrams are recognisable by their magic whatever the port.
local function disc_heuristic(tvb, pinfo, tree)
  if tvb:len() < 6 or tvb(0, 4):raw() ~= "CHKR" then return false end
  disc.dissector(tvb, pinfo, tree)
  return true
end

---------------------------------------------------------------------------
-- Registration: the ports from the preferences, plus "Decode As" for both.
---------------------------------------------------------------------------

local tcp_table = DissectorTable.get("tcp.port")
local udp_table = DissectorTable.get("udp.port")
local tls_table = DissectorTable.get("tls.port")
local registered = { tcp = nil, udp = nil }


local function register_ports()
  if registered.tcp then
    tcp_table:remove(registered.tcp, checkers)
    tls_table:remove(registered.tcp, checkers)
  end
  if registered.udp then udp_table:remove(registered.udp, disc) end
  registered.tcp = checkers.prefs.port
  registered.udp = disc.prefs.port
  if registered.tcp ~= 0 then
    tcp_table:add(registered.tcp, checkers)
    tls_table:add(registered.tcp, checkers)  -- what TLS decrypts on that port
  end
  if registered.udp ~= 0 then udp_table:add(registered.udp, disc) end
end

checkers.prefs_changed = register_ports
disc.prefs_changed = register_ports
register_ports()
tcp_table:add_for_decode_as(checkers)
udp_table:add_for_decode_as(disc)
disc:register_heuristic("udp", disc_heuristic)
register_postdissector(beacon_post)
