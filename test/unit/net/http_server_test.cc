// net::HttpServer: routing, inline and late replies, and the limits an attacker probes: slowloris
// (whole-request deadline), oversized headers and bodies, connection caps in total and per source
// address, a handler that never answers. Clients are raw sockets on loopback.
#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include "net/prometheus.h"

namespace ccsec::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// The server on its own loop thread.
class Served {
 public:
  explicit Served(HttpLimits limits, std::function<void(HttpServer&)> setup) {
    std::promise<void> ready;
    thread_ = std::thread([&] {
      auto s = HttpServer::listen(loop_, *Endpoint::parse("127.0.0.1:0"), limits);
      EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
      server_ = std::move(*s);
      setup(*server_);
      ready.set_value();
      (void)loop_.run();
      server_.reset();
    });
    ready.get_future().wait();
  }
  ~Served() {
    loop_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_->local().port(); }
  EventLoop& loop() { return loop_; }
  HttpServer& server() { return *server_; }

 private:
  EventLoop loop_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

UniqueFd connectTo(std::uint16_t port, const char* from = "127.0.0.1") {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, from, &local.sin_addr);
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return UniqueFd();
  return fd;
}

void sendAll(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// Reads until EOF or `wait` passes; returns what arrived.
std::string readAll(int fd, std::chrono::milliseconds wait = 3000ms) {
  std::string out;
  const auto end = Clock::now() + wait;
  char buf[4096];
  while (Clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now());
    if (::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 1))) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos) {
      // A complete response with Content-Length: stop once the body is in.
      const auto cl = out.find("Content-Length: ");
      const auto he = out.find("\r\n\r\n");
      if (cl != std::string::npos && cl < he &&
          out.size() - he - 4 >= std::stoul(out.substr(cl + 16)))
        break;
    }
  }
  return out;
}

std::string get(std::uint16_t port, const std::string& path, const char* from = "127.0.0.1") {
  auto fd = connectTo(port, from);
  if (!fd) return {};
  sendAll(fd.get(), "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  return readAll(fd.get());
}

bool closedBy(int fd, std::chrono::milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
  char b[512];
  for (;;) {
    const ssize_t n = ::recv(fd, b, sizeof b, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
}

HttpHandler hello() {
  return [](const HttpRequest&, HttpReply reply) {
    HttpResponse r;
    r.body = "hello\n";
    reply.send(std::move(r));
  };
}

TEST(HttpServer, RoutesByPathAndMethod) {
  Served s({}, [](HttpServer& srv) { srv.route("/metrics", hello()); });
  EXPECT_NE(get(s.port(), "/metrics").find("200 OK"), std::string::npos);
  EXPECT_NE(get(s.port(), "/metrics?x=1").find("hello"), std::string::npos);
  EXPECT_NE(get(s.port(), "/other").find("404"), std::string::npos);
  auto fd = connectTo(s.port());
  sendAll(fd.get(), "DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(readAll(fd.get()).find("405"), std::string::npos);
  EXPECT_GE(s.server().stats().requests.load(), 4U);
}

TEST(HttpServer, LateReplyFromAnotherThread) {
  std::vector<std::thread> workers;
  Served s({}, [&workers](HttpServer& srv) {
    srv.route("/late", [&workers](const HttpRequest& req, HttpReply reply) {
      workers.emplace_back([r = std::move(reply), peer = req.peer.host()]() mutable {
        std::this_thread::sleep_for(100ms);  // an LDAP round trip
        HttpResponse resp;
        resp.body = "late for " + peer + "\n";
        r.send(std::move(resp));
      });
    });
  });
  const auto t0 = Clock::now();
  const std::string r = get(s.port(), "/late");
  EXPECT_NE(r.find("200 OK"), std::string::npos) << r;
  EXPECT_NE(r.find("late for 127.0.0.1"), std::string::npos) << r;
  EXPECT_GE(Clock::now() - t0, 100ms);
  for (auto& t : workers) t.join();
}

TEST(HttpServer, DroppedReplyAnswers500) {
  Served s({}, [](HttpServer& srv) { srv.route("/drop", [](const HttpRequest&, HttpReply) {}); });
  EXPECT_NE(get(s.port(), "/drop").find("500"), std::string::npos);
}

TEST(HttpServer, HandlerThatNeverAnswersGets503AtTheDeadline) {
  HttpLimits lim;
  lim.requestDeadline = 300ms;
  std::vector<HttpReply> parked;
  Served s(lim, [&parked](HttpServer& srv) {
    srv.route("/never",
              [&parked](const HttpRequest&, HttpReply r) { parked.push_back(std::move(r)); });
  });
  const auto t0 = Clock::now();
  const std::string r = get(s.port(), "/never");
  const auto took = Clock::now() - t0;
  EXPECT_NE(r.find("503"), std::string::npos) << r;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
  // The parked replies die with the loop thread's state (answered already: no effect).
  s.loop().post([&parked] { parked.clear(); });
}

TEST(HttpServer, SlowlorisIsCutAtTheDeadline) {
  HttpLimits lim;
  lim.requestDeadline = 500ms;
  Served s(lim, [](HttpServer& srv) { srv.route("/metrics", hello()); });
  auto fd = connectTo(s.port());
  const auto t0 = Clock::now();
  const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  bool closed = false;
  for (std::size_t i = 0; i < 100 && !closed; ++i) {  // one byte every 50 ms: never idle for long
    sendAll(fd.get(), std::string_view(i < req.size() ? &req[i] : "a", 1));
    closed = closedBy(fd.get(), 50ms);
  }
  const auto took = Clock::now() - t0;
  EXPECT_TRUE(closed);
  EXPECT_LT(took, 1500ms);
  EXPECT_GE(took, 400ms);
  EXPECT_GE(s.server().stats().deadlineExpired.load(), 1U);
  // The endpoint still serves.
  EXPECT_NE(get(s.port(), "/metrics").find("hello"), std::string::npos);
}

TEST(HttpServer, OversizedHeadersAndBodiesAreRefused) {
  HttpLimits lim;
  lim.maxHeaderBytes = 4096;
  lim.maxBodyBytes = 100;
  Served s(lim, [](HttpServer& srv) {
    srv.route("/metrics", hello());
    srv.route("/post",
              [](const HttpRequest& req, HttpReply r) {
                HttpResponse resp;
                resp.body = std::to_string(req.body.size());
                r.send(std::move(resp));
              },
              {"POST"});
  });
  {
    auto fd = connectTo(s.port());
    sendAll(fd.get(),
            "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n");
    const std::string r = readAll(fd.get());
    EXPECT_TRUE(r.empty() || r.find(" 4") != std::string::npos) << r.substr(0, 40);
    EXPECT_EQ(r.find("hello"), std::string::npos);
  }
  {
    auto fd = connectTo(s.port());
    sendAll(fd.get(), "POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
    EXPECT_NE(readAll(fd.get()).find("413"), std::string::npos);
  }
  {
    auto fd = connectTo(s.port());
    sendAll(fd.get(),
            "POST /post HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "c8\r\n" +
                std::string(200, 'b') + "\r\n0\r\n\r\n");
    EXPECT_NE(readAll(fd.get()).find("413"), std::string::npos);
  }
  {
    auto fd = connectTo(s.port());
    sendAll(
        fd.get(),
        "POST /post HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nabcde");
    const std::string r = readAll(fd.get());
    EXPECT_NE(r.find("200 OK"), std::string::npos) << r;
    EXPECT_EQ(r.substr(r.size() - 1), "5");
  }
  EXPECT_GE(s.server().stats().bodyTooLarge.load(), 2U);
}

TEST(HttpServer, ConnectionCapsInTotalAndPerAddress) {
  HttpLimits lim;
  lim.maxConnections = 6;
  lim.maxConnectionsPerAddress = 3;
  lim.requestDeadline = 3000ms;
  Served s(lim, [](HttpServer& srv) { srv.route("/metrics", hello()); });
  std::vector<UniqueFd> held;
  for (int i = 0; i < 3; ++i) held.push_back(connectTo(s.port(), "127.0.0.1"));
  std::this_thread::sleep_for(100ms);
  // A fourth from the same address is refused at accept...
  auto extra = connectTo(s.port(), "127.0.0.1");
  EXPECT_TRUE(closedBy(extra.get(), 1000ms));
  // ... while another address is served.
  EXPECT_NE(get(s.port(), "/metrics", "127.0.0.2").find("hello"), std::string::npos);
  // Fill the total cap from more addresses: the next connection waits in the listen backlog
  // (not accepted, costs the server nothing) until a slot frees.
  for (const char* a : {"127.0.0.3", "127.0.0.4", "127.0.0.5"})
    held.push_back(connectTo(s.port(), a));
  std::this_thread::sleep_for(100ms);
  auto over = connectTo(s.port(), "127.0.0.6");
  sendAll(over.get(), "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(readAll(over.get(), 300ms), "");
  held.clear();
  EXPECT_NE(readAll(over.get()).find("hello"), std::string::npos);
}

TEST(HttpServer, ManyConnectionsDoNotBlockTheLoop) {
  HttpLimits lim;
  lim.maxConnections = 64;
  lim.maxConnectionsPerAddress = 64;
  lim.requestDeadline = 1000ms;
  Served s(lim, [](HttpServer& srv) { srv.route("/metrics", hello()); });
  std::vector<UniqueFd> idle;
  for (int i = 0; i < 60; ++i) {
    idle.push_back(connectTo(s.port()));
    sendAll(idle.back().get(), "GET /met");  // half a request, then silence
  }
  // A timer on the same loop keeps firing on time while 60 clients hang.
  std::atomic<int> ticks{0};
  s.loop().post([&] { s.loop().runEvery(10ms, [&] { ticks.fetch_add(1); }); });
  std::this_thread::sleep_for(300ms);
  EXPECT_GE(ticks.load(), 15);
  for (auto& fd : idle) EXPECT_TRUE(closedBy(fd.get(), 2000ms));
}

TEST(PromWriter, ExpositionFormat004) {
  PromWriter w;
  w.family("ccsec_x_total", MetricType::kCounter, "Things\\ counted.\nSecond line");
  w.sample("ccsec_x_total", {{"listener", "a\"b\\c\nd"}}, std::uint64_t{42});
  w.sample("ccsec_x_total", {{"listener", "plain"}, {"type", "t"}}, std::uint64_t{7});
  w.single("ccsec_up", MetricType::kGauge, "Up.", 1);
  w.family("ccsec_ratio", MetricType::kGauge, "Ratio.");
  w.sample("ccsec_ratio", {}, 0.5);
  EXPECT_EQ(w.text(),
            "# HELP ccsec_x_total Things\\\\ counted.\\nSecond line\n"
            "# TYPE ccsec_x_total counter\n"
            "ccsec_x_total{listener=\"a\\\"b\\\\c\\nd\"} 42\n"
            "ccsec_x_total{listener=\"plain\",type=\"t\"} 7\n"
            "# HELP ccsec_up Up.\n# TYPE ccsec_up gauge\nccsec_up 1\n"
            "# HELP ccsec_ratio Ratio.\n# TYPE ccsec_ratio gauge\nccsec_ratio 0.5\n");
}

}  // namespace
}  // namespace ccsec::net
