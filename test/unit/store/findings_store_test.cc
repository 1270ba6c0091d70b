#include "store/findings_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace ccsec::store {
namespace {

std::string tempDir() {
  char t[] = "/tmp/ccsec-findings-XXXXXX";
  return mkdtemp(t);
}

TEST(FindingsStore, RunsGetIdsAndKeepTheirFindingsInOrder) {
  const std::string dir = tempDir();
  {
    auto s = openFindingsStore("sqlite:" + dir + "/f.db");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ((*s)->schemaVersion(), kFindingsSchemaVersion);
    RunRecord r{0, 1700000000000, "probe", "inv.yaml", "2 findings", "{}"};
    auto id1 = (*s)->saveRun(r, {{"CCS-PRB-003", "critical", "pg-b:43030", "no client cert", false},
                                 {"CCS-PRB-001", "high", "pg-b:43030", "TLSv1.0", true}});
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

}  // namespace
}  // namespace ccsec::store
