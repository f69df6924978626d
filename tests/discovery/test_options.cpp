// The server's discovery options: defaults, parsing and validation.
#include "discovery/responder_options.hpp"

#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>

using namespace checkers::discovery;

namespace {
ResponderOptions parse_args(std::vector<std::string> args) {
  CLI::App app;
  ResponderOptions o;
  add_responder_options(app, o);
  std::reverse(args.begin(), args.end());  // CLI11 takes a reversed vector
  app.parse(args);
  check_responder_options(o);
  return o;
}
}  // namespace

TEST_CASE("discovery options: defaults") {
  auto o = parse_args({});
  CHECK(o.enabled);
  CHECK(o.udp_port == 8864);
  CHECK_FALSE(o.legacy_beacon);
  auto c = to_responder_config(o, 9000);
  CHECK(c.announce_interval == std::chrono::milliseconds(5000));
  CHECK(c.tcp_port == 9000);
  CHECK(c.udp_port == 8864);
  CHECK(c.bind_address.empty());
}

TEST_CASE("discovery options: every flag") {
  auto o = parse_args({"--udp-port", "9999", "--announce-interval", "0.25", "--legacy-beacon",
                       "--no-discovery", "--server-name", "Club ♔"});
  CHECK_FALSE(o.enabled);
  CHECK(o.legacy_beacon);
  auto c = to_responder_config(o, 8864);
  CHECK(c.udp_port == 9999);
  CHECK(c.announce_interval == std::chrono::milliseconds(250));
  CHECK(c.server_name == "Club ♔");
  CHECK(
      to_responder_config(parse_args({"--announce-interval", "0"}), 1).announce_interval.count() ==
      0);
}

TEST_CASE("discovery options: bad values are usage errors") {
  CHECK_THROWS_AS(parse_args({"--udp-port", "0"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse_args({"--announce-interval", "-1"}), CLI::ValidationError);
  CHECK_THROWS_AS(parse_args({"--server-name", std::string(65, 'x')}), CLI::ValidationError);
}
