#include "store/audit_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "common/postgres_server.h"
#include "store/audit_export.h"
#include "store/audit_log.h"

namespace ccsec::store {
namespace {

std::string tempDir() {
  char t[] = "/tmp/ccsec-store-XXXXXX";
  return mkdtemp(t);
}

AuditEvent event(int i) {
  AuditEvent e;
  e.time_ms = 1700000000000 + i;
  e.source = "cti";
  e.kind = "session_open";
  e.peer_address = "127.0.0.1:" + std::to_string(40000 + i);
  e.peer_identity = "CN=finesse-a";
  e.reason = "handshake ok";
  e.detail = R"({"n":)" + std::to_string(i) + "}";
  return e;
}

void roundTrip(AuditStore& s) {
  ASSERT_TRUE(s.append({event(1), event(2)}).ok());
  ASSERT_TRUE(s.append({event(3)}).ok());
  auto l = s.list();
  ASSERT_TRUE(l.ok()) << l.error().message;
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0].peer_address, "127.0.0.1:40001");
  EXPECT_EQ((*l)[2].detail, R"({"n":3})");
  EXPECT_EQ((*l)[1].time_ms, 1700000000002);
}

// scan(): ordered by time, then by commit order; since inclusive, until exclusive. Times far
// from the other tests' events so that a shared store does not matter.
void scanCheck(AuditStore& s) {
  auto at = [](std::int64_t t, const char* reason) {
    AuditEvent e = event(0);
    e.time_ms = 1800000000000 + t;
    e.reason = reason;
    return e;
  };
  ASSERT_TRUE(s.append({at(30, "c"), at(10, "a")}).ok());
  ASSERT_TRUE(s.append({at(20, "b"), at(10, "a2")}).ok());
  auto reasons = [&](AuditQuery q) {
    std::string out;
    std::int64_t last_id = 0;
    auto r = s.scan(q, [&](const AuditEvent& e) {
      out += e.reason + ",";
      EXPECT_GT(e.id, 0);
      EXPECT_NE(e.id, last_id);
      last_id = e.id;
    });
    EXPECT_TRUE(r.ok()) << r.error().message;
    return out;
  };
  EXPECT_EQ(reasons({1800000000000, 1800000000100}), "a,a2,b,c,");
  EXPECT_EQ(reasons({1800000000010, 1800000000030}), "a,a2,b,");
  EXPECT_EQ(reasons({1800000000020, std::nullopt}), "b,c,");
  EXPECT_EQ(reasons({std::nullopt, 1800000000000}).find("c,"), std::string::npos);
}

TEST(SqliteAuditStore, ScanOrdersByTimeWithinBounds) {
  auto dir = tempDir();
  auto s = openAuditStore("sqlite:audit.db", dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  scanCheck(**s);
  std::filesystem::remove_all(dir);
}

TEST(AuditExport, OneObjectPerLineWithStableFields) {
  AuditEvent e = event(7);
  e.id = 42;
  e.time_ms = 1764692870123;  // 2025-12-02T16:27:50.123Z
  e.reason = "peer said \"bye\"\n";
  EXPECT_EQ(
      auditEventJsonLine(e),
      R"({"id":42,"time":"2025-12-02T16:27:50.123Z","time_ms":1764692870123,"source":"cti",)"
      R"("kind":"session_open","peer_address":"127.0.0.1:40007","peer_identity":"CN=finesse-a",)"
      R"("reason":"peer said \"bye\"\n","detail":{"n":7}})");
  e.detail.clear();
  EXPECT_NE(auditEventJsonLine(e).find(R"("detail":{})"), std::string::npos);
  EXPECT_EQ(formatUtcMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatUtcMs(-1), "1969-12-31T23:59:59.999Z");
}

TEST(AuditExport, ParsesTimes) {
  EXPECT_EQ(*parseAuditTime("2025-12-02"), 1764633600000);
  EXPECT_EQ(*parseAuditTime("2025-12-02T16:27:50.123Z"), 1764692870123);
  EXPECT_EQ(*parseAuditTime("2025-12-02T16:27Z"), 1764692820000);
  EXPECT_EQ(*parseAuditTime("2025-12-02T17:27:50.1+01:00"), 1764692870100);
  EXPECT_EQ(*parseAuditTime("1764692870123"), 1764692870123);
  for (const char* bad : {"", "yesterday", "2025-13-01", "2025-12-02T16:27:50", "2025-12-02T25:00Z",
                          "2025-12-02T16:27:50.Z", "2025-12-02T16:27+1:00"}) {
    auto r = parseAuditTime(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("YYYY-MM-DD"), std::string::npos);
  }
}

TEST(SqliteAuditStore, RoundTripsEvents) {
  auto dir = tempDir();
  auto s = openAuditStore("sqlite:audit.db", dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  roundTrip(**s);
  EXPECT_TRUE(std::filesystem::exists(dir + "/audit.db"));
  std::filesystem::remove_all(dir);
}

TEST(SqliteAuditStore, RejectsUnknownUris) {
  EXPECT_FALSE(openAuditStore("mysql://x").ok());
  EXPECT_FALSE(openAuditStore("sqlite:").ok());
}

TEST(AuditLog, GroupCommitsAndFlushes) {
  auto dir = tempDir();
  auto s = openSqliteStore(dir + "/a.db");
  ASSERT_TRUE(s.ok());
  AuditLog log(std::move(*s));
  for (int i = 0; i < 500; ++i) log.submit(event(i));
  log.flush();
  EXPECT_EQ(log.committed(), 500u);
  auto l = log.store().list();
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->size(), 500u);
  std::filesystem::remove_all(dir);
}

// Voluntary context switches of every thread of this process (/proc/self/task/*/status).
long voluntarySwitches() {
  long total = 0;
  for (const auto& t : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(t.path() / "status");
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) total += std::stol(line.substr(24));
  }
  return total;
}

// submit() wakes the writer only when it has something to do (the first event of a round, or a
// full batch), not on every event while it lingers: on a gateway pinned to one CPU each needless
// wake-up is a context switch taken from the connections. 400 events submitted over ~20 ms (the
// submitter spins, so it never sleeps itself) cost a few commits' worth of switches, not one per
// event.
TEST(AuditLog, SubmitWakesTheWriterOncePerRoundNotPerEvent) {
  auto dir = tempDir();
  auto s = openSqliteStore(dir + "/a.db");
  ASSERT_TRUE(s.ok());
  AuditLog log(std::move(*s));
  log.submit(event(0));
  log.flush();
  constexpr int kEvents = 400;
  const long before = voluntarySwitches();
  auto next = std::chrono::steady_clock::now();
  for (int i = 1; i <= kEvents; ++i) {
    next += std::chrono::microseconds(50);
    while (std::chrono::steady_clock::now() < next) {
    }
    log.submit(event(i));
  }
  const long during = voluntarySwitches() - before;
  log.flush();
  EXPECT_EQ(log.committed(), static_cast<std::uint64_t>(kEvents + 1));
  EXPECT_LT(during, kEvents / 4) << "the writer woke for most events";
  std::cout << "[audit] " << during << " voluntary context switches for " << kEvents << " events\n";
  std::filesystem::remove_all(dir);
}

// An event acknowledged by flush() survives kill -9 of the writer process.
TEST(AuditLog, AcknowledgedEventsSurviveKill9) {
  auto dir = tempDir();
  std::string path = dir + "/durable.db";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    auto s = openSqliteStore(path);
    if (!s) _exit(2);
    AuditLog log(std::move(*s));
    for (int i = 1;; ++i) {
      log.submit(event(i));
      log.flush();
      if (::write(fds[1], &i, sizeof i) != sizeof i) _exit(3);  // acknowledge
    }
  }
  ::close(fds[1]);
  int acked = 0;
  int v = 0;
  while (acked < 150 && ::read(fds[0], &v, sizeof v) == sizeof v) acked = v;
  ::kill(pid, SIGKILL);
  while (::read(fds[0], &v, sizeof v) == sizeof v) acked = v;  // acks written before death
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_GE(acked, 150);
  auto s = openSqliteStore(path);
  ASSERT_TRUE(s.ok());
  auto l = (*s)->list();
  ASSERT_TRUE(l.ok());
  EXPECT_GE(static_cast<int>(l->size()), acked);
  std::filesystem::remove_all(dir);
}

// PostgreSQL: a real server (postgres_server.h), one per suite.
class PostgresAuditStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_.start("audit"); }
  static void TearDownTestSuite() { server_.stop(); }
  void SetUp() override {
    if (!server_.skip().empty()) GTEST_SKIP() << server_.skip();
    ASSERT_TRUE(server_.started()) << "PostgreSQL did not start";
  }
  static std::string uri() { return server_.uri(); }
  static inline testing::PostgresServer server_;
};

TEST_F(PostgresAuditStore, RoundTripsEventsWithSynchronousCommit) {
  auto s = openAuditStore(uri());
  ASSERT_TRUE(s.ok()) << s.error().message;
  roundTrip(**s);  // first test on this server: the table starts empty
  EXPECT_NE((*s)->describe().find("postgresql://"), std::string::npos);
  // A second connection sees the committed rows.
  auto again = openAuditStore(uri());
  ASSERT_TRUE(again.ok());
  auto l = (*again)->list();
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->size(), 3u);
}

TEST_F(PostgresAuditStore, ScanOrdersByTimeWithinBounds) {
  auto s = openAuditStore(uri());
  ASSERT_TRUE(s.ok()) << s.error().message;
  scanCheck(**s);
}

TEST_F(PostgresAuditStore, ConnectionErrorsAreReported) {
  auto s = openAuditStore("postgresql:///postgres?host=" + server_.dir() + "&port=1&user=postgres");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace ccsec::store
