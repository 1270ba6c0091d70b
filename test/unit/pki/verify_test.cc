// Fleet verification: chain, CRL, names, expiry and fleet-wide uniqueness.
#include "pki/verify.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "pki/ca.h"
#include "pki_test_util.h"

namespace ccsec::pki {
namespace {

using test::quote;
using test::run;
using test::TempDir;

constexpr std::time_t kJan2026 = 1767225600;  // 2026-01-01T00:00:00Z

bool hasProblem(const FleetReport& r, const std::string& host, const std::string& code) {
  return std::any_of(r.problems.begin(), r.problems.end(),
                     [&](const Problem& p) { return p.host == host && p.code == code; });
}

std::string dump(const FleetReport& r) { return r.text(); }

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.now = [] { return kJan2026; };
    auto ca = CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650, o);
    ASSERT_TRUE(ca) << ca.error().message;
    ca_.emplace(std::move(*ca));
  }

  FleetHost issue(const std::string& name, const std::string& ip,
                  std::optional<std::string> dns = std::nullopt, int days = 365) {
    HostRequest req{name, {}, {ip}, days, {}};
    if (dns) req.dns_names = {*dns, name};
    auto issued = ca_->issue(req);
    EXPECT_TRUE(issued) << issued.error().message;
    return FleetHost{name, dns, ip, issued ? issued->cert_path : "", std::nullopt};
  }

  VerifyOptions options(std::time_t now = kJan2026 + 86400) const {
    VerifyOptions v;
    v.ca_files = {dir_ + "/ca.pem"};
    v.now = now;
    return v;
  }

  TempDir tmp_;
  std::string dir_ = tmp_ / "pki";
  std::optional<CaDirectory> ca_;
};

TEST_F(VerifyTest, HealthyFleetPasses) {
  std::vector<FleetHost> fleet{issue("cg-a", "10.10.1.20", "cg-a.corp.example.com"),
                               issue("cg-b", "10.10.1.21"), issue("finesse-a", "2001:db8::5")};
  auto report = verifyFleet(fleet, options());
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_TRUE(report->ok()) << dump(*report);
  EXPECT_TRUE(report->problems.empty()) << dump(*report);
  EXPECT_TRUE(report->chain_checked);
  ASSERT_EQ(report->hosts.size(), 3u);
  EXPECT_TRUE(report->hosts[0].checked);
  EXPECT_NE(report->text().find("3 hosts, 3 certificates checked, 0 errors"), std::string::npos)
      << report->text();
  EXPECT_NE(report->json().find("\"ok\": true"), std::string::npos);
}

TEST_F(VerifyTest, DetectsSharedCertificate) {
  FleetHost a = issue("cg-a", "10.10.1.20");
  FleetHost b{"cg-b", std::nullopt, "10.10.1.20", a.cert_path, std::nullopt};  // same file
  auto report = verifyFleet({a, b}, options());
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok());
  EXPECT_TRUE(hasProblem(*report, "cg-a", "shared-certificate")) << dump(*report);
  EXPECT_TRUE(hasProblem(*report, "cg-b", "shared-certificate")) << dump(*report);
  EXPECT_FALSE(hasProblem(*report, "cg-a", "shared-key")) << "implied by the shared certificate";
  EXPECT_TRUE(hasProblem(*report, "cg-b", "name")) << "cg-a's certificate does not name cg-b";
}

TEST_F(VerifyTest, DetectsSharedKeyAcrossDifferentCertificates) {
  // Two requests made by openssl from ONE key, both signed by our CA with the openssl CLI.
  const std::string key = tmp_ / "shared.key";
  ASSERT_EQ(run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + quote(key))
                .status,
            0);
  std::vector<FleetHost> fleet;
  int serial = 100;
  for (const std::string name : {"pg-a", "pg-b"}) {
    const std::string csr = tmp_ / (name + ".csr");
    const std::string pem = tmp_ / (name + ".pem");
    ASSERT_EQ(run("openssl req -new -key " + quote(key) + " -subj /CN=" + name +
                  " -addext subjectAltName=DNS:" + name + ",IP:10.0.0." + std::to_string(serial) +
                  " -out " + quote(csr))
                  .status,
              0);
    auto signed_cert =
        run("openssl x509 -req -in " + quote(csr) + " -CA " + quote(dir_ + "/ca.pem") + " -CAkey " +
            quote(dir_ + "/ca.key") + " -set_serial " + std::to_string(serial) +
            " -days 30 -copy_extensions copy -out " + quote(pem));
    ASSERT_EQ(signed_cert.status, 0) << signed_cert.output;
    fleet.push_back(
        FleetHost{name, std::nullopt, "10.0.0." + std::to_string(serial), pem, std::nullopt});
    ++serial;
  }
  // openssl x509 -req starts "now": check as of now + 1 day.
  auto report = verifyFleet(fleet, options(std::time(nullptr) + 86400));
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok());
  EXPECT_TRUE(hasProblem(*report, "pg-a", "shared-key")) << dump(*report);
  EXPECT_TRUE(hasProblem(*report, "pg-b", "shared-key")) << dump(*report);
  EXPECT_FALSE(hasProblem(*report, "pg-a", "shared-certificate"));
  EXPECT_FALSE(hasProblem(*report, "pg-a", "chain")) << dump(*report);
  EXPECT_FALSE(hasProblem(*report, "pg-a", "name")) << dump(*report);
}

TEST_F(VerifyTest, DetectsExpiredNotYetValidAndExpiringSoon) {
  FleetHost shortlived = issue("cg-a", "10.10.1.20", std::nullopt, 10);
  FleetHost soon = issue("cg-b", "10.10.1.21", std::nullopt, 40);
  FleetHost fine = issue("cg-c", "10.10.1.22", std::nullopt, 365);
  auto report = verifyFleet({shortlived, soon, fine}, options(kJan2026 + 20 * 86400));
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok());
  EXPECT_TRUE(hasProblem(*report, "cg-a", "expired")) << dump(*report);
  EXPECT_FALSE(hasProblem(*report, "cg-a", "chain"))
      << "expiry is reported once, not as a chain error";
  EXPECT_TRUE(hasProblem(*report, "cg-b", "expiring")) << dump(*report);
  EXPECT_EQ(report->problems.size(), 2u) << dump(*report);

  auto early = verifyFleet({fine}, options(kJan2026 - 86400));
  ASSERT_TRUE(early);
  EXPECT_TRUE(hasProblem(*early, "cg-c", "not-yet-valid")) << dump(*early);

  // A warning alone does not fail the fleet.
  auto warn_only = verifyFleet({soon}, options(kJan2026 + 20 * 86400));
  ASSERT_TRUE(warn_only);
  EXPECT_TRUE(warn_only->ok()) << dump(*warn_only);
}

TEST_F(VerifyTest, DetectsNameAndAddressMismatch) {
  FleetHost a = issue("cg-a", "10.10.1.20", "cg-a.corp.example.com");
  FleetHost renamed = a;
  renamed.dns_name = "cg-a.other.example.com";
  FleetHost moved = a;
  moved.address = "10.10.9.9";
  auto report = verifyFleet({renamed}, options());
  ASSERT_TRUE(report);
  EXPECT_TRUE(hasProblem(*report, "cg-a", "name")) << dump(*report);
  EXPECT_FALSE(hasProblem(*report, "cg-a", "address"));
  auto report2 = verifyFleet({moved}, options());
  ASSERT_TRUE(report2);
  EXPECT_TRUE(hasProblem(*report2, "cg-a", "address")) << dump(*report2);
  EXPECT_FALSE(hasProblem(*report2, "cg-a", "name"));
  EXPECT_FALSE(report2->ok());
}

TEST_F(VerifyTest, DetectsForeignCaAndRevocation) {
  FleetHost ours = issue("cg-a", "10.10.1.20");
  FleetHost revoked = issue("cg-b", "10.10.1.21");
  Options fixed;
  fixed.now = [] { return kJan2026; };
  auto other = CaDirectory::init(tmp_ / "other", KeyType::kEcdsaP256, "Lab CA", 3650, fixed);
  ASSERT_TRUE(other);
  auto foreign_files = other->issue(HostRequest{"cg-c", {}, {"10.10.1.22"}, 30, {}});
  ASSERT_TRUE(foreign_files);
  FleetHost foreign{"cg-c", std::nullopt, "10.10.1.22", foreign_files->cert_path, std::nullopt};
  ASSERT_TRUE(ca_->revoke("cg-b", RevocationReason::kKeyCompromise));
  ASSERT_TRUE(ca_->writeCrl(30));

  VerifyOptions opts = options();
  opts.crl_file = dir_ + "/crl.pem";
  auto report = verifyFleet({ours, revoked, foreign}, opts);
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->crl_checked);
  EXPECT_FALSE(hasProblem(*report, "cg-a", "chain")) << dump(*report);
  EXPECT_FALSE(hasProblem(*report, "cg-a", "revoked")) << dump(*report);
  EXPECT_TRUE(hasProblem(*report, "cg-b", "revoked")) << dump(*report);
  EXPECT_TRUE(hasProblem(*report, "cg-c", "chain")) << dump(*report);
  EXPECT_FALSE(report->ok());
}

TEST_F(VerifyTest, UnreadableAndUndeclaredCertificates) {
  FleetHost missing{"cg-a", std::nullopt, "10.10.1.20", tmp_ / "nope.pem", std::nullopt};
  FleetHost undeclared{"dc1", std::nullopt, "10.10.0.5", std::nullopt, std::nullopt};
  FleetHost pinned{"cg-b", std::nullopt, "10.10.1.21", std::nullopt,
                   "sha256:" + std::string(64, 'a')};
  FleetHost pinned_twice = pinned;
  pinned_twice.name = "cg-c";
  auto report = verifyFleet({missing, undeclared, pinned, pinned_twice}, options());
  ASSERT_TRUE(report);
  EXPECT_TRUE(hasProblem(*report, "cg-a", "unreadable")) << dump(*report);
  EXPECT_TRUE(hasProblem(*report, "dc1", "no-certificate"));
  EXPECT_TRUE(hasProblem(*report, "cg-b", "shared-certificate")) << dump(*report);
  VerifyOptions no_ca = options();
  no_ca.ca_files = {tmp_ / "missing-ca.pem"};
  EXPECT_FALSE(verifyFleet({}, no_ca));
}

}  // namespace
}  // namespace ccsec::pki
