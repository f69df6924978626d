// `checkers-server user ...`: account administration on the data dir.
#include "server/user_admin.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "reactor/fd.hpp"
#include "server/password.hpp"
#include "server/store.hpp"

namespace checkers::server {
namespace {

// Names may hold any byte but NUL; keep control bytes off the terminal.
std::string printable(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string format_time(int64_t when) {
  if (when <= 0) return "never";
  const std::time_t t = static_cast<std::time_t>(when);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(when);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

std::optional<std::string> read_tty_password(std::string_view prompt) {
  reactor::UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
  if (!tty) return std::nullopt;
  (void)!::write(tty.get(), prompt.data(), prompt.size());
  termios saved{};
  const bool have_termios = ::tcgetattr(tty.get(), &saved) == 0;
  if (have_termios) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  }
  std::string line;
  bool got_newline = false;
  char c;
  while (::read(tty.get(), &c, 1) == 1) {
    if (c == '\n') {
      got_newline = true;
      break;
    }
    line.push_back(c);
  }
  if (have_termios) ::tcsetattr(tty.get(), TCSAFLUSH, &saved);
  if (!got_newline && line.empty()) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<std::string> read_stdin_password() {
  std::string line;
  if (!std::getline(std::cin, line) && line.empty()) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Reads the new password (twice when interactive); nullopt after printing why.
std::optional<std::string> new_password(const std::string& name, std::ostream& err,
                                        const PasswordReader& read_password, bool interactive) {
  auto first = read_password(fmt::format("Password for {}: ", printable(name)));
  if (!first) {
    err << "error: no password given\n";
    return std::nullopt;
  }
  if (!valid_password(*first)) {
    err << "error: password too long (at most " << kMaxPasswordBytes << " bytes)\n";
    return std::nullopt;
  }
  if (interactive) {
    auto again = read_password("Repeat password: ");
    if (!again || *again != *first) {
      err << "error: passwords do not match\n";
      return std::nullopt;
    }
  }
  return first;
}

int list_users(const std::filesystem::path& data_dir, std::ostream& out, std::ostream& err) {
  // Listing only reads: a mistyped or missing --data-dir is said, never created.
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    err << "error: there is no account store at " << data_dir.string()
        << " (the directory does not exist); pass the server's --data-dir\n";
    return 1;
  }
  std::unique_ptr<AccountStore> store;
  try {
    store = AccountStore::open(data_dir, true);
  } catch (const StoreLockedError&) {
    store = AccountStore::open(data_dir, false);  // the server runs: read-only view
  }
  out << fmt::format("{:<16}  {:>6}  {:>4}  {:>6}  {:>5}  {:>5}  {:>5}  {}\n", "NAME", "RATING",
                     "RD", "GAMES", "WINS", "LOSS", "DRAWS", "LAST SEEN");
  for (const Account& a : store->list()) {
    out << fmt::format("{:<16}  {:>6}  {:>4}  {:>6}  {:>5}  {:>5}  {:>5}  {}\n", printable(a.name),
                       a.glicko.wire_rating(), static_cast<long>(std::lround(a.glicko.rd)), a.games,
                       a.wins, a.losses, a.draws, format_time(a.last_seen));
  }
  return 0;
}

int modify_user(const UserCommandArgs& args, const std::filesystem::path& data_dir,
                std::ostream& out, std::ostream& err, const PasswordReader& read_password,
                bool interactive) {
  if (!valid_username(args.name)) {
    err << "error: invalid user name '" << printable(args.name) << "' (1-" << kMaxUsernameBytes
        << " bytes, no NUL)\n";
    return 1;
  }
  auto store = AccountStore::open(data_dir, true);
  const std::string shown = printable(args.name);
  if (args.action == "del") {
    if (!store->remove_account(args.name)) {
      err << "error: no such user '" << shown << "'\n";
      return 1;
    }
    store->sync();
    out << "deleted user " << shown << "\n";
    return 0;
  }
  const bool exists = store->find(args.name) != nullptr;
  if (args.action == "add" && exists) {
    err << "error: user '" << shown << "' already exists\n";
    return 1;
  }
  if (args.action == "passwd" && !exists) {
    err << "error: no such user '" << shown << "'\n";
    return 1;
  }
  const auto password = new_password(args.name, err, read_password, interactive);
  if (!password) return 1;
  std::string hash = hash_password(*password);
  if (args.action == "add") {
    Account account;
    account.name = args.name;
    account.password_hash = std::move(hash);
    account.created = now_seconds();
    store->create_account(std::move(account));
    store->sync();
    out << "added user " << shown << "\n";
  } else {
    store->set_password_hash(args.name, std::move(hash));
    store->sync();
    out << "changed the password of " << shown << "\n";
  }
  return 0;
}

}  // namespace

CLI::App* add_user_subcommands(CLI::App& app, UserCommandArgs& args) {
  CLI::App* user =
      app.add_subcommand("user", "Manage accounts in --data-dir (add, passwd, del, list)");
  user->require_subcommand(1);
  user->fallthrough();
  struct Spec {
    const char* name;
    const char* help;
    bool takes_name;
  };
  static constexpr Spec kSpecs[] = {
      {"add", "Create an account (password from the terminal, or one line of stdin)", true},
      {"passwd", "Change an account's password", true},
      {"del", "Delete an account", true},
      {"list", "List accounts: name, rating, games, last seen", false},
  };
  for (const Spec& spec : kSpecs) {
    CLI::App* sub = user->add_subcommand(spec.name, spec.help);
    sub->fallthrough();
    if (spec.takes_name) sub->add_option("NAME", args.name, "user name (1-16 bytes)")->required();
    sub->callback([&args, action = std::string(spec.name)] { args.action = action; });
  }
  return user;
}

bool stdin_is_tty() { return ::isatty(STDIN_FILENO) == 1; }

PasswordReader default_password_reader() {
  if (stdin_is_tty()) return read_tty_password;
  return [](std::string_view) { return read_stdin_password(); };
}

int run_user_command(const UserCommandArgs& args, const std::filesystem::path& data_dir,
                     std::ostream& out, std::ostream& err, const PasswordReader& read_password,
                     bool interactive) {
  try {
    if (args.action == "list") return list_users(data_dir, out, err);
    if (args.action == "add" || args.action == "passwd" || args.action == "del")
      return modify_user(args, data_dir, out, err, read_password, interactive);
    err << "error: unknown user command '" << args.action << "'\n";
    return 1;
  } catch (const std::exception& e) {
    err << "error: " << e.what() << "\n";
    return 1;
  }
}

int run_user_command(const UserCommandArgs& args, const std::filesystem::path& data_dir) {
  return run_user_command(args, data_dir, std::cout, std::cerr, default_password_reader(),
                          stdin_is_tty());
}

}  // namespace checkers::server
