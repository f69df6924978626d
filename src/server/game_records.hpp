// GameArchive: every finished game's moves and result, kept for good in <data-dir>/games.log
// (docs/STORE.md). The file is append-only, framed and checksummed like the account journal
// and written by the same JournalWriter inside the same group commit, so a GameOver that was
// sent means the game's record is on disk. It is never compacted; the most recent games are
// also kept in memory (for the players' own game lists).
//
// to_pdn() is the one conversion of an archived game into the game library's PdnGame (whose
// write_pdn() is the one PDN writer of the project).
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "game/movegen.hpp"
#include "game/pdn.hpp"
#include "proto/messages.hpp"
#include "server/archived_game.hpp"

namespace checkers::server {

namespace journal {
class JournalWriter;
}

class GameArchive {
 public:
  // Opens <dir>/games.log. Writable: creates it if missing and cuts a torn last record off
  // (with a warning naming the file and offset). Read-only: a missing file is an empty
  // archive and a torn tail is ignored (the server may be writing it). Any other damage
  // throws StoreError naming the file and the byte offset of the bad record.
  // The last `keep_recent` games stay in memory (recent()).
  static std::unique_ptr<GameArchive> open(const std::filesystem::path& dir, bool writable,
                                           std::size_t keep_recent);
  ~GameArchive();
  GameArchive(const GameArchive&) = delete;
  GameArchive& operator=(const GameArchive&) = delete;

  // Gives the game the next id, keeps it in memory and queues its record; durable after the
  // next stage() + write_staged() (the account store's group commit). Returns the id.
  uint64_t add(ArchivedGame game);

  // The most recent games, oldest first.
  const std::deque<ArchivedGame>& recent() const { return recent_; }
  // Games in the file (and queued), and the highest id so far (0: none).
  uint64_t count() const { return count_; }
  uint64_t last_id() const { return last_id_; }

  // Loop thread: moves the queued records to the writer. Cheap.
  void stage();
  bool has_pending() const { return !pending_.empty(); }
  // Any thread (the work queue): appends and fdatasyncs. False if that failed; the records
  // then wait for the next write (nothing is lost while the process lives).
  bool write_staged();
  std::string last_error() const;

 private:
  GameArchive() = default;
  void remember(ArchivedGame game);

  std::filesystem::path path_;
  std::size_t keep_recent_ = 0;
  std::deque<ArchivedGame> recent_;
  uint64_t count_ = 0;
  uint64_t last_id_ = 0;
  std::string pending_;
  std::unique_ptr<journal::JournalWriter> writer_;  // null when read-only
};

// The archive entry of a finished game: its result record, every completed turn and the
// time control (none recorded by default).
ArchivedGame archive_of(const GameRecord& result, int64_t started,
                        const std::vector<game::Move>& moves, ArchivedClock clock = {});

// Protocol v2's end reason for a recorded reason text ("resigned", "timeout", ...); an
// unknown text gives a value outside the defined ones (shown as "unknown").
proto::EndReason end_reason_of(const std::string& reason);

// The answer to a v2 FetchGames from `player`: its `max` (at most 20) most recent games
// among those kept in memory, newest first, as RecordEntry + RecordMoves in order; a
// single empty RecordEntry when there are none.
std::vector<proto::Message> fetch_games_answer(const GameArchive& archive,
                                               const std::string& player, uint8_t max);

// Every game in <dir>/games.log, oldest first (read-only; works beside the running server).
std::vector<ArchivedGame> read_game_archive(const std::filesystem::path& dir);

// The game in PDN: Event, Site, Date, Round (the game id), Black, White, Result, GameType 21,
// both ratings before the game, the end reason (Termination) and the moves.
game::PdnGame to_pdn(const ArchivedGame& game, const std::string& site);

}  // namespace checkers::server
