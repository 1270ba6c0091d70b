// CCS-TLS-004/005 on real certificate files made by the openssl CLI in a temporary directory.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fixture.h"

namespace ccsec::policy {
namespace {

namespace fs = std::filesystem;
using testing::baseInventory;
using testing::hostNode;
using testing::ofRule;

class CertificateRules : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("ccsec-policy-cert-{}-{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "certs");
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Self-signed P-256 certificate valid from now for `days`, with SAN DNS:`san`.
  void makeCert(const std::string& file, const std::string& san, int days,
                const std::string& key_from = "") {
    const fs::path key = dir_ / "certs" / (file + ".key");
    std::string key_opt =
        key_from.empty()
            ? fmt::format("-newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout '{}'", key.string())
            : fmt::format("-key '{}'", (dir_ / "certs" / (key_from + ".key")).string());
    const std::string cmd = fmt::format(
        "openssl req -x509 -nodes {} -out '{}' -days {} -subj '/CN={}' "
        "-addext 'subjectAltName=DNS:{}' 2>/dev/null",
        key_opt, (dir_ / "certs" / (file + ".pem")).string(), days, san, san);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  std::vector<Finding> run(YAML::Node doc, const std::vector<std::string>& sets = {}) {
    const fs::path inv = dir_ / "inv.yaml";
    std::ofstream(inv) << testing::emit(doc);
    return testing::checkFile(inv.string(), sets);
  }

  static void usePath(YAML::Node doc, const std::string& host, const std::string& file) {
    hostNode(doc, host)["certificate"] = YAML::Load("{path: certs/" + file + ".pem}");
  }

  fs::path dir_;
};

std::vector<Finding> checkAt(const fs::path& inv, int plus_days) {
  inventory::LoadResult r = inventory::loadFile(inv.string());
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return {};
  Options o;
  o.as_of = core::Date::today().plusDays(plus_days);
  return check(*r.model, inventory::Catalog::builtin(), o);
}

TEST_F(CertificateRules, ValidCertificateNamingTheHostIsSilent) {
  makeCert("aw-1", "aw-1", 365);
  YAML::Node doc = baseInventory();
  usePath(doc, "aw-1", "aw-1");
  (void)run(doc);
  // Certificates are made now by the real clock, so "today" is the real date here.
  auto f = checkAt(dir_ / "inv.yaml", 1);
  EXPECT_TRUE(ofRule(f, "CCS-TLS-005").empty());
  EXPECT_TRUE(ofRule(f, "CCS-TLS-004").empty());
}

TEST_F(CertificateRules, ExpiredIsHighExpiringSoonIsMedium) {
  makeCert("aw-1", "aw-1", 100);
  YAML::Node doc = baseInventory();
  usePath(doc, "aw-1", "aw-1");
  (void)run(doc);
  auto expired = ofRule(checkAt(dir_ / "inv.yaml", 120), "CCS-TLS-005");
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].target, "aw-1");
  EXPECT_EQ(expired[0].severity, Severity::kHigh);
  EXPECT_NE(expired[0].message.find("expired"), std::string::npos);

  auto soon = ofRule(checkAt(dir_ / "inv.yaml", 80), "CCS-TLS-005");
  ASSERT_EQ(soon.size(), 1u);
  EXPECT_EQ(soon[0].severity, Severity::kMedium);

  EXPECT_TRUE(ofRule(checkAt(dir_ / "inv.yaml", 10), "CCS-TLS-005").empty());
}

TEST_F(CertificateRules, NameMustMatchHostDnsNameOrAddress) {
  makeCert("aw-1", "someone-else.example.com", 365);
  YAML::Node doc = baseInventory();
  usePath(doc, "aw-1", "aw-1");
  (void)run(doc);
  auto f = ofRule(checkAt(dir_ / "inv.yaml", 1), "CCS-TLS-005");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].target, "aw-1");
  EXPECT_EQ(f[0].severity, Severity::kMedium);
  EXPECT_NE(f[0].message.find("someone-else.example.com"), std::string::npos);

  hostNode(doc, "aw-1")["dns_name"] = "someone-else.example.com";
  (void)run(doc);
  EXPECT_TRUE(ofRule(checkAt(dir_ / "inv.yaml", 1), "CCS-TLS-005").empty());
}

TEST_F(CertificateRules, UnreadableFileIsReported) {
  YAML::Node doc = baseInventory();
  usePath(doc, "aw-1", "missing");
  (void)run(doc);
  auto f = ofRule(checkAt(dir_ / "inv.yaml", 1), "CCS-TLS-005");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("cannot be read"), std::string::npos);
}

TEST_F(CertificateRules, SharedFileOrKeyIsReportedOnBothHosts) {
  makeCert("aw-1", "aw-1", 365);
  makeCert("hds-1", "hds-1", 365, /*key_from=*/"aw-1");
  YAML::Node doc = baseInventory();
  usePath(doc, "aw-1", "aw-1");
  usePath(doc, "hds-1", "aw-1");  // same file
  (void)run(doc);
  auto same_file = ofRule(checkAt(dir_ / "inv.yaml", 1), "CCS-TLS-004");
  ASSERT_EQ(same_file.size(), 2u);
  EXPECT_EQ(same_file[0].target, "aw-1");
  EXPECT_EQ(same_file[1].target, "hds-1");
  EXPECT_NE(same_file[0].message.find("certificate with hds-1"), std::string::npos);

  usePath(doc, "hds-1", "hds-1");  // own certificate, same key
  (void)run(doc);
  auto same_key = ofRule(checkAt(dir_ / "inv.yaml", 1), "CCS-TLS-004");
  ASSERT_EQ(same_key.size(), 2u);
  EXPECT_NE(same_key[1].message.find("private key with aw-1"), std::string::npos);
}

TEST_F(CertificateRules, DeclaredFingerprintMatchingAFileIsShared) {
  makeCert("aw-1", "aw-1", 365);
  auto info = core::readCertificateFile((dir_ / "certs" / "aw-1.pem").string());
  ASSERT_TRUE(info.ok());
  YAML::Node doc = baseInventory();
  usePath(doc, "aw-1", "aw-1");
  hostNode(doc, "hds-1")["certificate"]["fingerprint"] = info->fingerprint_sha256;
  (void)run(doc);
  auto f = ofRule(checkAt(dir_ / "inv.yaml", 1), "CCS-TLS-004");
  EXPECT_EQ(f.size(), 2u);
}

}  // namespace
}  // namespace ccsec::policy
