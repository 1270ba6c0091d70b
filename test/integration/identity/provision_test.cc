// `ccsec directory provision`: byte-exact goldens for examples/lab.yaml (LDIF and PowerShell;
// regenerate with `ccsec directory provision examples/lab.yaml --out
// test/integration/identity/golden` and say why in the commit), and the LDIF applied to a real
// directory (slapd with the AD-like schema) twice: the second run changes nothing.
#include <ccsec/paths.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "slapd_lab.h"

namespace ccsec {
namespace {

using testing::readFile;
using testing::SlapdLab;

std::string capture(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int st = ::pclose(p);
  if (status != nullptr) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

const std::string kHere = std::string(CCSEC_SOURCE_DIR) + "/test/integration/identity/";

TEST(DirectoryProvision, GoldenAndIdempotentOnARealDirectory) {
  char tmpl[] = "/tmp/ccsec-prov-XXXXXX";
  const std::filesystem::path out = ::mkdtemp(tmpl);
  int st = -1;
  const std::string log = capture(std::string(CCSEC_BIN) + " directory provision " +
                                      CCSEC_SOURCE_DIR + "/examples/lab.yaml --out " + out.string(),
                                  &st);
  ASSERT_EQ(st, 0) << log;
  for (const char* f : {"lab.example.com.ldif", "lab.example.com.ps1"})
    EXPECT_EQ(readFile(out / f), readFile(kHere + "golden/" + f)) << f;
  // A root outside the domain is refused.
  capture(std::string(CCSEC_BIN) + " directory provision " + CCSEC_SOURCE_DIR +
              "/examples/lab.yaml --out " + out.string() + " --root OU=X,DC=other,DC=com",
          &st);
  EXPECT_EQ(st, 2);

  if (!SlapdLab::available()) {
    std::filesystem::remove_all(out);
    GTEST_SKIP() << "slapd not installed (scripts/setup)";
  }
  SlapdLab lab(CCSEC_BIN, readFile(kHere + "ad-like.schema"));
  ASSERT_TRUE(lab.ok());
  const std::string apply =
      "ldapmodify -a -c -x -D cn=admin,dc=lab,dc=example,dc=com -w admin-pw "
      "-H '" +
      lab.ldapiUrl() + "' -f " + (out / "lab.example.com.ldif").string();
  const std::string dump =
      "ldapsearch -LLL -x -D cn=admin,dc=lab,dc=example,dc=com -w admin-pw "
      "-H '" +
      lab.ldapiUrl() +
      "' -b OU=CCE,DC=lab,DC=example,DC=com '(objectClass=*)' '*' "
      "entryCSN modifyTimestamp";
  const std::string first = capture(apply, &st);
  ASSERT_EQ(st, 0) << first;
  const std::string before = capture(dump, &st);
  ASSERT_EQ(st, 0) << before;
  EXPECT_NE(before.find("dn: cn=lab_Setup,ou=Groups,ou=lab,ou=CCE,dc=lab,dc=example,dc=com"),
            std::string::npos)
      << before;
  EXPECT_NE(before.find("groupType: -2147483644"), std::string::npos);
  EXPECT_NE(before.find("dn: ou=Servers,ou=CCE,dc=lab,dc=example,dc=com"), std::string::npos);
  const std::string second = capture(apply, &st);
  EXPECT_NE(second.find("Already exists"), std::string::npos) << second;
  EXPECT_EQ(second.find("adding new entry") == std::string::npos ||
                second.find("Already exists") != std::string::npos,
            true);
  EXPECT_EQ(capture(dump), before) << "re-applying changed the directory";
  std::filesystem::remove_all(out);
}

}  // namespace
}  // namespace ccsec

namespace ccsec {
namespace {

// `ccsec accounts check|fix` and `ccsec users` for examples/lab.yaml, pinned byte for byte
// (Debian has no PowerShell to run them; regenerate with the commands in README.md).
TEST(Accounts, ScriptsAndUsersMatchGoldens) {
  char tmpl[] = "/tmp/ccsec-acc-XXXXXX";
  const std::filesystem::path out = ::mkdtemp(tmpl);
  const std::string inv = std::string(CCSEC_SOURCE_DIR) + "/examples/lab.yaml";
  int st = -1;
  for (const char* mode : {"check", "fix"}) {
    capture(std::string(CCSEC_BIN) + " accounts " + mode + " " + inv + " --out " +
                (out / mode).string(),
            &st);
    ASSERT_EQ(st, 0);
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(kHere + "golden/accounts/" + mode)) {
      ++n;
      EXPECT_EQ(readFile(out / mode / e.path().filename()), readFile(e.path())) << e.path();
    }
    EXPECT_EQ(n, 7u);  // the lab's Windows domain members
  }
  const std::string users = capture(std::string(CCSEC_BIN) + " users " + inv, &st);
  EXPECT_EQ(st, 0);
  EXPECT_EQ(users, readFile(kHere + "golden/accounts/users.txt"));
  // The service account only where it serves, the setup+config user everywhere.
  EXPECT_EQ(readFile(out / "check" / "pg-a.ps1").find("svc-cce"), std::string::npos);
  EXPECT_NE(readFile(out / "check" / "rgr-a.ps1")
                .find("'UcceService' = @('lab-admin@lab.example.com', 'svc-cce@lab.example.com')"),
            std::string::npos);
  std::filesystem::remove_all(out);
}

// `ccsec accounts report`: the JSON lines the check scripts print (their shape is pinned by the
// check goldens), read back into CCS-ACC findings and the Service Account Manager's view.
TEST(Accounts, ReportTurnsTheScriptsLinesIntoFindingsAndHealth) {
  char tmpl[] = "/tmp/ccsec-accrep-XXXXXX";
  const std::filesystem::path dir = ::mkdtemp(tmpl);
  const std::string inv = std::string(CCSEC_SOURCE_DIR) + "/examples/lab.yaml";
  const std::string ok = R"(,"missing":[],"extra":[],"unresolved":[],"fixed":[],)"
                         R"("ADSecurityGroupUpdate":{"expected":0,"actual":0}})";
  std::ofstream(dir / "results.jsonl")
      << R"({"host":"aw-1")" << ok << "\n"
      << R"({"host":"cvp-1")" << ok << "\r\n"
      << R"({"host":"hds-1","missing":[{"account":"svc-cce@lab.example.com","group":"UcceService"}],)"
      << R"("extra":[{"account":"lab-admin@lab.example.com","group":"Remote Desktop Users"}],)"
      << R"("unresolved":[],"fixed":[],"ADSecurityGroupUpdate":{"expected":0,"actual":1}})"
      << "\n"
      << R"({"host":"pg-a","missing":[],"extra":[],"unresolved":["lab-admin@lab.example.com"],)"
      << R"("fixed":[],"ADSecurityGroupUpdate":{"expected":0,"actual":null}})"
      << "\n\n"
      << R"({"host":"pg-b")" << ok << "\n"
      << R"({"host":"rgr-a","missing":[],"extra":[{"account":"svc-cce@lab.example.com","group":"Administrators"}],)"
      << R"("unresolved":[],"fixed":[],"ADSecurityGroupUpdate":{"expected":0,"actual":0}})"
      << "\n";
  // rgr-b reports nothing.
  int st = -1;
  const std::string json =
      capture(std::string(CCSEC_BIN) + " accounts report " + inv + " " +
                  (dir / "results.jsonl").string() + " --format json 2>/dev/null",
              &st);
  EXPECT_EQ(st, 1) << json;
  auto doc = nlohmann::json::parse(json, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << json;
  std::set<std::string> got;
  for (const auto& f : doc["findings"])
    got.insert(f["rule"].get<std::string>() + " " + f["target"].get<std::string>() + " " +
               f["severity"].get<std::string>());
  const std::set<std::string> want = {
      "CCS-ACC-001 hds-1:svc-cce@lab.example.com high",
      "CCS-ACC-002 hds-1:lab-admin@lab.example.com medium",
      "CCS-ACC-003 hds-1 medium",
      "CCS-ACC-001 pg-a:lab-admin@lab.example.com high",
      "CCS-ACC-003 pg-a medium",
      "CCS-ACC-002 rgr-a:svc-cce@lab.example.com high",  // in Administrators: high
      "CCS-ACC-004 rgr-b low",
  };
  EXPECT_EQ(got, want) << json;
  // The Service Account Manager's view, per host and account.
  const std::string text = capture(std::string(CCSEC_BIN) + " accounts report " + inv + " " +
                                       (dir / "results.jsonl").string() + " 2>/dev/null",
                                   &st);
  EXPECT_NE(text.find("svc-cce@lab.example.com          healthy"), std::string::npos) << text;
  EXPECT_NE(text.find("unhealthy  not in UcceService"), std::string::npos) << text;
  EXPECT_NE(text.find("unhealthy  does not resolve to a SID"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown    not reported"), std::string::npos) << text;
  // JUnit: one testcase per CCS-ACC rule; --fail-on critical passes.
  const std::string junit = capture(std::string(CCSEC_BIN) + " accounts report " + inv + " " +
                                        (dir / "results.jsonl").string() +
                                        " --format junit --fail-on critical 2>/dev/null",
                                    &st);
  EXPECT_EQ(st, 0);
  EXPECT_NE(junit.find("<testsuites name=\"ccsec accounts report\" tests=\"4\""), std::string::npos)
      << junit;
  // Hostile or foreign input: exit 2, the line number named, never its bytes.
  std::ofstream(dir / "bad.jsonl") << R"({"host":"aw-1")" << ok << "\nSECRET-GARBAGE\n";
  const std::string bad = capture(
      std::string(CCSEC_BIN) + " accounts report " + inv + " " + (dir / "bad.jsonl").string(), &st);
  EXPECT_EQ(st, 2);
  EXPECT_NE(bad.find("line 2"), std::string::npos) << bad;
  EXPECT_EQ(bad.find("SECRET"), std::string::npos) << bad;
  std::ofstream(dir / "foreign.jsonl") << R"({"host":"intruder")" << ok << "\n";
  const std::string foreign = capture(
      std::string(CCSEC_BIN) + " accounts report " + inv + " " + (dir / "foreign.jsonl").string(),
      &st);
  EXPECT_EQ(st, 2);
  EXPECT_NE(foreign.find("not a Windows domain member"), std::string::npos) << foreign;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ccsec
