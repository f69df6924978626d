// TcpConnection over TLS (issue 17), both ends in one EventLoop: the first-byte selector,
// the per-pass read limit when a record holds more than the limit (the rest is read in
// the next passes, though the socket is not readable again), and coalesced writes - all
// replies of one pass in one TLS write.
#include "reactor/event_loop.hpp"
#include "reactor/tcp_connector.hpp"
#include "reactor/tcp_listener.hpp"
#include "reactor/tls_context.hpp"
#include "server/tls_certificate.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "helpers.hpp"

using namespace checkers;
using namespace checkers::reactor;
using namespace std::chrono_literals;

namespace {

struct TlsPair {
  checkers::test::TempDir dir{"reactor-tls"};
  std::unique_ptr<TlsContext> server;
  std::unique_ptr<TlsContext> client;

  TlsPair() {
    server::create_self_signed(dir / "key.pem", dir / "cert.pem", "localhost");
    server = TlsContext::server((dir / "cert.pem").string(), (dir / "key.pem").string());
    TlsContext::ClientPolicy any;
    any.check_fingerprint = [](const std::string&) { return true; };
    client = TlsContext::client(std::move(any));
  }
};

// Dials the listener and starts TLS on the new connection.
TcpConnectionPtr dial_tls(EventLoop& loop, TcpConnector& connector, const TlsContext& tls) {
  TcpConnectionPtr out;
  connector.connect(
      [&](TcpConnectionPtr c) {
        c->set_transport(tls.connect(c->fd(), "127.0.0.1"));
        out = std::move(c);
      },
      [](const std::string& why) { FAIL(why); });
  REQUIRE(reactor::test::run_until(loop, [&] { return out != nullptr; }));
  return out;
}

// The server side: TLS when the first byte opens a TLS record, plain otherwise.
void sniff(TcpConnection& c, const TlsContext& tls, std::string* chosen) {
  c.set_transport_selector([&tls, chosen](TcpConnection& conn, uint8_t first) {
    *chosen = first == 0x16 ? "tls" : "plain";
    return first == 0x16 ? tls.accept(conn.fd())
                         : std::unique_ptr<Transport>(new PlainTransport(conn.fd()));
  });
}

}  // namespace

TEST_CASE("tls: a record larger than the read limit is read over the next passes", "[tls]") {
  TlsPair tls;
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  std::string processed, chosen;
  std::vector<std::size_t> iterations;
  TcpConnectionPtr server_side;
  bool secured = false;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    server_side = c;
    sniff(*c, *tls.server, &chosen);
    c->set_handshake_callback([&](const TcpConnectionPtr&) { secured = true; });
    c->set_read_limit(2);
    c->set_message_callback([&](const TcpConnectionPtr&, Buffer& in) {
      CHECK(in.size() <= 2);
      processed += in.retrieve_as_string(in.size());
      iterations.push_back(loop.iteration());
    });
  });
  listener.listen();
  TcpConnector connector(loop, "127.0.0.1", listener.port(), 5000ms);
  TcpConnectionPtr client = dial_tls(loop, connector, *tls.client);
  client->send(std::string_view("abcdefg"));  // one TLS record, sent after the handshake
  REQUIRE(reactor::test::run_until(loop, [&] { return processed.size() == 7; }));
  CHECK(chosen == "tls");
  CHECK(secured);
  CHECK(processed == "abcdefg");
  CHECK(iterations.size() == 4);
  for (std::size_t i = 1; i < iterations.size(); ++i) CHECK(iterations[i] > iterations[i - 1]);
  CHECK(server_side->transport()->describe().rfind("TLSv1.3", 0) == 0);
  CHECK(client->transport()->peer_fingerprint().size() == 95);
}

TEST_CASE("tls: replies sent in one pass leave in one TLS write", "[tls]") {
  TlsPair tls;
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  std::string chosen;
  TcpConnectionPtr server_side;
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    server_side = c;
    sniff(*c, *tls.server, &chosen);
    c->set_message_callback(reactor::test::reply_twice);
  });
  listener.listen();
  TcpConnector connector(loop, "127.0.0.1", listener.port(), 5000ms);
  TcpConnectionPtr client = dial_tls(loop, connector, *tls.client);
  std::string got;
  client->set_message_callback(
      [&](const TcpConnectionPtr&, Buffer& in) { got += in.retrieve_as_string(in.size()); });
  for (int round = 1; round <= 3; ++round) {
    got.clear();
    client->send(std::string_view("?"));
    REQUIRE(reactor::test::run_until(loop, [&] { return got.size() >= 13; }));
    CHECK(got == "first;second;");
    CHECK(server_side->write_calls() == static_cast<std::uint64_t>(round));
    CHECK(server_side->output_bytes() == 0);
  }
  CHECK(chosen == "tls");
}

TEST_CASE("tls: the selector gives a plain client the plain transport, bytes unchanged", "[tls]") {
  TlsPair tls;
  EventLoop loop;
  TcpListener listener(loop, "127.0.0.1", 0);
  std::string chosen, processed;
  TcpConnectionPtr server_side;  // the acceptor owns the connection
  listener.set_new_connection_callback([&](TcpConnectionPtr c) {
    server_side = c;
    sniff(*c, *tls.server, &chosen);
    c->set_message_callback([&](const TcpConnectionPtr&, Buffer& in) {
      processed += in.retrieve_as_string(in.size());
    });
  });
  listener.listen();
  TcpConnector connector(loop, "127.0.0.1", listener.port(), 5000ms);
  TcpConnectionPtr client;
  connector.connect([&](TcpConnectionPtr c) { client = std::move(c); },
                    [](const std::string& why) { FAIL(why); });
  REQUIRE(reactor::test::run_until(loop, [&] { return client != nullptr; }));
  client->send(std::string_view("\x01plain"));
  REQUIRE(reactor::test::run_until(loop, [&] { return processed.size() == 6; }));
  CHECK(chosen == "plain");
  CHECK(processed == std::string("\x01plain"));
}
