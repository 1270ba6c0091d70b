// `ccsec directory check` against a slapd carrying the AD layout it reads (ad-like.schema,
// ad-like.ldif) and the lab inventory: every CCS-DIR rule fires on the drift planted in the
// directory, with the observed evidence, and a repaired account stops being reported.
#include <ccsec/paths.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "slapd_lab.h"

namespace ccsec {
namespace {

using testing::readFile;
using testing::SlapdLab;

struct Run {
  int status = -1;
  std::string out;  // stdout: the report, parsed as JSON/SARIF/JUnit
  std::string err;  // stderr: errors and warnings, never mixed into the report
};

Run runCcsec(const std::string& args) {
  Run r;
  char errPath[] = "/tmp/ccsec-dircheck-err-XXXXXX";
  const int fd = ::mkstemp(errPath);
  if (fd >= 0) ::close(fd);
  FILE* p = ::popen((std::string(CCSEC_BIN) + " " + args + " 2>" + errPath).c_str(), "r");
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.err = readFile(errPath);
  ::unlink(errPath);
  return r;
}

class DirectoryCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!SlapdLab::available()) GTEST_SKIP() << "slapd not installed (scripts/setup)";
    const std::string here = std::string(CCSEC_SOURCE_DIR) + "/test/integration/identity/";
    lab_ = std::make_unique<SlapdLab>(
        CCSEC_BIN, readFile(here + "ad-like.schema"), readFile(here + "ad-like.ldif"),
        "dn:\ndefaultNamingContext: DC=lab,DC=example,DC=com\n"
        "configurationNamingContext: CN=Configuration,DC=lab,DC=example,DC=com\n"
        "rootDomainNamingContext: DC=lab,DC=example,DC=com\n");
    ASSERT_TRUE(lab_->ok()) << readFile(lab_->dir() / "slapd.log");
    std::ofstream(lab_->dir() / "pw") << "admin-pw\n";
    common_ = std::string(CCSEC_SOURCE_DIR) + "/examples/lab.yaml --ldap " + lab_->ldapsUrl() +
              " --ca " + lab_->caFile() + " --bind-dn cn=admin,dc=lab,dc=example,dc=com" +
              " --password-file " + (lab_->dir() / "pw").string();
  }
  std::unique_ptr<SlapdLab> lab_;
  std::string common_;
};

TEST_F(DirectoryCheck, ReportsDriftWithEvidence) {
  auto r = runCcsec("directory check " + common_ + " --format json");
  ASSERT_EQ(r.status, 1) << r.out << r.err;
  EXPECT_EQ(r.err, "");  // nothing to warn about: the run was checked and stored
  auto doc = nlohmann::json::parse(r.out);
  std::set<std::string> got;
  std::map<std::string, std::string> msg;
  for (const auto& f : doc["findings"]) {
    const std::string key = f["rule"].get<std::string>() + " " + f["target"].get<std::string>();
    got.insert(key);
    msg[key] = f["message"];
  }
  const std::set<std::string> want = {
      "CCS-DIR-001 child.lab.example.com",
      "CCS-DIR-002 dc2",
      "CCS-DIR-002 dc3",
      "CCS-DIR-004 cvp-1",
      "CCS-DIR-004 hds-1",
      "CCS-DIR-005 svc-cce",
      "CCS-DIR-006 cn=CC-Partners,ou=groups,dc=lab,dc=example,dc=com",
  };
  EXPECT_EQ(got, want) << r.out;
  EXPECT_NE(msg["CCS-DIR-002 dc2"].find("options bit 1 = 0"), std::string::npos);
  EXPECT_NE(msg["CCS-DIR-004 hds-1"].find("default container"), std::string::npos);
  EXPECT_NE(msg["CCS-DIR-005 svc-cce"].find("disabled"), std::string::npos);
  EXPECT_NE(msg["CCS-DIR-005 svc-cce"].find("0x202"), std::string::npos);

  // The account is repaired in the directory: no longer reported.
  ASSERT_TRUE(
      lab_->modify("dn: uid=svc-cce,ou=services,dc=lab,dc=example,dc=com\n"
                   "changetype: modify\nreplace: userAccountControl\n"
                   "userAccountControl: 512\n"));
  auto again = runCcsec("directory check " + common_ + " --format json");
  EXPECT_EQ(again.out.find("CCS-DIR-005"), std::string::npos) << again.out;
  // Locked out is reported too.
  ASSERT_TRUE(
      lab_->modify("dn: uid=svc-cce,ou=services,dc=lab,dc=example,dc=com\n"
                   "changetype: modify\nreplace: lockoutTime\n"
                   "lockoutTime: 134000000000000000\n"));
  auto locked = runCcsec("directory check " + common_);
  EXPECT_NE(locked.out.find("locked out"), std::string::npos) << locked.out;
  EXPECT_NE(locked.out.find("directory"), std::string::npos);
  std::cout << locked.out;  // the people format, in the test log
}

// JUnit and SARIF list the CCS-DIR rules (one testcase / driver rule each) and carry the live
// findings, as `check` does for its rules; JUnit honours --fail-on.
TEST_F(DirectoryCheck, JunitAndSarifCarryTheDirectoryRules) {
  auto j = runCcsec("directory check " + common_ + " --format junit");
  EXPECT_EQ(j.status, 1);
  EXPECT_NE(j.out.find("<testsuites name=\"ccsec directory check\" tests=\"6\""), std::string::npos)
      << j.out;
  for (const char* id :
       {"CCS-DIR-001", "CCS-DIR-002", "CCS-DIR-004", "CCS-DIR-005", "CCS-DIR-006"}) {
    auto at = j.out.find(std::string("name=\"") + id);
    ASSERT_NE(at, std::string::npos) << id;
    auto end = j.out.find("</testcase>", at);
    ASSERT_NE(end, std::string::npos) << id << " has no finding in " << j.out;
  }
  EXPECT_NE(j.out.find("svc-cce"), std::string::npos);
  // CCS-DIR-003 holds here (two controllers with a GC in the site): a passing testcase.
  auto at3 = j.out.find("name=\"CCS-DIR-003");
  ASSERT_NE(at3, std::string::npos);
  EXPECT_EQ(j.out.substr(j.out.find('>', at3) - 1, 2), "/>");
  // --fail-on critical: the high/medium findings are properties, not failures.
  auto crit = runCcsec("directory check " + common_ + " --format junit --fail-on critical");
  EXPECT_EQ(crit.status, 0);
  EXPECT_NE(crit.out.find("failures=\"0\""), std::string::npos) << crit.out;
  EXPECT_NE(crit.out.find("below --fail-on critical"), std::string::npos) << crit.out;
  auto s = runCcsec("directory check " + common_ + " --format sarif");
  auto doc = nlohmann::json::parse(s.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << s.out;
  std::set<std::string> rules, results;
  for (const auto& r : doc["runs"][0]["tool"]["driver"]["rules"]) rules.insert(r["id"]);
  for (const auto& r : doc["runs"][0]["results"]) results.insert(r["ruleId"]);
  EXPECT_EQ(rules.size(), 6u);
  EXPECT_TRUE(rules.contains("CCS-DIR-005"));
  EXPECT_EQ(results, (std::set<std::string>{"CCS-DIR-001", "CCS-DIR-002", "CCS-DIR-004",
                                            "CCS-DIR-005", "CCS-DIR-006"}));
}

TEST_F(DirectoryCheck, RefusesPlaintextAndBadCredentials) {
  auto plain = runCcsec("directory check " + std::string(CCSEC_SOURCE_DIR) +
                        "/examples/lab.yaml --ldap " + lab_->ldapUrl() + " --ca " + lab_->caFile() +
                        " --bind-dn x --password-file " + (lab_->dir() / "pw").string());
  EXPECT_EQ(plain.status, 2) << plain.err;
  EXPECT_NE(plain.err.find("refusing plaintext"), std::string::npos) << plain.err;
  auto starttls = runCcsec("directory check " + std::string(CCSEC_SOURCE_DIR) +
                           "/examples/lab.yaml --starttls --ldap " + lab_->ldapUrl() + " --ca " +
                           lab_->caFile() + " --bind-dn cn=admin,dc=lab,dc=example,dc=com" +
                           " --password-file " + (lab_->dir() / "pw").string());
  EXPECT_EQ(starttls.status, 1) << starttls.err;
  std::ofstream(lab_->dir() / "bad") << "nope\n";
  auto bad = runCcsec("directory check " + std::string(CCSEC_SOURCE_DIR) +
                      "/examples/lab.yaml --ldap " + lab_->ldapsUrl() + " --ca " + lab_->caFile() +
                      " --bind-dn cn=admin,dc=lab,dc=example,dc=com" + " --password-file " +
                      (lab_->dir() / "bad").string());
  EXPECT_EQ(bad.status, 3) << bad.err;
  EXPECT_EQ(bad.out.find("nope"), std::string::npos);
  EXPECT_EQ(bad.err.find("nope"), std::string::npos);
}

}  // namespace
}  // namespace ccsec
