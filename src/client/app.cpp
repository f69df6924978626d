#include "client/app.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "client/bot.hpp"
#include "client/game_saver.hpp"
#include "client/interactive.hpp"
#include "client/local_game.hpp"
#include "client/session.hpp"
#include "client/terminal.hpp"
#include "client/xdg.hpp"
#include "reactor/event_loop.hpp"
#include "reactor/log.hpp"
#include "reactor/signal_watcher.hpp"

#ifdef CHECKERS_HAVE_DISCOVERY
#include "discovery/browser.hpp"
#include "discovery/server_list.hpp"
#endif

namespace checkers::client {

namespace {

// Logs go to stderr unless stderr is the very terminal the UI draws on.
void setup_logging(const ClientOptions& o) {
  const auto level = o.verbose ? spdlog::level::debug : spdlog::level::warn;
  if (!same_terminal(STDOUT_FILENO, STDERR_FILENO)) {
    reactor::configure_logging(level);
    return;
  }
  const std::filesystem::path file =
      o.log_file ? std::filesystem::path(*o.log_file) : checkers_dir(XdgBase::State) / "client.log";
  try {
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    reactor::configure_logging(level, file.string());
  } catch (const std::exception&) {
    // No writable log file: keep the board clean and drop the logs.
    reactor::configure_logging(spdlog::level::off);
  }
}

uint64_t default_seed() {
  return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
         (static_cast<uint64_t>(::getpid()) << 32);
}

struct ServerChoice {
  std::string host;
  uint16_t port = 0;
  int exit_code = -1;        // >= 0: stop with this code (message already printed)
  bool tls_offered = false;  // announced TLS: never plain text with --tls auto
};

#ifdef CHECKERS_HAVE_DISCOVERY
// ---- LAN discovery hook: no --host-addr ----
ServerChoice choose_discovered(const ClientOptions& o, std::vector<discovery::FoundServer> servers,
                               const discovery::BrowseReport& report) {
  if (o.list_servers) {
    if (servers.empty())
      std::fputs((discovery::format_none_found(report, o.discover_ms) + "\n").c_str(), stderr);
    else
      std::fputs(discovery::format_server_list(servers).c_str(), stdout);
    return {{}, 0, servers.empty() ? kExitUsage : kExitOk};
  }
  if (servers.empty()) {
    std::fputs((discovery::format_none_found(report, o.discover_ms) + "\n").c_str(), stderr);
    return {{}, 0, kExitUsage};
  }
  const discovery::FoundServer* pick = &servers.front();
  if (servers.size() > 1) {
    if (o.bot || !is_tty(STDIN_FILENO)) {
      pick = &discovery::pick_best(servers, proto::kProtocolVersion);
    } else {
      std::fputs(discovery::format_server_list(servers).c_str(), stdout);
      for (;;) {
        std::printf("Which server (1-%zu)? ", servers.size());
        std::fflush(stdout);
        char line[64];
        if (std::fgets(line, sizeof line, stdin) == nullptr) return {{}, 0, kExitOk};
        const int n = std::atoi(line);
        if (n >= 1 && static_cast<size_t>(n) <= servers.size()) {
          pick = &servers[static_cast<size_t>(n - 1)];
          break;
        }
      }
    }
  }
  std::printf("Using the checkers server %s at %s port %u.\n",
              discovery::printable(pick->name).c_str(), pick->address.c_str(),
              static_cast<unsigned>(pick->tcp_port));
  std::fflush(stdout);
  return {pick->address, pick->tcp_port, -1, pick->tls};
}

// CLIENT: DISCOVERY without --host-addr - browse the LAN, then use the one server found or let the
// user pick.
ServerChoice discover(reactor::EventLoop& loop, const ClientOptions& o) {
  discovery::BrowserConfig config;
  config.duration = std::chrono::milliseconds(o.discover_ms);
  discovery::DiscoveryBrowser browser(loop, config);
  ServerChoice choice;
  bool done = false;
  browser.start([&](std::vector<discovery::FoundServer> servers, discovery::BrowseReport report) {
    choice = choose_discovered(o, std::move(servers), report);
    done = true;
  });
  while (!done) loop.run_once(std::chrono::milliseconds(100));
  return choice;
}
#else
ServerChoice discover(reactor::EventLoop&, const ClientOptions& o) {
  std::fprintf(
      stderr,
      "checkers-client: LAN discovery is not available in this build; pass the server with "
      "--host-addr ADDRESS (and --port, default %u).\n",
      static_cast<unsigned>(o.port));
  return {{}, 0, kExitUsage};
}
#endif

// Null after printing why (an unreadable --tls-ca).
std::shared_ptr<TlsClient> make_tls_client(const ClientOptions& o) {
  TlsClientOptions t;
  t.mode = o.tls;
  t.pinned_fingerprint = o.tls_fingerprint.value_or("");
  t.ca_file = o.tls_ca.value_or("");
  if (const char* keylog = std::getenv("SSLKEYLOGFILE"); keylog != nullptr && *keylog != '\0') {
    t.keylog_file = keylog;
    spdlog::warn("SSLKEYLOGFILE is set: TLS session keys are written to {}", keylog);
  }
  try {
    return std::make_shared<TlsClient>(std::move(t));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkers-client: %s\n", e.what());
    return nullptr;
  }
}

}  // namespace

int run_client(const ClientOptions& o) {
  setup_logging(o);
  reactor::ignore_sigpipe();
  reactor::EventLoop loop(o.poller.value_or(reactor::default_poller()));
  reactor::SignalWatcher signals(loop);
  spdlog::debug("poller: {}", reactor::to_string(loop.poller_kind()));

  // CLIENT: the server is --host-addr (IPv4/IPv6 address or host name) when given, else found by
  // LAN discovery.
  ServerChoice server{o.host.value_or(""), o.port, -1};
  if (!o.vs_computer && (!o.host || o.list_servers)) {
    server = discover(loop, o);
    if (server.exit_code >= 0) return server.exit_code;
  }

  const bool interactive = !o.bot.has_value();
  TerminalGuard terminal(STDIN_FILENO);
  // A person's games are saved by default; a bot's (a batch of games) only into --games-dir.
  const bool save = !o.no_save && (!o.bot || o.games_dir);
  GameSaver saver(save
                      ? std::optional<std::filesystem::path>(
                            o.games_dir ? std::filesystem::path(*o.games_dir) : default_games_dir())
                      : std::nullopt);
  int round = 0;
  int exit_code = kExitOk;
  std::string final_message;
  Session session(loop, server.host, server.port, [&](int code, const std::string& message) {
    exit_code = code;
    final_message = message;
    loop.defer([&loop] { loop.quit(); });
  });
  if (!o.vs_computer) {
    session.set_offered_version(static_cast<uint8_t>(o.protocol));
    std::shared_ptr<TlsClient> tls = make_tls_client(o);
    if (!tls) return kExitUsage;
    if (server.tls_offered) tls->offered(server.host, server.port);
    session.set_tls(std::move(tls));
  }

  if (o.vs_computer) {
    const uint64_t seed = o.seed.value_or(default_seed());
    session.use_link(
        [&loop, level = *o.vs_computer, seed](Link::Callbacks cb) {
          return std::make_unique<LocalGame>(loop, level, seed, std::move(cb));
        },
        "this computer");
  }
  const bool live = interactive && is_tty(STDOUT_FILENO);
  const bool ansi = live && !o.no_color && std::getenv("NO_COLOR") == nullptr;
  Screen screen(ansi, live);
  screen.set_width(terminal_columns(STDOUT_FILENO));
  auto save_game = [&](const GameTracker& game, const GameOutcome& outcome) {
    GameInfo info{session.credentials().username,
                  session.endpoint(),
                  o.vs_computer ? "Game against the computer" : "Rated game",
                  o.vs_computer ? std::nullopt : session.my_rating(),
                  ++round,
                  !o.vs_computer};
    return saver.save(game, outcome, info);
  };
  std::unique_ptr<Frontend> frontend;
  const reactor::UniqueFd own_input = reopen_terminal_nonblocking(STDIN_FILENO);
  const int input_fd = own_input ? own_input.get() : STDIN_FILENO;
  std::unique_ptr<LineReader> reader;
  std::unique_ptr<LineEditor> editor;
  InteractivePlayer* player = nullptr;
  if (interactive) {
    const bool edit = live && terminal.is_terminal();
    InteractivePlayer::Config config{o.username,           o.password, ansi,
                                     is_tty(STDIN_FILENO), edit,       save_game};
    if (o.vs_computer) {
      // Nobody to log in to: the account name only labels the saved games.
      const char* user = std::getenv("USER");
      config.username = o.username.value_or(user != nullptr && *user != '\0' ? user : "player");
      config.password = "";
      config.local = true;
    }
    auto p = std::make_unique<InteractivePlayer>(session, screen, terminal, config);
    player = p.get();
    frontend = std::move(p);
    auto on_line = [player](std::string line) { player->on_line(std::move(line)); };
    auto on_eof = [player] { player->on_eof(); };
    if (edit) {
      terminal.set_raw(true);
      editor = std::make_unique<LineEditor>(loop, input_fd, screen, on_line, on_eof);
    } else {
      reader = std::make_unique<LineReader>(loop, input_fd, on_line, on_eof);
    }
  } else {
    auto bot = std::make_unique<BotPlayer>(loop, session, Credentials{*o.username, *o.password},
                                           *o.bot, o.games, o.seed.value_or(default_seed()),
                                           [](const std::string& line) {
                                             std::fputs((line + "\n").c_str(), stdout);
                                             std::fflush(stdout);
                                           });
    bot->set_game_saver(save_game);
    bot->set_rematch(o.bot_rematch);
    frontend = std::move(bot);
  }
  session.set_frontend(frontend.get());

  // Ctrl-C: a person in a game is asked first (a second Ctrl-C confirms); otherwise, and
  // on the usual termination signals, say goodbye to the server and exit 0.
  signals.on(SIGINT, [&session, player](int) {
    if (player) {
      player->on_interrupt();
      return;
    }
    session.quit(kExitOk, "");
  });
  for (int signo : {SIGTERM, SIGHUP}) {
    signals.on(signo, [&session, &screen, interactive](int) {
      if (interactive) screen.println("");
      session.quit(
          kExitOk,
          interactive ? (session.logged_in() ? "Interrupted: logged out." : "Interrupted.") : "");
    });
  }
  if (live) {
    signals.on(SIGWINCH, [&screen, player](int) {
      screen.set_width(terminal_columns(STDOUT_FILENO));
      player->redraw();
    });
  }

  frontend->begin();
  if (reader) reader->start();
  if (editor) editor->start();
  loop.run();
  if (reader) reader->stop();
  if (editor) editor->stop();
  terminal.restore();
  screen.close();  // the status line and prompt go; what follows is plain

  if (!final_message.empty()) {
    if (exit_code == kExitOk && interactive) {
      screen.println(final_message);
    } else {
      const std::string line = "checkers-client: " + final_message;
      const bool terminal = is_tty(STDERR_FILENO);
      std::fprintf(
          stderr, "%s\n",
          terminal ? wrap_text(line, terminal_columns(STDERR_FILENO) - 1).c_str() : line.c_str());
      if (interactive && !same_terminal(STDOUT_FILENO, STDERR_FILENO) && is_tty(STDOUT_FILENO))
        screen.println(final_message);
    }
  }
  spdlog::info("exit {}", exit_code);
  spdlog::default_logger()->flush();
  return exit_code;
}

int client_main(int argc, char** argv) {
  auto parsed = parse_options(argc, argv);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  try {
    return run_client(std::get<ClientOptions>(parsed));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkers-client: %s\n", e.what());
    return kExitServer;
  }
}

}  // namespace checkers::client
