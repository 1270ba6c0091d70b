// #15.1 through the binary: every check run lands in the findings store (the default one under
// $XDG_STATE_HOME/ccsec/, or --store), `ccsec history` lists the runs with their counts by
// severity, and `ccsec diff --run A --run B` gives the same added/removed findings as
// `ccsec diff OLD NEW` on the two inventories. SQLite and a real PostgreSQL.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ccsec/paths.h"
#include "common/postgres_server.h"
#include "common/process.h"

namespace ccsec {
namespace {

namespace fs = std::filesystem;
using testing::Ran;

class History : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/ccsec-history-XXXXXX";
    dir_ = mkdtemp(t);
    state_ = "XDG_STATE_HOME=" + (dir_ / "state").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  Ran ccsec(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), CCSEC_BIN);
    env.insert(env.begin(), state_);  // the test's own settings win
    return testing::runCaptured(args, CCSEC_SOURCE_DIR, dir_, env);
  }
  // The run's counts, as `check --format json` states them (its summary object).
  nlohmann::json checkSummary(const std::string& inv) {
    Ran r = ccsec({"check", inv, "--as-of", "2026-11-28", "--format", "json", "--no-store"});
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j["summary"];
  }

  fs::path dir_;
  std::string state_;
};

TEST_F(History, CheckRecordsRunsInTheDefaultStoreAndHistoryListsThem) {
  const Ran first = ccsec({"check", "examples/reference.yaml", "--as-of", "2026-11-28"});
  EXPECT_EQ(first.rc, 1) << first.err;
  EXPECT_TRUE(fs::exists(dir_ / "state/ccsec/findings.db"));
  const Ran second = ccsec({"check", "examples/insecure.yaml", "--as-of", "2026-11-28"});
  EXPECT_EQ(second.rc, 1) << second.err;
  const Ran skipped =
      ccsec({"check", "examples/insecure.yaml", "--as-of", "2026-11-28", "--no-store"});
  EXPECT_EQ(skipped.rc, 1);
  EXPECT_EQ(skipped.out, second.out);  // storing changes nothing in the report

  const Ran h = ccsec({"history", "--format", "json"});
  ASSERT_EQ(h.rc, 0) << h.err;
  auto j = nlohmann::json::parse(h.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << h.out;
  ASSERT_EQ(j["runs"].size(), 2u) << h.out;  // --no-store recorded nothing
  const char* inventories[] = {"examples/reference.yaml", "examples/insecure.yaml"};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& run = j["runs"][i];
    EXPECT_EQ(run["id"], i + 1);
    EXPECT_EQ(run["command"], "check");
    EXPECT_EQ(run["inventory"], inventories[i]);
    EXPECT_EQ(run["inventory_hash"].get<std::string>().substr(0, 7), "sha256:");
    EXPECT_EQ(run["inventory_hash"].get<std::string>().size(), 7u + 64u);
    EXPECT_FALSE(run["tool_version"].get<std::string>().empty());
    const auto summary = checkSummary(inventories[i]);
    for (const char* sev : {"critical", "high", "medium", "low", "info"})
      EXPECT_EQ(run["unwaived"][sev], summary[sev]) << inventories[i] << " " << sev;
    EXPECT_EQ(run["waived"], summary["waived"]) << inventories[i];
  }
  EXPECT_NE(j["runs"][0]["inventory_hash"], j["runs"][1]["inventory_hash"]);

  const Ran text = ccsec({"history"});
  ASSERT_EQ(text.rc, 0);
  EXPECT_NE(text.out.find("RUN  TIME"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("examples/insecure.yaml"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("2 runs in sqlite:" + (dir_ / "state/ccsec/findings.db").string()),
            std::string::npos)
      << text.out;
}

TEST_F(History, DiffOfTwoStoredRunsEqualsTheDiffOfTheirInventories) {
  ASSERT_EQ(ccsec({"check", "examples/reference.yaml", "--as-of", "2026-11-28"}).rc, 1);
  ASSERT_EQ(ccsec({"check", "examples/insecure.yaml", "--as-of", "2026-11-28"}).rc, 1);
  const Ran by_run = ccsec({"diff", "--run", "1", "--run", "2"});
  const Ran by_inv =
      ccsec({"diff", "examples/reference.yaml", "examples/insecure.yaml", "--as-of", "2026-11-28"});
  EXPECT_EQ(by_run.rc, by_inv.rc);
  EXPECT_EQ(by_run.rc, 1);  // the insecure inventory adds critical findings
  const auto body = [](const std::string& s) { return s.substr(0, s.rfind(" added, ")); };
  EXPECT_EQ(body(by_run.out), body(by_inv.out));
  EXPECT_NE(by_run.out.find("between run 1 and run 2"), std::string::npos) << by_run.out;
  EXPECT_NE(by_run.out.find("\n+ critical"), std::string::npos) << by_run.out;
  // Same run twice: nothing added or removed.
  const Ran same = ccsec({"diff", "--run", "2", "--run", "2"});
  EXPECT_EQ(same.rc, 0);
  EXPECT_NE(same.out.find("0 added, 0 removed"), std::string::npos) << same.out;
  // Wrong uses: one run, a run that does not exist, runs and inventories together.
  EXPECT_EQ(ccsec({"diff", "--run", "1"}).rc, 2);
  const Ran missing = ccsec({"diff", "--run", "1", "--run", "9"});
  EXPECT_EQ(missing.rc, 2);
  EXPECT_NE(missing.err.find("no run 9"), std::string::npos) << missing.err;
  EXPECT_EQ(ccsec({"diff", "examples/reference.yaml", "--run", "1", "--run", "2"}).rc, 2);
}

TEST_F(History, AnUnusableStoreFailsOnlyWhenNamed) {
  fs::create_directories(dir_ / "state");
  // --store names a path under a regular file: the report is printed, the run fails (exit 3).
  { std::ofstream(dir_ / "file") << "x"; }
  const std::string bad = "sqlite:" + (dir_ / "file/x.db").string();
  const Ran named = ccsec({"check", "examples/reference.yaml", "--store", bad});
  EXPECT_EQ(named.rc, 3) << named.err;
  EXPECT_NE(named.out.find("findings"), std::string::npos);
  EXPECT_NE(named.err.find("cannot open findings store"), std::string::npos) << named.err;
  // The default store unusable (XDG_STATE_HOME under a regular file): a warning, the check's
  // own exit code.
  const Ran dflt = ccsec({"check", "examples/reference.yaml", "--as-of", "2026-11-28"},
                         {"XDG_STATE_HOME=" + (dir_ / "file").string()});
  EXPECT_EQ(dflt.rc, 1) << dflt.err;
  EXPECT_NE(dflt.err.find("warning: run not stored"), std::string::npos) << dflt.err;
  EXPECT_NE(dflt.err.find("--no-store"), std::string::npos) << dflt.err;
}

// The same through a real PostgreSQL server.
class HistoryPostgres : public History {
 protected:
  static void SetUpTestSuite() { server_.start("history"); }
  static void TearDownTestSuite() { server_.stop(); }
  void SetUp() override {
    if (!server_.skip().empty()) GTEST_SKIP() << server_.skip();
    ASSERT_TRUE(server_.started()) << "PostgreSQL did not start";
    History::SetUp();
  }
  static inline testing::PostgresServer server_;
};

TEST_F(HistoryPostgres, ChecksHistoryAndRunDiffOnPostgres) {
  const std::string uri = server_.uri();
  ASSERT_EQ(ccsec({"check", "examples/reference.yaml", "--as-of", "2026-11-28", "--store", uri}).rc,
            1);
  ASSERT_EQ(ccsec({"check", "examples/insecure.yaml", "--as-of", "2026-11-28", "--store", uri}).rc,
            1);
  EXPECT_FALSE(fs::exists(dir_ / "state/ccsec/findings.db"));  // nothing in the default store
  const Ran h = ccsec({"history", "--store", uri, "--format", "json"});
  ASSERT_EQ(h.rc, 0) << h.err;
  auto j = nlohmann::json::parse(h.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << h.out;
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_NE(j["store"].get<std::string>().find("postgresql://"), std::string::npos);
  const auto summary = checkSummary("examples/insecure.yaml");
  for (const char* sev : {"critical", "high", "medium", "low", "info"})
    EXPECT_EQ(j["runs"][1]["unwaived"][sev], summary[sev]) << sev;
  const Ran by_run = ccsec({"diff", "--store", uri, "--run", "1", "--run", "2"});
  const Ran by_inv =
      ccsec({"diff", "examples/reference.yaml", "examples/insecure.yaml", "--as-of", "2026-11-28"});
  EXPECT_EQ(by_run.rc, 1);
  const auto body = [](const std::string& s) { return s.substr(0, s.rfind(" added, ")); };
  EXPECT_EQ(body(by_run.out), body(by_inv.out));
}

}  // namespace
}  // namespace ccsec
