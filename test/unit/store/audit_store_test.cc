#include "store/audit_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

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

// PostgreSQL: a real server initialised in a temp dir, run as the postgres user, unix socket only.
class PostgresAuditStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql"))
      if (std::filesystem::exists(e.path() / "bin/initdb")) bin_ = (e.path() / "bin").string();
    if (bin_.empty()) { skip_ = "PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin)"; return; }
    if (::geteuid() != 0) { skip_ = "needs root to run the server as the postgres user"; return; }
    if (std::system("id postgres >/dev/null 2>&1") != 0) { skip_ = "no postgres system user"; return; }
    dir_ = tempDir();
    std::filesystem::permissions(dir_, std::filesystem::perms::all);
    std::string chown = "chown postgres " + dir_;
    ASSERT_EQ(std::system(chown.c_str()), 0);
    port_ = 20000 + (::getpid() % 20000);
    std::string init = "runuser -u postgres -- " + bin_ + "/initdb -D " + dir_ + "/data -A trust -U postgres >/dev/null 2>&1";
    ASSERT_EQ(std::system(init.c_str()), 0) << init;
    std::string start = "runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ +
                        "/log -w -o \"-p " + std::to_string(port_) + " -k " + dir_ +
                        " -c listen_addresses=''\" start >/dev/null 2>&1";
    ASSERT_EQ(std::system(start.c_str()), 0) << start;
    started_ = true;
  }
  static void TearDownTestSuite() {
    if (started_) {
      std::string stop = "runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate stop >/dev/null 2>&1";
      EXPECT_EQ(std::system(stop.c_str()), 0);
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(started_) << "PostgreSQL did not start";
  }
  static std::string uri() {
    return "postgresql:///postgres?host=" + dir_ + "&port=" + std::to_string(port_) + "&user=postgres";
  }
  static inline std::string bin_, dir_, skip_;
  static inline int port_ = 0;
  static inline bool started_ = false;
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

TEST_F(PostgresAuditStore, ConnectionErrorsAreReported) {
  auto s = openAuditStore("postgresql:///postgres?host=" + dir_ + "&port=1&user=postgres");
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace ccsec::store
