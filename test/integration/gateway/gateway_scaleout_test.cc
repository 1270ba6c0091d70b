// #16.5 scale-out: two `ccsec gateway` processes (different ports) write one PostgreSQL audit
// store under load while one of them is killed with kill -9 again and again. Nothing
// acknowledged is lost (every event the killed gateway's ccsec_gateway_audit_committed_total
// counted before the kill, every session the surviving gateway completed), nothing is stored
// twice, and `ccsec audit export` returns the events of both, ordered by time.
#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "common/metrics.h"
#include "common/postgres_server.h"
#include "common/process.h"
#include "gateway_binary.h"

namespace ccsec {
namespace {

using tt::metricValue;

// Its own suite name: GatewayBinary (anonymous namespace) is a different class in each file.
class GatewayScaleOut : public GatewayBinary {};

TEST_F(GatewayScaleOut, TwoGatewaysShareOnePostgresAuditStoreThroughKill9) {
  tt::PostgresServer pg;
  pg.start("scaleout");
  if (!pg.skip().empty()) GTEST_SKIP() << pg.skip();
  ASSERT_TRUE(pg.started()) << "PostgreSQL did not start";

  // One listener per gateway incarnation, so every event names the process that wrote it.
  auto config = [&](const std::string& name) {
    const std::string path = dir_ + "/" + name + ".yaml";
    std::ofstream(path) << "listeners:\n  - name: " << name
                        << "\n    mode: server\n    listen: 127.0.0.1:0\n    forward: 127.0.0.1:"
                        << echo_.port()
                        << "\n    tls: " << tlsBlock(*pki_ + "/hosts/gw.pem", "finesse-a") << "\n"
                        << "audit: {store: \"" << pg.uri() << "\"}\n"
                        << "metrics: {listen: 127.0.0.1:0}\n"
                        << "limits: {per_peer_rate: 0, accept_rate: 0, drain_timeout_ms: 3000}\n";
    return path;
  };
  auto survivor = startGateway(config("gw-a"), "gw-a.log", 1);

  // Load: one client thread per gateway, one mTLS session after the other (handshake, one echoed
  // message, close_notify). Sessions the survivor completed are counted.
  std::atomic<bool> stop{false};
  std::atomic<int> a_sessions{0}, b_sessions{0};
  std::atomic<std::uint16_t> b_port{0};
  auto load = [&](std::function<std::uint16_t()> port, std::atomic<int>& done) {
    for (int i = 0; !stop; ++i) {
      std::uint16_t p = port();
      if (p == 0) {
        std::this_thread::sleep_for(5ms);
        continue;
      }
      tt::TlsClient c(*pki_, "finesse-a", p);
      const std::string msg = "hello " + std::to_string(i);
      if (c.ok() && c.write(msg) && c.read(msg.size()) == msg) {
        c.closeNotify();
        ++done;
      }
    }
  };
  const std::uint16_t a_port = survivor.ports["gw-a"];
  std::thread ta([&] { load([&] { return a_port; }, a_sessions); });
  std::thread tb([&] { load([&] { return b_port.load(); }, b_sessions); });
  // A failed ASSERT returns from here: the load threads are stopped and joined first (a joinable
  // std::thread destroyed would abort the test binary and leave the gateways running).
  struct JoinOnExit {
    std::atomic<bool>& stop;
    std::thread& a;
    std::thread& b;
    ~JoinOnExit() {
      stop = true;
      for (std::thread* t : {&a, &b})
        if (t->joinable()) t->join();
    }
  } join_on_exit{stop, ta, tb};

  constexpr int kKills = 5;
  std::map<std::string, long> acked;  // incarnation -> acknowledged events seen before its kill
  for (int k = 0; k < kKills; ++k) {
    const std::string name = "gw-b" + std::to_string(k);
    auto victim = startGateway(config(name), name + ".log", 1);
    b_port = victim.ports[name];
    const int before = b_sessions.load();
    ASSERT_TRUE(tt::waitFor([&] { return b_sessions.load() >= before + 20; }, 20s))
        << "no load through " << name;
    // Killed once it has acknowledged events (its first group commit can trail 20 fast
    // sessions on a loaded host).
    ASSERT_TRUE(tt::waitFor(
        [&] {
          acked[name] =
              metricValue(httpGet(victim.ports["metrics"]), "ccsec_gateway_audit_committed_total");
          return acked[name] > 0;
        },
        10s))
        << name << ": nothing committed\n"
        << readFile(victim.log);
    ::kill(victim.pid, SIGKILL);  // mid-load: sessions open, a group commit perhaps in flight
    b_port = 0;
    int st = 0;
    ASSERT_EQ(::waitpid(victim.pid, &st, 0), victim.pid);
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    std::erase(procs_, victim.pid);
  }
  std::this_thread::sleep_for(300ms);  // the survivor keeps serving after the last kill
  stop = true;
  ta.join();
  tb.join();
  stopGateway();  // the survivor drains and flushes its audit log (SIGTERM)

  auto store = store::openAuditStore(pg.uri());
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto events = (*store)->list();
  ASSERT_TRUE(events.ok()) << events.error().message;
  std::map<std::string, long> per_source;
  std::map<std::string, long> opens;
  std::set<
      std::tuple<std::int64_t, std::string, std::string, std::string, std::string, std::string>>
      seen;
  for (const auto& e : *events) {
    // The start event names the listeners in its reason ("listening:gw-b0=127.0.0.1:…").
    std::string who = e.source;
    if (e.kind == "start")
      for (const auto& [name, n] : acked)
        if (e.reason.find(name + "=") != std::string::npos) who = name;
    if (e.kind == "start" && e.reason.find("gw-a=") != std::string::npos) who = "gw-a";
    ++per_source[who];
    if (e.kind == "session_open") ++opens[e.source];
    EXPECT_TRUE(
        seen.emplace(e.time_ms, e.source, e.kind, e.peer_address, e.reason, e.detail).second)
        << "duplicate event: " << e.source << " " << e.kind << " " << e.peer_address << " "
        << e.time_ms;
  }
  // Acknowledged = committed before the kill: all of them are in the store.
  for (const auto& [name, n] : acked)
    EXPECT_GE(per_source[name], n) << name << ": acknowledged events lost";
  // The survivor: every completed session has its session_open (flushed by the drain).
  EXPECT_GE(opens["gw-a"], a_sessions.load());
  EXPECT_GT(a_sessions.load(), 0);
  std::cout << "[ scale-out ] sessions: gw-a " << a_sessions.load() << ", gw-b* "
            << b_sessions.load() << "; events in the store " << events->size() << " (gw-a "
            << per_source["gw-a"] << ")\n";

  // `ccsec audit export`: every event, one JSON object per line, ordered by time.
  auto [rc, out] = run(std::string(CCSEC_BIN) + " audit export --store '" + pg.uri() + "'");
  ASSERT_EQ(rc, 0) << out.substr(0, 2000);
  std::istringstream lines(out);
  std::string line;
  std::size_t n = 0;
  std::int64_t last = 0;
  std::set<std::string> sources;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    const auto t = j.at("time_ms").get<std::int64_t>();
    EXPECT_GE(t, last) << "export out of time order at line " << n;
    last = t;
    sources.insert(j.at("source").get<std::string>());
    ++n;
  }
  EXPECT_EQ(n, events->size());
  EXPECT_TRUE(sources.count("gw-a") == 1 && sources.count("gw-b0") == 1 &&
              sources.count("gw-b" + std::to_string(kKills - 1)) == 1);
}

}  // namespace
}  // namespace ccsec
