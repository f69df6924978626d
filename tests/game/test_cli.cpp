// The checkers-engine binary: perft output, best move, board display, version, bad input.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

struct Run {
  int status;
  std::string out;
};

Run run(const std::string& args) {
  const std::string cmd =
      std::string(CHECKERS_BIN_DIR) + "/checkers-engine " + args + " 2>/dev/null";
  FILE* f = popen(cmd.c_str(), "r");
  REQUIRE(f != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const int st = pclose(f);
  REQUIRE(WIFEXITED(st));
  return Run{WEXITSTATUS(st), out};
}

}  // namespace

TEST_CASE("checkers-engine perft prints the leaf count") {
  const Run r = run("perft 5");
  CHECK(r.status == 0);
  CHECK(r.out == "7361\n");
  const Run p = run("perft 2 --position B:W18,19,32:B15");
  CHECK(p.status == 0);
  CHECK(p.out == "8\n");  // 15x22 or 15x24, then White has four steps either way
  const Run s = run("perft 3 --stats");
  CHECK(s.out.rfind("302\n", 0) == 0);
  CHECK(s.out.find("nodes_per_sec") != std::string::npos);
}

TEST_CASE("checkers-engine bestmove and show") {
  const Run b = run("bestmove --depth 8 --position B:WK13,K29:BK18,K22");
  CHECK(b.status == 0);
  CHECK(b.out.rfind("18-14\n", 0) == 0);
  const Run t = run("bestmove --ms 50");
  CHECK(t.status == 0);
  CHECK(t.out.find("hops (") != std::string::npos);
  const Run none = run("bestmove --position W:W29:B22,25");
  CHECK(none.status == 1);
  CHECK(none.out == "none\n");
  const Run s = run("show --position W:W21,22,K27:B1,2,K5");
  CHECK(s.status == 0);
  CHECK(s.out.find("27W") != std::string::npos);
  CHECK(s.out.find(" 5B") != std::string::npos);
  CHECK(s.out.find("To move: White") != std::string::npos);
  CHECK(run("--version").out.rfind("checkers-engine ", 0) == 0);
}

TEST_CASE("checkers-engine rejects bad flags and bad input with exit 2") {
  CHECK(run("--bogus").status == 2);
  CHECK(run("perft").status == 2);
  CHECK(run("perft five").status == 2);
  CHECK(run("perft 3 --bogus").status == 2);
  CHECK(run("bestmove --depth 3 --ms 10").status == 2);
  CHECK(run("perft 3 --position X:nonsense").status == 2);
  CHECK(run("").status == 2);
}

TEST_CASE("checkers-engine replay checks every game of a PDN database") {
  char path[] = "/tmp/checkers-replay-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  // Three games as `checkers-server game export --all` writes them; the second has no
  // moves (abandoned at once), the third no result (tags after it start the next).
  const std::string db =
      "[Event \"Rated game\"]\n[Round \"1\"]\n[Result \"0-1\"]\n\n"
      "1. 9-13 22-18 2. 10-14 18x9 3. 5x14 0-1\n\n"
      "[Event \"Rated game\"]\n[Round \"2\"]\n[Result \"0-1\"]\n\n0-1\n\n"
      "[Event \"Rated game\"]\n[Round \"3\"]\n\n1. 9-13 23-18\n\n"
      "[Event \"Rated game\"]\n[Round \"4\"]\n\n1. 11-15 *\n";
  REQUIRE(write(fd, db.data(), db.size()) == static_cast<ssize_t>(db.size()));
  close(fd);
  const Run ok = run(std::string("replay ") + path);
  CHECK(ok.status == 0);
  CHECK(ok.out.find("game 1: 5 plies replayed, all legal; result 0-1") != std::string::npos);
  CHECK(ok.out.find("game 2: 0 plies replayed") != std::string::npos);
  CHECK(ok.out.find("game 3: 2 plies replayed, all legal; result *") != std::string::npos);
  CHECK(ok.out.find("4 games, every move legal") != std::string::npos);

  // An illegal move in the second game of two: exit 1.
  const std::string bad = "1. 9-13 *\n\n[Round \"2\"]\n1. 9-18 *\n";
  FILE* f = std::fopen(path, "w");
  REQUIRE(f != nullptr);
  std::fputs(bad.c_str(), f);
  std::fclose(f);
  CHECK(run(std::string("replay ") + path).status == 1);
  std::remove(path);
}
