// `ccsec pki` end to end through the real binary: help, exit codes, the inventory forms.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "ccsec/paths.h"
#include "pki_test_util.h"

namespace ccsec::pki {
namespace {

using test::modeOf;
using test::quote;
using test::readText;
using test::run;
using test::TempDir;

const std::string kBin = CCSEC_BIN;

test::Run ccsec(const std::string& args) { return run(quote(kBin) + " " + args); }

TEST(PkiCliTest, EveryVerbHasHelpWithAnExample) {
  for (const char* verb : {"init", "issue", "csr", "import", "revoke", "crl", "rotate", "verify"}) {
    auto r = ccsec(std::string("pki ") + verb + " --help");
    EXPECT_EQ(r.status, 0) << verb << ": " << r.output;
    EXPECT_NE(r.output.find("Example: ccsec pki " + std::string(verb)), std::string::npos)
        << verb << ": " << r.output;
  }
}

TEST(PkiCliTest, UsageAndInputErrorsExit2WithOneLine) {
  TempDir tmp;
  const std::string dir = quote(tmp / "pki");
  EXPECT_EQ(ccsec("pki init").status, 2) << "--dir is required";
  EXPECT_EQ(ccsec("pki init --dir " + dir + " --key dsa-1024").status, 2);
  auto no_ca = ccsec("pki issue --dir " + dir + " --name cg-a");
  EXPECT_EQ(no_ca.status, 2) << no_ca.output;
  EXPECT_EQ(no_ca.output, "ccsec pki issue: " + tmp / "pki" +
                              " holds no CA (ca.pem, ca.key); run "
                              "`ccsec pki init --dir " +
                              tmp / "pki" + "`\n");
  ASSERT_EQ(ccsec("pki init --dir " + dir).status, 0);
  EXPECT_EQ(ccsec("pki init --dir " + dir).status, 2) << "refuses to overwrite";
  EXPECT_EQ(ccsec("pki issue --dir " + dir + " --name cg-a --ip 10.0.0.256").status, 2);
  EXPECT_EQ(ccsec("pki issue --dir " + dir + " --name 'a/b'").status, 2);
  EXPECT_EQ(ccsec("pki issue --dir " + dir + " --all").status, 2);
  EXPECT_EQ(ccsec("pki revoke --dir " + dir + " --name nobody").status, 2);
  EXPECT_EQ(ccsec("pki revoke --dir " + dir + " --name x --reason bogus").status, 2);
  EXPECT_EQ(ccsec("pki verify " + quote(tmp / "missing.yaml")).status, 2);
  EXPECT_EQ(ccsec("pki verify x.yaml --as-of 2026-13-01").status, 2);
}

TEST(PkiCliTest, StandaloneIssueWritesKey0600AndNeverPrintsKeyMaterial) {
  TempDir tmp;
  const std::string dir = tmp / "pki";
  auto init = ccsec("pki init --dir " + quote(dir) + " --key ecdsa-p384");
  ASSERT_EQ(init.status, 0) << init.output;
  auto issue = ccsec("pki issue --dir " + quote(dir) +
                     " --name cg-a --dns cg-a.corp.example.com --ip 10.10.1.20 --days 30");
  ASSERT_EQ(issue.status, 0) << issue.output;
  EXPECT_EQ(issue.output.find("PRIVATE"), std::string::npos);
  EXPECT_EQ(modeOf(dir + "/hosts/cg-a.key"), 0600u);
  EXPECT_EQ(modeOf(dir + "/ca.key"), 0600u);
  auto v = run("openssl verify -CAfile " + quote(dir + "/ca.pem") + " " +
               quote(dir + "/hosts/cg-a.pem"));
  EXPECT_EQ(v.status, 0) << v.output;
  std::string text = run("openssl x509 -noout -text -in " + quote(dir + "/hosts/cg-a.pem")).output;
  EXPECT_NE(text.find("DNS:cg-a.corp.example.com, IP Address:10.10.1.20"), std::string::npos)
      << text;
  EXPECT_NE(text.find("NIST CURVE: P-384"), std::string::npos) << text;
}

TEST(PkiCliTest, CsrImportRoundTripWithAThirdPartyCa) {
  TempDir tmp;
  const std::string dir = tmp / "pki";
  const std::string corp = tmp / "corp";
  ASSERT_EQ(run("mkdir -p " + quote(corp) + " && cd " + quote(corp) +
                " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem"
                " -subj /CN=Corp-Root -days 30")
                .status,
            0);
  auto csr = ccsec("pki csr --dir " + quote(dir) + " --name cti-a --dns cti-a.corp.example.com" +
                   " --ip 10.1.2.3");
  ASSERT_EQ(csr.status, 0) << csr.output;
  EXPECT_EQ(modeOf(dir + "/hosts/cti-a.key"), 0600u);
  EXPECT_EQ(csr.output.find("PRIVATE"), std::string::npos);
  auto sign = [&](const std::string& name, int serial) {
    return run("openssl x509 -req -in " + quote(dir + "/hosts/" + name + ".csr") + " -CA " +
               quote(corp + "/ca.pem") + " -CAkey " + quote(corp + "/ca.key") + " -set_serial " +
               std::to_string(serial) + " -days 20 -copy_extensions copy -out " +
               quote(tmp / (name + ".signed.pem")));
  };
  ASSERT_EQ(sign("cti-a", 7).status, 0);
  auto imported = ccsec("pki import --dir " + quote(dir) + " --name cti-a --cert " +
                        quote(tmp / "cti-a.signed.pem") + " --ca-chain " + quote(corp + "/ca.pem"));
  ASSERT_EQ(imported.status, 0) << imported.output;
  auto v = run("openssl verify -CAfile " + quote(corp + "/ca.pem") + " " +
               quote(dir + "/hosts/cti-a.pem"));
  EXPECT_EQ(v.status, 0) << v.output;

  ASSERT_EQ(ccsec("pki csr --dir " + quote(dir) + " --name cti-b").status, 0);
  ASSERT_EQ(sign("cti-b", 8).status, 0);
  auto mismatch = ccsec("pki import --dir " + quote(dir) + " --name cti-a --cert " +
                        quote(tmp / "cti-b.signed.pem"));
  EXPECT_EQ(mismatch.status, 2) << mismatch.output;
  EXPECT_NE(mismatch.output.find("does not match the key"), std::string::npos) << mismatch.output;
  EXPECT_EQ(ccsec("pki csr --dir " + quote(dir) + " --name cti-a").status, 2) << "key exists";
}

// The lab inventory declares certificate.path certs/NAME.pem; certs/ is a link to DIR/hosts.
class PkiCliInventoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy_file(std::string(CCSEC_SOURCE_DIR) + "/examples/lab.yaml", inv_);
    std::filesystem::create_directory_symlink("pki/hosts", tmp_ / "certs");
    ASSERT_EQ(ccsec("pki init --dir " + quote(dir_)).status, 0);
  }
  test::Run verify(const std::string& extra = "") {
    return ccsec("pki verify " + quote(inv_) + " --dir " + quote(dir_) + " " + extra);
  }
  TempDir tmp_;
  std::string dir_ = tmp_ / "pki";
  std::string inv_ = tmp_ / "lab.yaml";
};

TEST_F(PkiCliInventoryTest, IssueAllThenVerifyRevokeRotate) {
  auto issue = ccsec("pki issue --dir " + quote(dir_) + " " + quote(inv_) + " --all");
  ASSERT_EQ(issue.status, 0) << issue.output;
  EXPECT_NE(issue.output.find("11 issued, 0 kept"), std::string::npos) << issue.output;
  // SANs from the inventory: dns_name, name and address.
  std::string text =
      run("openssl x509 -noout -text -in " + quote(dir_ + "/hosts/rgr-a.pem")).output;
  EXPECT_NE(text.find("DNS:rgr-a.lab.example.com, DNS:rgr-a, IP Address:10.1.1.10"),
            std::string::npos)
      << text;

  auto ok = verify("--format json");
  ASSERT_EQ(ok.status, 0) << ok.output;
  auto json = nlohmann::json::parse(ok.output);
  EXPECT_EQ(json["ok"], true);
  EXPECT_EQ(json["hosts"].size(), 11u);
  EXPECT_EQ(json["problems"].size(), 0u);

  // Idempotent: a second --all keeps every existing pair.
  auto again = ccsec("pki issue --dir " + quote(dir_) + " " + quote(inv_) + " --all");
  EXPECT_EQ(again.status, 0);
  EXPECT_NE(again.output.find("0 issued, 11 kept"), std::string::npos) << again.output;
  EXPECT_EQ(ccsec("pki issue --dir " + quote(dir_) + " " + quote(inv_) + " --host pg-a").status, 2);

  // Revoke + CRL: verify picks up DIR/crl.pem and fails.
  ASSERT_EQ(ccsec("pki revoke --dir " + quote(dir_) + " --name pg-a --reason keyCompromise").status,
            0);
  ASSERT_EQ(ccsec("pki crl --dir " + quote(dir_)).status, 0);
  auto revoked = verify();
  EXPECT_EQ(revoked.status, 1) << revoked.output;
  EXPECT_NE(revoked.output.find("error: pg-a: revoked:"), std::string::npos) << revoked.output;
  auto crl_check =
      run("openssl verify -crl_check -CAfile " + quote(dir_ + "/ca.pem") + " -CRLfile " +
          quote(dir_ + "/crl.pem") + " " + quote(dir_ + "/hosts/pg-a.pem"));
  EXPECT_NE(crl_check.status, 0);

  // Rotation gives pg-a a fresh certificate; the fleet is clean again.
  auto rotate = ccsec("pki rotate --dir " + quote(dir_) + " --name pg-a");
  ASSERT_EQ(rotate.status, 0) << rotate.output;
  EXPECT_EQ(modeOf(dir_ + "/hosts/pg-a.prev.key"), 0600u);
  auto clean = verify();
  EXPECT_EQ(clean.status, 0) << clean.output;
  auto prev = ccsec("pki revoke --dir " + quote(dir_) + " --name pg-a --previous");
  EXPECT_EQ(prev.status, 2) << "already revoked: " << prev.output;
}

TEST_F(PkiCliInventoryTest, VerifyFailsOnSharedCertificateExpiryAndForeignCa) {
  ASSERT_EQ(ccsec("pki issue --dir " + quote(dir_) + " " + quote(inv_) + " --all").status, 0);
  // Expiry, as of a day after the certificates end.
  auto late = verify("--as-of 2040-01-01");
  EXPECT_EQ(late.status, 1);
  EXPECT_NE(late.output.find("error: rgr-a: expired:"), std::string::npos) << late.output;

  // One host's certificate copied over another's.
  std::filesystem::copy_file(dir_ + "/hosts/pg-a.pem", dir_ + "/hosts/pg-b.pem",
                             std::filesystem::copy_options::overwrite_existing);
  auto shared = verify();
  EXPECT_EQ(shared.status, 1);
  EXPECT_NE(shared.output.find("error: pg-a: shared-certificate:"), std::string::npos)
      << shared.output;
  EXPECT_NE(shared.output.find("error: pg-b: name:"), std::string::npos) << shared.output;

  // Another CA's certificate for a host.
  const std::string other = tmp_ / "other";
  ASSERT_EQ(ccsec("pki init --dir " + quote(other)).status, 0);
  ASSERT_EQ(ccsec("pki issue --dir " + quote(other) +
                  " --name aw-1 --dns aw-1.lab.example.com --ip 10.1.3.10")
                .status,
            0);
  std::filesystem::copy_file(other + "/hosts/aw-1.pem", dir_ + "/hosts/aw-1.pem",
                             std::filesystem::copy_options::overwrite_existing);
  auto foreign = verify();
  EXPECT_EQ(foreign.status, 1);
  EXPECT_NE(foreign.output.find("error: aw-1: chain:"), std::string::npos) << foreign.output;
}

}  // namespace
}  // namespace ccsec::pki
