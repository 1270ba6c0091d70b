#include "store/findings_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ccsec/paths.h"
#include "common/postgres_server.h"

namespace ccsec::store {
namespace {

std::string tempDir() {
  char t[] = "/tmp/ccsec-findings-XXXXXX";
  return mkdtemp(t);
}

StoredFinding finding(std::string rule, std::string severity, std::string target, bool waived) {
  StoredFinding f;
  f.rule = std::move(rule);
  f.severity = std::move(severity);
  f.target = std::move(target);
  f.message = f.target + ": something is wrong";
  f.waived = waived;
  if (waived) {
    f.waiver_owner = "ops <team>";
    f.waiver_reason = "vendor upgrade";
    f.waiver_expires = "2027-01-31";
  }
  f.line = 42;
  return f;
}

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CCSEC_SOURCE_DIR) + "/test/unit/store/fixtures/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The same checks on either backend: a store just migrated from the version-1 fixture keeps the
// two old runs (counts included) and takes a new run with every version-2 column.
void expectMigratedV1(FindingsStore& s) {
  EXPECT_EQ(s.schemaVersion(), 2);
  auto runs = s.runs();
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].command, "probe");
  EXPECT_EQ((*runs)[0].inventory, "examples/lab.yaml");
  EXPECT_EQ((*runs)[0].inventory_hash, "");
  EXPECT_EQ((*runs)[0].unwaived.at("critical"), 1);
  EXPECT_EQ((*runs)[0].waived, 1);
  EXPECT_TRUE((*runs)[1].unwaived.empty());
  auto one = s.run(1);
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(one->facts, R"({"endpoints":[]})");
  EXPECT_EQ(one->time_ms, 1764000000000);
  EXPECT_FALSE(s.run(99));
  auto old = s.findings(1);
  ASSERT_TRUE(old);
  ASSERT_EQ(old->size(), 2u);
  EXPECT_EQ((*old)[1].rule, "CCS-PRB-001");
  EXPECT_TRUE((*old)[1].waived);
  EXPECT_EQ((*old)[1].waiver_owner, "");
  EXPECT_EQ((*old)[1].line, 0);

  RunRecord r;
  r.time_ms = 1764172800000;
  r.command = "check";
  r.inventory = "examples/reference.yaml";
  r.summary = "3 findings";
  r.inventory_hash = "sha256:00ff";
  r.tool_version = "9.9.9";
  auto id = s.saveRun(r, {finding("CCS-TLS-002", "medium", "ged-188:cg-a<-crm", true),
                          finding("CCS-NET-001", "critical", "cg-a", false),
                          finding("CCS-NET-001", "critical", "cg-b", false)});
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, 3);
  auto f = s.findings(*id);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 3u);
  EXPECT_EQ((*f)[0].waiver_owner, "ops <team>");
  EXPECT_EQ((*f)[0].waiver_reason, "vendor upgrade");
  EXPECT_EQ((*f)[0].waiver_expires, "2027-01-31");
  EXPECT_EQ((*f)[0].line, 42);
  runs = s.runs();
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[2].inventory_hash, "sha256:00ff");
  EXPECT_EQ((*runs)[2].tool_version, "9.9.9");
  EXPECT_EQ((*runs)[2].unwaived.at("critical"), 2);
  EXPECT_EQ((*runs)[2].unwaived.count("medium"), 0u);
  EXPECT_EQ((*runs)[2].waived, 1);
}

TEST(FindingsStore, RunsGetIdsAndKeepTheirFindingsInOrder) {
  const std::string dir = tempDir();
  {
    auto s = openFindingsStore("sqlite:" + dir + "/f.db");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ((*s)->schemaVersion(), kFindingsSchemaVersion);
    RunRecord r;
    r.time_ms = 1700000000000;
    r.command = "probe";
    r.inventory = "inv.yaml";
    r.summary = "2 findings";
    r.facts = "{}";
    auto id1 = (*s)->saveRun(r, {finding("CCS-PRB-003", "critical", "pg-b:43030", false),
                                 finding("CCS-PRB-001", "high", "pg-b:43030", true)});
    ASSERT_TRUE(id1);
    auto id2 = (*s)->saveRun(r, {});
    ASSERT_TRUE(id2);
    EXPECT_EQ(*id2, *id1 + 1);
  }
  auto s = openFindingsStore(dir + "/f.db");  // reopened: same schema, same runs
  ASSERT_TRUE(s);
  auto f = (*s)->findings(1);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].rule, "CCS-PRB-003");
  EXPECT_EQ((*f)[1].target, "pg-b:43030");
  EXPECT_TRUE((*f)[1].waived);
  EXPECT_FALSE((*s)->findings(42));
  auto runs = (*s)->runs();
  ASSERT_TRUE(runs);
  EXPECT_EQ(runs->size(), 2u);
  std::filesystem::remove_all(dir);
}

// Two `ccsec check` runs on one host share the default store: runs opened and saved at the same
// moment by separate processes (a fresh store, so the first opens also create the schema and
// switch it to WAL) all land; none fails with "database is locked".
TEST(FindingsStore, ConcurrentProcessesAllStoreTheirRuns) {
  const std::string dir = tempDir();
  constexpr int kProcs = 8;
  constexpr int kRuns = 5;
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int failed = 0;
      for (int i = 0; i < kRuns; ++i) {
        auto s = openFindingsStore("sqlite:" + dir + "/f.db");
        if (!s) {
          std::fprintf(stderr, "open: %s\n", s.error().message.c_str());
          ++failed;
          continue;
        }
        RunRecord r;
        r.time_ms = 1700000000000 + i;
        r.command = "check";
        r.inventory = "inv.yaml";
        r.summary = "1 finding";
        auto id = (*s)->saveRun(r, {finding("CCS-NET-001", "critical", "cg-a", false)});
        if (!id) {
          std::fprintf(stderr, "save: %s\n", id.error().message.c_str());
          ++failed;
        }
      }
      ::_exit(failed);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int st = 0;
    ASSERT_EQ(::waitpid(pid, &st, 0), pid);
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "a writer lost runs";
  }
  auto s = openFindingsStore(dir + "/f.db");
  ASSERT_TRUE(s) << s.error().message;
  auto runs = (*s)->runs();
  ASSERT_TRUE(runs);
  EXPECT_EQ(runs->size(), static_cast<std::size_t>(kProcs * kRuns));
  std::filesystem::remove_all(dir);
}

TEST(FindingsStore, RefusesANewerSchema) {
  const std::string dir = tempDir();
  ASSERT_TRUE(openFindingsStore("sqlite:" + dir + "/f.db"));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/f.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE ccsec_schema SET version=99 WHERE component='findings'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto s = openFindingsStore("sqlite:" + dir + "/f.db");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("schema version 99"), std::string::npos) << s.error().message;
  EXPECT_FALSE(openFindingsStore("mysql://x"));
  std::filesystem::remove_all(dir);
}

TEST(FindingsStore, MigratesAStoreWrittenBySchemaVersion1) {
  const std::string dir = tempDir();
  const std::string path = dir + "/v1.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const std::string sql = fixture("findings_v1.sqlite.sql");
  ASSERT_FALSE(sql.empty());
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  {
    auto s = openFindingsStore("sqlite:" + path);
    ASSERT_TRUE(s) << s.error().message;
    expectMigratedV1(**s);
  }
  auto again = openFindingsStore("sqlite:" + path);  // a migrated store opens without migrating
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->schemaVersion(), 2);
  std::filesystem::remove_all(dir);
}

TEST(FindingsStore, AFailedMigrationLeavesTheOldSchema) {
  const std::string dir = tempDir();
  const std::string path = dir + "/v1.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, fixture("findings_v1.sqlite.sql").c_str(), nullptr, nullptr, nullptr),
            SQLITE_OK);
  // A column of version 2 already there: the migration's ALTER fails and must roll back.
  ASSERT_EQ(sqlite3_exec(db, "ALTER TABLE probe_findings ADD COLUMN line INTEGER", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto s = openFindingsStore("sqlite:" + path);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("migrating to schema 2"), std::string::npos)
      << s.error().message;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT version FROM ccsec_schema", -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 1);
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
}

// PostgreSQL: a real server (postgres_server.h), one per suite.
class PostgresFindingsStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_.start("findings"); }
  static void TearDownTestSuite() { server_.stop(); }
  void SetUp() override {
    if (!server_.skip().empty()) GTEST_SKIP() << server_.skip();
    ASSERT_TRUE(server_.started()) << "PostgreSQL did not start";
  }
  static inline testing::PostgresServer server_;
};

TEST_F(PostgresFindingsStore, NewStoreRoundTripsRunsAndCounts) {
  ASSERT_TRUE(server_.psql("CREATE DATABASE fresh"));
  auto s = openFindingsStore(server_.uri("fresh"));
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ((*s)->schemaVersion(), kFindingsSchemaVersion);
  EXPECT_NE((*s)->describe().find("postgresql://"), std::string::npos);
  RunRecord r;
  r.time_ms = 1764172800000;
  r.command = "directory check";
  r.inventory = "inv.yaml";
  r.inventory_hash = "sha256:ab";
  r.tool_version = "1.2.3";
  auto id = (*s)->saveRun(r, {finding("CCS-DIR-001", "high", "dc1", false),
                              finding("CCS-DIR-002", "low", "dc2", true)});
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(*id, 1);
  auto again = openFindingsStore(server_.uri("fresh"));  // a second connection sees the run
  ASSERT_TRUE(again);
  auto runs = (*again)->runs();
  ASSERT_TRUE(runs) << runs.error().message;
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].command, "directory check");
  EXPECT_EQ((*runs)[0].tool_version, "1.2.3");
  EXPECT_EQ((*runs)[0].unwaived.at("high"), 1);
  EXPECT_EQ((*runs)[0].waived, 1);
  auto f = (*again)->findings(1);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[1].waiver_expires, "2027-01-31");
  EXPECT_EQ((*f)[1].line, 42);
  auto missing = (*again)->findings(7);
  ASSERT_FALSE(missing);
  EXPECT_FALSE(missing.error().isRuntime());
}

TEST_F(PostgresFindingsStore, MigratesAStoreWrittenBySchemaVersion1) {
  ASSERT_TRUE(server_.psql("CREATE DATABASE v1"));
  ASSERT_TRUE(server_.psqlFile(
      std::string(CCSEC_SOURCE_DIR) + "/test/unit/store/fixtures/findings_v1.postgres.sql", "v1"));
  auto s = openFindingsStore(server_.uri("v1"));
  ASSERT_TRUE(s) << s.error().message;
  expectMigratedV1(**s);
}

TEST_F(PostgresFindingsStore, RefusesANewerSchema) {
  ASSERT_TRUE(server_.psql("CREATE DATABASE newer"));
  ASSERT_TRUE(openFindingsStore(server_.uri("newer")));
  ASSERT_TRUE(
      server_.psql("UPDATE ccsec_schema SET version=99 WHERE component='findings'", "newer"));
  auto s = openFindingsStore(server_.uri("newer"));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("schema version 99"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace ccsec::store
