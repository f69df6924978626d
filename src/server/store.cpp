// AccountStore: recovery (snapshot + journal replay) and the in-memory
// mutations that append journal records. Durability lives in journal.cpp.
#include "server/store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

#include "server/game_records.hpp"
#include "server/glicko2.hpp"
#include "server/journal.hpp"
#include "server/journal_codec.hpp"
#include "server/store_lock.hpp"

namespace checkers::server {

using journal::RecordType;

namespace {

std::string corrupt(const std::filesystem::path& file, uint64_t offset, const std::string& why) {
  return "store file " + file.string() + " is corrupt at byte offset " + std::to_string(offset) +
         ": " + why + " (refusing to start; restore a backup or repair the file)";
}

void check_name(std::string_view name) {
  if (!valid_username(name)) throw std::invalid_argument("invalid user name (1-16 bytes, no NUL)");
}

}  // namespace

// Reads the snapshot and the journal into a store (friend of AccountStore).
class StoreLoader {
 public:
  StoreLoader(AccountStore& store, bool writable) : s_(store), writable_(writable) {}

  uint64_t load_snapshot() {
    const auto path = s_.dir_ / journal::kSnapshotFile;
    const auto bytes = journal::read_file(path);
    if (!bytes) return 0;
    const uint64_t generation = header(path, *bytes, journal::FileKind::snapshot);
    s_.snapshot_bytes_ = bytes->size();
    journal::ScanResult scan = this->scan(path, *bytes);
    if (scan.torn)
      throw StoreError(corrupt(path, scan.good_end, "snapshot truncated: " + scan.torn_why));
    bool ended = false;
    for (const auto& rec : scan.records) {
      if (ended) throw StoreError(corrupt(path, rec.offset, "record after the end marker"));
      try {
        switch (rec.type) {
          case RecordType::account_put: {
            Account a = journal::decode_account(rec.payload);
            std::string name = a.name;
            s_.accounts_[std::move(name)] = std::move(a);
            break;
          }
          case RecordType::game_history:
            s_.remember_game(journal::decode_game(rec.payload));
            break;
          case RecordType::snapshot_end: {
            const auto [accounts, games] = journal::decode_counts(rec.payload);
            if (accounts != s_.accounts_.size() || games != s_.games_.size())
              throw journal::DecodeError("end marker counts do not match the records");
            ended = true;
            break;
          }
          default:
            throw journal::DecodeError("record type not allowed in a snapshot");
        }
      } catch (const journal::DecodeError& e) {
        throw StoreError(corrupt(path, rec.offset, e.what()));
      }
    }
    if (!ended) throw StoreError(corrupt(path, scan.good_end, "snapshot has no end marker"));
    return generation;
  }

  // Returns the journal's intact size, or nullopt if a fresh journal is needed.
  std::optional<uint64_t> load_journal(uint64_t generation) {
    const auto path = s_.dir_ / journal::kJournalFile;
    const auto bytes = journal::read_file(path);
    if (!bytes) return std::nullopt;
    const uint64_t jgen = header(path, *bytes, journal::FileKind::journal);
    if (jgen < generation) {
      // A crash between the two renames of a compaction: everything in
      // this journal is already in the newer snapshot.
      spdlog::info("store: {} predates {} (generation {} < {}); starting a fresh journal",
                   path.string(), journal::kSnapshotFile, jgen, generation);
      return std::nullopt;
    }
    if (jgen > generation)
      throw StoreError(corrupt(path, 0,
                               "journal generation " + std::to_string(jgen) +
                                   " is newer than the snapshot's " + std::to_string(generation) +
                                   " (snapshot missing or replaced?)"));
    journal::ScanResult scan = this->scan(path, *bytes);
    for (const auto& rec : scan.records) {
      try {
        apply(rec);
      } catch (const journal::DecodeError& e) {
        throw StoreError(corrupt(path, rec.offset, e.what()));
      }
    }
    if (scan.torn) {
      spdlog::warn("store: discarding a torn last record in {} at byte offset {} ({} bytes: {})",
                   path.string(), scan.good_end, bytes->size() - scan.good_end, scan.torn_why);
      if (writable_) truncate(path, scan.good_end);
    }
    return scan.good_end;
  }

 private:
  static uint64_t header(const std::filesystem::path& path, std::string_view bytes,
                         journal::FileKind kind) {
    try {
      return journal::parse_file_header(bytes, kind);
    } catch (const journal::DecodeError& e) {
      throw StoreError(corrupt(path, 0, e.what()));
    }
  }

  static journal::ScanResult scan(const std::filesystem::path& path, std::string_view bytes) {
    try {
      return journal::scan_records(bytes, journal::kFileHeaderSize);
    } catch (const journal::ScanError& e) {
      throw StoreError(corrupt(path, e.offset, e.what()));
    }
  }

  void apply(const journal::ScannedRecord& rec) {
    switch (rec.type) {
      case RecordType::account_put: {
        Account a = journal::decode_account(rec.payload);
        std::string name = a.name;
        s_.accounts_[std::move(name)] = std::move(a);
        break;
      }
      case RecordType::password_set: {
        auto [name, hash] = journal::decode_name_and_string(rec.payload);
        if (auto it = s_.accounts_.find(name); it != s_.accounts_.end())
          it->second.password_hash = hash;
        break;
      }
      case RecordType::account_del:
        s_.accounts_.erase(journal::decode_name(rec.payload));
        break;
      case RecordType::game: {
        GameRecord g = journal::decode_game(rec.payload);
        s_.apply_game(g);
        s_.remember_game(g);
        break;
      }
      case RecordType::touch: {
        auto [name, when] = journal::decode_name_and_time(rec.payload);
        if (auto it = s_.accounts_.find(name); it != s_.accounts_.end())
          it->second.last_seen = when;
        break;
      }
      default:
        throw journal::DecodeError("record type not allowed in a journal");
    }
  }

  static void truncate(const std::filesystem::path& path, uint64_t size) {
    reactor::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd || ::ftruncate(fd.get(), static_cast<off_t>(size)) != 0 || ::fsync(fd.get()) != 0)
      throw StoreError("cannot cut the torn tail off " + path.string() + ": " +
                       std::strerror(errno));
  }

  AccountStore& s_;
  bool writable_;
};

std::unique_ptr<AccountStore> AccountStore::open(const std::filesystem::path& dir, bool take_lock) {
  StoreOptions options;
  options.take_lock = take_lock;
  return open(dir, options);
}

std::unique_ptr<AccountStore> AccountStore::open(const std::filesystem::path& dir,
                                                 const StoreOptions& options) {
  // A read-only reader races with the running server's compaction (snapshot
  // and journal replaced between our two reads), so it retries a few times.
  const int attempts = options.take_lock ? 1 : 5;
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<AccountStore> store(new AccountStore());
    store->dir_ = dir;
    store->options_ = options;
    try {
      store->load(options);
      return store;
    } catch (const StoreError&) {
      if (attempt >= attempts) throw;
    }
  }
}

void AccountStore::load(const StoreOptions& options) {
  if (options.take_lock) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw StoreError("cannot create data dir " + dir_.string() + ": " + ec.message());
    lock_ = DataDirLock::acquire(dir_);
  } else if (!std::filesystem::is_directory(dir_)) {
    archive_ = GameArchive::open(dir_, false, options.game_history);
    return;  // read-only view of a store that does not exist yet: empty
  }
  StoreLoader loader(*this, options.take_lock);
  generation_ = loader.load_snapshot();
  const std::optional<uint64_t> journal_size = loader.load_journal(generation_);
  archive_ = GameArchive::open(dir_, options.take_lock, options.game_history);
  if (!options.take_lock) return;

  const auto path = dir_ / journal::kJournalFile;
  reactor::UniqueFd fd;
  uint64_t size = 0;
  try {
    if (journal_size) {
      fd.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
      if (!fd) throw std::system_error(errno, std::generic_category(), "open " + path.string());
      size = *journal_size;
    } else {
      fd = journal::replace_file(
          path, journal::encode_file_header(journal::FileKind::journal, generation_));
      size = journal::kFileHeaderSize;
    }
  } catch (const std::system_error& e) {
    throw StoreError(std::string("cannot open the journal for writing: ") + e.what() +
                     " (is the disk full or read-only?)");
  }
  journal_bytes_ = size;
  writer_ = std::make_unique<journal::JournalWriter>(dir_, std::move(fd), size);
}

AccountStore::~AccountStore() {
  if (!writer_ || (!has_pending() && !writer_->broken())) return;
  try {
    sync();
  } catch (const std::exception& e) {
    spdlog::error("store: final sync of {} failed: {}", dir_.string(), e.what());
  }
}

const Account* AccountStore::find(std::string_view name) const {
  const auto it = accounts_.find(name);
  return it == accounts_.end() ? nullptr : &it->second;
}

std::vector<Account> AccountStore::list() const {
  std::vector<Account> out;
  out.reserve(accounts_.size());
  for (const auto& [name, account] : accounts_) out.push_back(account);
  return out;
}

void AccountStore::require_writable() const {
  if (!writer_) throw StoreError("the store in " + dir_.string() + " is open read-only");
}

void AccountStore::append(std::string record) { pending_ += record; }

namespace {
std::string framed(RecordType type, std::string_view payload) {
  std::string out;
  journal::append_record(out, type, payload);
  return out;
}
}  // namespace

bool AccountStore::create_account(Account account) {
  check_name(account.name);
  require_writable();
  if (accounts_.contains(account.name)) return false;
  append(framed(RecordType::account_put, journal::encode_account(account)));
  std::string name = account.name;
  accounts_.emplace(std::move(name), std::move(account));
  return true;
}

bool AccountStore::set_password_hash(std::string_view name, std::string hash) {
  require_writable();
  const auto it = accounts_.find(name);
  if (it == accounts_.end()) return false;
  append(framed(RecordType::password_set, journal::encode_name_and_string(name, hash)));
  it->second.password_hash = std::move(hash);
  return true;
}

bool AccountStore::remove_account(std::string_view name) {
  require_writable();
  const auto it = accounts_.find(name);
  if (it == accounts_.end()) return false;
  append(framed(RecordType::account_del, journal::encode_name(name)));
  accounts_.erase(it);
  return true;
}

void AccountStore::apply_game(const GameRecord& game) {
  const auto update = [&](const std::string& name, const Glicko& after, double score) {
    const auto it = accounts_.find(name);
    if (it == accounts_.end()) return;
    Account& acc = it->second;
    acc.glicko = after;
    ++acc.games;
    if (score == 1.0) {
      ++acc.wins;
    } else if (score == 0.0) {
      ++acc.losses;
    } else {
      ++acc.draws;
    }
    acc.last_seen = std::max(acc.last_seen, game.when);
  };
  update(game.a, game.a_after, game.score_a);
  update(game.b, game.b_after, 1.0 - game.score_a);
}

void AccountStore::remember_game(const GameRecord& game) {
  if (options_.game_history == 0) return;
  while (games_.size() >= options_.game_history) games_.pop_front();
  games_.push_back(game);
}

void AccountStore::record_game(const GameRecord& game) {
  require_writable();
  if (!(game.score_a == 0.0 || game.score_a == 0.5 || game.score_a == 1.0))
    throw std::invalid_argument("game score must be 0, 0.5 or 1");
  append(framed(RecordType::game, journal::encode_game(game)));
  apply_game(game);
  remember_game(game);
}

GameRecord AccountStore::finish_game(std::string_view a, std::string_view b, double score_a,
                                     std::string reason, int64_t when) {
  GameRecord game;
  game.a = std::string(a);
  game.b = std::string(b);
  game.score_a = score_a;
  game.reason = std::move(reason);
  game.when = when;
  if (const Account* acc = find(a)) game.a_before = acc->glicko;
  if (const Account* acc = find(b)) game.b_before = acc->glicko;
  const GlickoResult rated = rate_game(game.a_before, game.b_before, score_a);
  game.a_after = rated.a;
  game.b_after = rated.b;
  record_game(game);
  return game;
}

uint64_t AccountStore::archive_game(ArchivedGame game) {
  require_writable();
  return archive_->add(std::move(game));
}

bool AccountStore::has_pending() const { return !pending_.empty() || archive_->has_pending(); }

void AccountStore::touch(std::string_view name, int64_t when) {
  require_writable();
  const auto it = accounts_.find(name);
  if (it == accounts_.end()) return;
  it->second.last_seen = when;
  append(framed(RecordType::touch, journal::encode_name_and_time(name, when)));
}

std::string AccountStore::encode_snapshot(uint64_t generation) const {
  std::string out = journal::encode_file_header(journal::FileKind::snapshot, generation);
  for (const auto& [name, account] : accounts_)
    journal::append_record(out, RecordType::account_put, journal::encode_account(account));
  for (const GameRecord& game : games_)
    journal::append_record(out, RecordType::game_history, journal::encode_game(game));
  journal::append_record(out, RecordType::snapshot_end,
                         journal::encode_counts(accounts_.size(), games_.size()));
  return out;
}

bool AccountStore::compaction_due() const {
  const uint64_t limit = std::max<uint64_t>(options_.compact_min_bytes, 4 * snapshot_bytes_);
  return journal_bytes_ + pending_.size() > limit;
}

void AccountStore::stage() {
  require_writable();
  archive_->stage();
  const bool snapshot = force_snapshot_ || writer_->broken() || compaction_due();
  if (snapshot) {
    // The snapshot holds the whole in-memory state, pending records included.
    pending_.clear();
    force_snapshot_ = false;
    std::string bytes = encode_snapshot(++generation_);
    snapshot_bytes_ = bytes.size();
    journal_bytes_ = journal::kFileHeaderSize;
    writer_->enqueue_snapshot(std::move(bytes), generation_);
  } else if (!pending_.empty()) {
    journal_bytes_ += pending_.size();
    writer_->enqueue_append(std::exchange(pending_, {}));
  }
}

// The game's moves first: a crash between the two fsyncs leaves a game in games.log whose
// rating change is not applied (its GameOver was never sent), never a rated game whose
// moves are lost.
bool AccountStore::write_staged() {
  if (!writer_) return false;
  const bool games_ok = archive_->write_staged();
  const bool journal_ok = writer_->drain();
  return games_ok && journal_ok;
}

void AccountStore::sync() {
  stage();
  if (!write_staged()) {
    const std::string why = writer_->broken() ? writer_->last_error() : archive_->last_error();
    throw StoreError("cannot persist the store in " + dir_.string() + ": " + why);
  }
}

void AccountStore::compact() {
  require_writable();
  force_snapshot_ = true;
  sync();
}

uint64_t AccountStore::fsyncs() const { return writer_ ? writer_->fsyncs() : 0; }

}  // namespace checkers::server
