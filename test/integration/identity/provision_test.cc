// `ccsec directory provision`: byte-exact goldens for examples/lab.yaml (LDIF and PowerShell;
// regenerate with `ccsec directory provision examples/lab.yaml --out
// test/integration/identity/golden` and say why in the commit), and the LDIF applied to a real
// directory (slapd with the AD-like schema) twice: the second run changes nothing.
#include <ccsec/paths.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

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

}  // namespace
}  // namespace ccsec
