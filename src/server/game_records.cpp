// GameArchive: load (scan, torn tail, corruption) and append of games.log; the PDN view.
#include "server/game_records.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

#include "server/journal.hpp"
#include "server/journal_codec.hpp"
#include "server/store.hpp"

namespace checkers::server {

namespace {

std::string corrupt(const std::filesystem::path& file, uint64_t offset, const std::string& why) {
  return "store file " + file.string() + " is corrupt at byte offset " + std::to_string(offset) +
         ": " + why + " (refusing to start; restore a backup or repair the file)";
}

std::string pdn_date(int64_t when) {
  const auto t = static_cast<std::time_t>(when);
  std::tm tm{};
  if (when <= 0 || gmtime_r(&t, &tm) == nullptr) return "????.??.??";
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y.%m.%d", &tm);
  return buf;
}

std::string rating_text(const Glicko& g) { return std::to_string(g.wire_rating()); }

}  // namespace

std::unique_ptr<GameArchive> GameArchive::open(const std::filesystem::path& dir, bool writable,
                                               std::size_t keep_recent) {
  std::unique_ptr<GameArchive> archive(new GameArchive());
  archive->path_ = dir / journal::kGamesFile;
  archive->keep_recent_ = keep_recent;
  const std::filesystem::path& path = archive->path_;
  std::optional<std::string> bytes = journal::read_file(path);
  uint64_t good_end = journal::kFileHeaderSize;
  if (bytes) {
    try {
      journal::parse_file_header(*bytes, journal::FileKind::games);
    } catch (const journal::DecodeError& e) {
      throw StoreError(corrupt(path, 0, e.what()));
    }
    journal::ScanResult scan;
    try {
      scan = journal::scan_records(*bytes, journal::kFileHeaderSize);
    } catch (const journal::ScanError& e) {
      throw StoreError(corrupt(path, e.offset, e.what()));
    }
    for (const journal::ScannedRecord& rec : scan.records) {
      try {
        if (rec.type != journal::RecordType::archived_game)
          throw journal::DecodeError("record type not allowed in the games log");
        archive->remember(journal::decode_archived_game(rec.payload));
      } catch (const journal::DecodeError& e) {
        throw StoreError(corrupt(path, rec.offset, e.what()));
      }
    }
    good_end = scan.good_end;
    if (scan.torn && writable) {
      spdlog::warn("store: discarding a torn last record in {} at byte offset {} ({} bytes: {})",
                   path.string(), scan.good_end, bytes->size() - scan.good_end, scan.torn_why);
    }
  }
  if (!writable) return archive;

  reactor::UniqueFd fd;
  try {
    if (bytes) {
      fd.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
      if (!fd) throw std::system_error(errno, std::generic_category(), "open " + path.string());
      if (good_end < bytes->size() &&
          (::ftruncate(fd.get(), static_cast<off_t>(good_end)) != 0 || ::fsync(fd.get()) != 0))
        throw std::system_error(errno, std::generic_category(),
                                "cut the torn tail off " + path.string());
    } else {
      fd = journal::replace_file(path, journal::encode_file_header(journal::FileKind::games, 0));
    }
  } catch (const std::system_error& e) {
    throw StoreError(std::string("cannot open the games log for writing: ") + e.what() +
                     " (is the disk full or read-only?)");
  }
  archive->writer_ = std::make_unique<journal::JournalWriter>(
      dir, std::move(fd), good_end, journal::kGamesFile, journal::JournalWriter::OnFailure::retry);
  return archive;
}

GameArchive::~GameArchive() = default;

void GameArchive::remember(ArchivedGame game) {
  ++count_;
  last_id_ = std::max(last_id_, game.id);
  if (keep_recent_ == 0) return;
  while (recent_.size() >= keep_recent_) recent_.pop_front();
  recent_.push_back(std::move(game));
}

uint64_t GameArchive::add(ArchivedGame game) {
  if (!writer_) throw StoreError("the games log " + path_.string() + " is open read-only");
  game.id = last_id_ + 1;
  if (game.moves.size() > kMaxArchivedMoves) {
    spdlog::warn("game {}: {} turns; the record keeps the first {}", game.id, game.moves.size(),
                 kMaxArchivedMoves);
    game.moves.resize(kMaxArchivedMoves);
  }
  journal::append_record(pending_, journal::RecordType::archived_game,
                         journal::encode_archived_game(game));
  const uint64_t id = game.id;
  remember(std::move(game));
  return id;
}

void GameArchive::stage() {
  if (writer_ && !pending_.empty()) writer_->enqueue_append(std::exchange(pending_, {}));
}

bool GameArchive::write_staged() { return !writer_ || writer_->drain(); }

std::string GameArchive::last_error() const { return writer_ ? writer_->last_error() : ""; }

ArchivedGame archive_of(const GameRecord& result, int64_t started,
                        const std::vector<game::Move>& moves, ArchivedClock clock) {
  ArchivedGame g;
  g.clock = clock;
  g.started = started;
  g.result = result;
  g.moves.reserve(moves.size());
  for (const game::Move& m : moves) g.moves.push_back(m.to_pdn());
  return g;
}

proto::EndReason end_reason_of(const std::string& reason) {
  static const std::pair<const char*, proto::EndReason> kReasons[] = {
      {"no-pieces", proto::EndReason::NoPieces},
      {"no-legal-move", proto::EndReason::NoLegalMove},
      {"resigned", proto::EndReason::Resignation},
      {"timeout", proto::EndReason::Time},
      {"abandoned", proto::EndReason::PlayerLeft},
      {"draw-agreed", proto::EndReason::DrawAgreed},
      {"repetition", proto::EndReason::Repetition},
      {"forty-move-rule", proto::EndReason::FortyMoveRule},
  };
  for (const auto& [text, code] : kReasons)
    if (reason == text) return code;
  return static_cast<proto::EndReason>(0xFF);
}

namespace {

// "22x15x6" -> the Path of its squares (PDN numbers to protocol x, y).
proto::Path path_of(const std::string& move) {
  std::vector<std::pair<int, int>> xy;
  for (size_t at = 0; at < move.size();) {
    const size_t end = move.find_first_of("-x", at);
    const int n = std::stoi(move.substr(at, end - at));
    if (n >= 1 && n <= 32) {
      const game::Square s = game::square_of_pdn(n);
      xy.emplace_back(s.x, s.y);
    }
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return proto::Path::of(xy).value_or(proto::Path{});
}

}  // namespace

std::vector<proto::Message> fetch_games_answer(const GameArchive& archive,
                                               const std::string& player, uint8_t max) {
  const size_t limit = std::min<size_t>(max, proto::FetchGames::kLimit);
  std::vector<const ArchivedGame*> games;
  const auto& recent = archive.recent();
  for (auto it = recent.rbegin(); it != recent.rend() && games.size() < limit; ++it)
    if (it->result.a == player || it->result.b == player) games.push_back(&*it);
  std::vector<proto::Message> out;
  if (games.empty()) {
    out.emplace_back(proto::RecordEntry{});
    return out;
  }
  const auto count = static_cast<uint16_t>(games.size());
  for (size_t i = 0; i < games.size(); ++i) {
    const ArchivedGame& g = *games[i];
    const GameRecord& r = g.result;
    const bool black = r.a == player;
    proto::RecordEntry e;
    e.index = static_cast<uint16_t>(i + 1);
    e.count = count;
    e.record_id = static_cast<uint32_t>(g.id);
    e.ended_at = static_cast<uint32_t>(std::max<int64_t>(0, r.when));
    e.colour = black ? proto::Colour::Primary : proto::Colour::Secondary;
    e.opponent_name = black ? r.b : r.a;
    e.winner = r.score_a == 1.0   ? proto::Winner::Primary
               : r.score_a == 0.0 ? proto::Winner::Secondary
                                  : proto::Winner::Draw;
    e.reason = end_reason_of(r.reason);
    e.plies = static_cast<uint16_t>(g.moves.size());
    e.own_old = (black ? r.a_before : r.b_before).wire_rating();
    e.own_new = (black ? r.a_after : r.b_after).wire_rating();
    e.opponent_old = (black ? r.b_before : r.a_before).wire_rating();
    e.opponent_new = (black ? r.b_after : r.a_after).wire_rating();
    e.clock_kind = static_cast<proto::ClockKind>(g.clock.kind);
    e.base_ms = g.clock.base_ms;
    e.increment_ms = g.clock.increment_ms;
    out.emplace_back(e);
    for (size_t ply = 0; ply < g.moves.size(); ++ply)
      out.emplace_back(
          proto::RecordMove{e.record_id, static_cast<uint16_t>(ply + 1), path_of(g.moves[ply])});
  }
  return out;
}

std::vector<ArchivedGame> read_game_archive(const std::filesystem::path& dir) {
  const auto archive = GameArchive::open(dir, false, std::numeric_limits<std::size_t>::max());
  return {archive->recent().begin(), archive->recent().end()};
}

game::PdnGame to_pdn(const ArchivedGame& g, const std::string& site) {
  const GameRecord& r = g.result;
  game::PdnGame pdn;
  pdn.result = r.score_a == 1.0 ? "1-0" : r.score_a == 0.0 ? "0-1" : "1/2-1/2";
  pdn.tags = {{"Event", "Rated game"},
              {"Site", site},
              {"Date", pdn_date(g.started != 0 ? g.started : r.when)},
              {"Round", std::to_string(g.id)},
              {"Black", r.a},
              {"White", r.b},
              {"Result", pdn.result},
              {"GameType", "21"},
              {"BlackRating", rating_text(r.a_before)},
              {"WhiteRating", rating_text(r.b_before)},
              {"Termination", r.reason}};
  pdn.moves = g.moves;
  return pdn;
}

}  // namespace checkers::server
