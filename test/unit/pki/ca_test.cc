// CA directory operations, each output checked with the real `openssl` binary.
#include "pki/ca.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "core/x509_info.h"
#include "pki/index.h"
#include "pki_test_util.h"

namespace ccsec::pki {
namespace {

using test::modeOf;
using test::quote;
using test::readText;
using test::run;
using test::TempDir;

// 2026-01-01T00:00:00Z: a fixed clock for deterministic tests.
constexpr std::time_t kJan2026 = 1767225600;

Options fixedOptions(std::time_t now = kJan2026, std::uint64_t first_serial = 1) {
  Options o;
  o.now = [now] { return now; };
  o.serial = sequentialSerials(first_serial);
  return o;
}

std::string x509Text(const std::string& path) {
  return run("openssl x509 -noout -text -in " + quote(path)).output;
}

// `openssl verify` of a leaf against the CA, optionally with the CRL; "OK" on success.
test::Run opensslVerify(const std::string& dir, const std::string& leaf, bool crl = false) {
  std::string cmd = "openssl verify -CAfile " + quote(dir + "/ca.pem");
  if (crl) cmd += " -crl_check -CRLfile " + quote(dir + "/crl.pem");
  return run(cmd + " " + quote(leaf));
}

class CaTest : public ::testing::Test {
 protected:
  TempDir tmp_;
  std::string dir_ = tmp_ / "pki";
};

TEST_F(CaTest, InitWritesCaCertificateAndPrivateKeyWithMode0600) {
  auto ca = CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650);
  ASSERT_TRUE(ca) << ca.error().message;
  EXPECT_EQ(modeOf(dir_ + "/ca.key"), 0600u);
  EXPECT_EQ(modeOf(dir_ + "/ca.pem"), 0644u);
  EXPECT_EQ(modeOf(dir_), 0700u);
  std::string text = x509Text(dir_ + "/ca.pem");
  EXPECT_NE(text.find("Subject: CN = Lab CA"), std::string::npos) << text;
  EXPECT_NE(text.find("CA:TRUE, pathlen:0"), std::string::npos) << text;
  EXPECT_NE(text.find("Certificate Sign, CRL Sign"), std::string::npos) << text;
  EXPECT_NE(text.find("prime256v1"), std::string::npos) << text;
  // The self-signed CA verifies against itself.
  auto v = run("openssl verify -CAfile " + quote(dir_ + "/ca.pem") + " " + quote(dir_ + "/ca.pem"));
  EXPECT_EQ(v.status, 0) << v.output;
  // The key file is a private key matching the certificate (openssl pkey derives the same public
  // key).
  auto pub_from_key = run("openssl pkey -pubout -in " + quote(dir_ + "/ca.key"));
  auto pub_from_cert = run("openssl x509 -noout -pubkey -in " + quote(dir_ + "/ca.pem"));
  EXPECT_EQ(pub_from_key.status, 0);
  EXPECT_EQ(pub_from_key.output, pub_from_cert.output);
}

TEST_F(CaTest, InitRefusesToOverwriteAnExistingCa) {
  ASSERT_TRUE(CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650));
  std::string before = readText(dir_ + "/ca.key");
  auto again = CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("refusing to overwrite"), std::string::npos);
  EXPECT_EQ(readText(dir_ + "/ca.key"), before);
}

struct KeyCase {
  KeyType type;
  const char* key_marker;  // in `openssl x509 -text`
  const char* signature;
};

class KeyTypeTest : public CaTest, public ::testing::WithParamInterface<KeyCase> {};

TEST_P(KeyTypeTest, CaAndHostUseTheRequestedKeyTypeAndVerify) {
  const KeyCase& c = GetParam();
  auto ca = CaDirectory::init(dir_, c.type, "Lab CA", 3650);
  ASSERT_TRUE(ca) << ca.error().message;
  auto issued = ca->issue(HostRequest{"cg-a", {}, {"10.10.1.20"}, 30, {}});
  ASSERT_TRUE(issued) << issued.error().message;
  for (const auto& path : {dir_ + "/ca.pem", issued->cert_path}) {
    std::string text = x509Text(path);
    EXPECT_NE(text.find(c.key_marker), std::string::npos) << path << "\n" << text;
    EXPECT_NE(text.find(c.signature), std::string::npos) << path << "\n" << text;
  }
  auto v = opensslVerify(dir_, issued->cert_path);
  EXPECT_EQ(v.status, 0) << v.output;
  EXPECT_EQ(modeOf(issued->key_path), 0600u);
}

INSTANTIATE_TEST_SUITE_P(
    AllKeyTypes, KeyTypeTest,
    ::testing::Values(KeyCase{KeyType::kEcdsaP256, "NIST CURVE: P-256", "ecdsa-with-SHA256"},
                      KeyCase{KeyType::kEcdsaP384, "NIST CURVE: P-384", "ecdsa-with-SHA384"},
                      KeyCase{KeyType::kRsa3072, "Public-Key: (3072 bit)",
                              "sha256WithRSAEncryption"}),
    [](const auto& param_info) {
      std::string name = toString(param_info.param.type);
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

TEST_F(CaTest, IssuedHostCertificateHasSansEkuAndIsCaSigned) {
  auto ca = CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650);
  ASSERT_TRUE(ca);
  auto issued = ca->issue(HostRequest{
      "cg-a", {"cg-a.corp.example.com", "cg-a"}, {"10.10.1.20", "2001:db8::7"}, 90, {}});
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->cert_path, dir_ + "/hosts/cg-a.pem");
  EXPECT_EQ(issued->key_path, dir_ + "/hosts/cg-a.key");
  std::string text = x509Text(issued->cert_path);
  EXPECT_NE(text.find("Subject: CN = cg-a"), std::string::npos) << text;
  EXPECT_NE(text.find("Issuer: CN = Lab CA"), std::string::npos) << text;
  EXPECT_NE(text.find("DNS:cg-a.corp.example.com, DNS:cg-a, IP Address:10.10.1.20, "
                      "IP Address:2001:DB8:0:0:0:0:0:7"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("TLS Web Server Authentication, TLS Web Client Authentication"),
            std::string::npos);
  EXPECT_NE(text.find("CA:FALSE"), std::string::npos);
  EXPECT_EQ(opensslVerify(dir_, issued->cert_path).status, 0);
  // Both purposes verify with the real openssl.
  for (const char* purpose : {"sslserver", "sslclient"}) {
    auto v = run("openssl verify -purpose " + std::string(purpose) + " -CAfile " +
                 quote(dir_ + "/ca.pem") + " " + quote(issued->cert_path));
    EXPECT_EQ(v.status, 0) << purpose << ": " << v.output;
  }
  // The key matches the certificate.
  EXPECT_EQ(run("openssl pkey -pubout -in " + quote(issued->key_path)).output,
            run("openssl x509 -noout -pubkey -in " + quote(issued->cert_path)).output);
  // Validity is the requested number of days.
  auto info = core::readCertificateFile(issued->cert_path);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->not_after - info->not_before, 90);
}

TEST_F(CaTest, IssueRefusesExistingHostAndBadInput) {
  auto ca = CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650);
  ASSERT_TRUE(ca);
  ASSERT_TRUE(ca->issue(HostRequest{"cg-a", {}, {}, 30, {}}));
  std::string key_before = readText(dir_ + "/hosts/cg-a.key");
  auto again = ca->issue(HostRequest{"cg-a", {}, {}, 30, {}});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("rotate"), std::string::npos);
  EXPECT_FALSE(again.error().isRuntime());
  EXPECT_EQ(readText(dir_ + "/hosts/cg-a.key"), key_before);

  EXPECT_FALSE(ca->issue(HostRequest{"../evil", {}, {}, 30, {}}));
  EXPECT_FALSE(ca->issue(HostRequest{"ok", {"bad,DNS:evil.com"}, {}, 30, {}}));
  EXPECT_FALSE(ca->issue(HostRequest{"ok", {"*.example.com"}, {}, 30, {}}));
  EXPECT_FALSE(ca->issue(HostRequest{"ok", {}, {"10.0.0.300"}, 30, {}}));
  EXPECT_FALSE(ca->issue(HostRequest{"ok", {}, {}, 0, {}}));
  auto outlives = ca->issue(HostRequest{"ok", {}, {}, 3651, {}});
  ASSERT_FALSE(outlives);
  EXPECT_NE(outlives.error().message.find("outlive the CA"), std::string::npos);
  EXPECT_FALSE(ca->issue(HostRequest{"under_score", {}, {}, 30, {}}))  // not a DNS name
      << "a host name with '_' needs an explicit --dns";
  EXPECT_TRUE(ca->issue(HostRequest{"under_score", {"under-score"}, {}, 30, {}}));
}

TEST_F(CaTest, SerialsAndIndexAreDeterministicUnderInjectedClockAndSerials) {
  std::string first_index;
  for (int round = 0; round < 2; ++round) {
    TempDir tmp;
    const std::string dir = tmp / "pki";
    auto ca = CaDirectory::init(dir, KeyType::kEcdsaP256, "Lab CA", 3650, fixedOptions());
    ASSERT_TRUE(ca);
    auto a = ca->issue(HostRequest{"cg-a", {}, {"10.0.0.1"}, 30, {}});
    auto b = ca->issue(HostRequest{"cg-b", {}, {"10.0.0.2"}, 30, {}});
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->serial, "02");  // the CA took 01
    EXPECT_EQ(b->serial, "03");
    ASSERT_TRUE(ca->revoke("cg-b", RevocationReason::kKeyCompromise));
    ASSERT_TRUE(ca->writeCrl(7));
    EXPECT_NE(x509Text(dir + "/ca.pem").find("Serial Number: 1 (0x1)"), std::string::npos);
    EXPECT_NE(x509Text(a->cert_path).find("Not Before: Jan  1 00:00:00 2026 GMT"),
              std::string::npos);
    std::string index = readText(dir + "/index.json");
    if (round == 0) {
      first_index = index;
    } else {
      // Keys differ between runs, so the fingerprints do; everything else is byte-identical.
      auto strip = [](std::string s) {
        for (std::size_t at = 0; (at = s.find("sha256:", at)) != std::string::npos; at += 7)
          s.replace(at + 7, 64, "");
        return s;
      };
      EXPECT_EQ(strip(index), strip(first_index));
    }
    EXPECT_NE(index.find("\"serial\": \"03\""), std::string::npos) << index;
    EXPECT_NE(index.find("\"revoked_at\": \"2026-01-01T00:00:00Z\""), std::string::npos) << index;
    EXPECT_NE(index.find("\"reason\": \"keyCompromise\""), std::string::npos);
  }
}

TEST_F(CaTest, RandomSerialsArePositive127BitAndDistinct) {
  auto a = randomSerial();
  auto b = randomSerial();
  ASSERT_EQ(a.size(), 16u);
  EXPECT_EQ(a[0] & 0x80, 0);
  EXPECT_NE(a, b);
}

TEST_F(CaTest, RevokeAndCrlAreHonouredByOpensslVerifyCrlCheck) {
  auto ca = CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650);
  ASSERT_TRUE(ca);
  auto a = ca->issue(HostRequest{"cg-a", {}, {}, 30, {}});
  auto b = ca->issue(HostRequest{"cg-b", {}, {}, 30, {}});
  ASSERT_TRUE(a && b);
  auto n1 = ca->writeCrl(7);
  ASSERT_TRUE(n1);
  EXPECT_EQ(*n1, 1u);
  EXPECT_EQ(opensslVerify(dir_, a->cert_path, true).status, 0);

  auto revoked = ca->revoke("cg-a", RevocationReason::kKeyCompromise);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(*revoked, a->serial);
  auto n2 = ca->writeCrl(7);
  ASSERT_TRUE(n2);
  EXPECT_EQ(*n2, 2u);
  EXPECT_EQ(modeOf(dir_ + "/crl.pem"), 0644u);
  auto bad = opensslVerify(dir_, a->cert_path, true);
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.output.find("certificate revoked"), std::string::npos) << bad.output;
  auto good = opensslVerify(dir_, b->cert_path, true);
  EXPECT_EQ(good.status, 0) << good.output;

  std::string crl = run("openssl crl -noout -text -in " + quote(dir_ + "/crl.pem")).output;
  EXPECT_NE(crl.find("Serial Number: " + a->serial), std::string::npos) << crl;
  EXPECT_NE(crl.find("Key Compromise"), std::string::npos) << crl;
  EXPECT_EQ(run("openssl crl -noout -crlnumber -in " + quote(dir_ + "/crl.pem")).output,
            "crlNumber=0x02\n");
  auto sig = run("openssl crl -noout -CAfile " + quote(dir_ + "/ca.pem") + " -in " +
                 quote(dir_ + "/crl.pem"));
  EXPECT_NE(sig.output.find("verify OK"), std::string::npos) << sig.output;

  auto twice = ca->revoke("cg-a", RevocationReason::kSuperseded);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("already revoked"), std::string::npos);
  EXPECT_FALSE(ca->revokeSerial("ABCDEF", RevocationReason::kUnspecified));
}

TEST_F(CaTest, RotationKeepsPreviousPairWhichCanBeRevoked) {
  auto ca = CaDirectory::init(dir_, KeyType::kEcdsaP384, "Lab CA", 3650);
  ASSERT_TRUE(ca);
  auto first = ca->issue(HostRequest{"cg-a", {"cg-a.corp.example.com"}, {"10.10.1.20"}, 45, {}});
  ASSERT_TRUE(first);
  std::string old_key = readText(first->key_path);
  std::string old_cert = readText(first->cert_path);

  auto second = ca->rotate("cg-a");
  ASSERT_TRUE(second) << second.error().message;
  const std::string prev_pem = dir_ + "/hosts/cg-a.prev.pem";
  const std::string prev_key = dir_ + "/hosts/cg-a.prev.key";
  EXPECT_EQ(readText(prev_pem), old_cert);
  EXPECT_EQ(readText(prev_key), old_key);
  EXPECT_EQ(modeOf(prev_key), 0600u);
  EXPECT_EQ(modeOf(second->key_path), 0600u);
  EXPECT_NE(readText(second->key_path), old_key);
  EXPECT_NE(second->serial, first->serial);
  // Same names, same key type, same lifetime.
  auto info = core::readCertificateFile(second->cert_path);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->dns_names, std::vector<std::string>{"cg-a.corp.example.com"});
  EXPECT_EQ(info->ip_addresses, std::vector<std::string>{"10.10.1.20"});
  EXPECT_EQ(info->not_after - info->not_before, 45);
  EXPECT_NE(x509Text(second->cert_path).find("NIST CURVE: P-384"), std::string::npos);
  EXPECT_EQ(opensslVerify(dir_, second->cert_path).status, 0);
  EXPECT_FALSE(run("ls " + quote(dir_ + "/hosts") + " | grep next").status == 0)
      << "no temporary files are left behind";

  ASSERT_TRUE(ca->revoke("cg-a", RevocationReason::kSuperseded, /*previous=*/true));
  ASSERT_TRUE(ca->writeCrl(7));
  EXPECT_NE(opensslVerify(dir_, prev_pem, true).status, 0);
  EXPECT_EQ(opensslVerify(dir_, second->cert_path, true).status, 0);
  EXPECT_FALSE(ca->rotate("nobody"));
}

// A rename that fails midway (the 1st, 2nd, 3rd or 4th of the rotation) leaves the host with its
// previous certificate and key, no stray files, and an index without the new serial.
TEST_F(CaTest, RotationIsAllOrNothingWhenARenameFails) {
  ASSERT_TRUE(CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650));
  {
    auto ca = CaDirectory::open(dir_);
    ASSERT_TRUE(ca);
    ASSERT_TRUE(ca->issue(HostRequest{"cg-a", {"cg-a.corp.example.com"}, {"10.10.1.20"}, 45, {}}));
  }
  const std::string cert = dir_ + "/hosts/cg-a.pem";
  const std::string key = dir_ + "/hosts/cg-a.key";
  const std::string old_cert = readText(cert);
  const std::string old_key = readText(key);
  const std::string old_index = readText(dir_ + "/index.json");
  for (int fail_at = 1; fail_at <= 4; ++fail_at) {
    Options options;
    int calls = 0;
    options.rename = [&calls, fail_at](const char* from, const char* to) {
      if (++calls == fail_at) {
        errno = EIO;
        return -1;
      }
      return ::rename(from, to);
    };
    auto ca = CaDirectory::open(dir_, options);
    ASSERT_TRUE(ca);
    auto r = ca->rotate("cg-a");
    ASSERT_FALSE(r) << "failure at rename " << fail_at << " was not reported";
    EXPECT_TRUE(r.error().isRuntime());
    EXPECT_EQ(calls, fail_at);
    EXPECT_EQ(readText(cert), old_cert) << fail_at;
    EXPECT_EQ(readText(key), old_key) << fail_at;
    EXPECT_EQ(readText(dir_ + "/index.json"), old_index) << fail_at;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/hosts/cg-a.prev.pem")) << fail_at;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/hosts/cg-a.prev.key")) << fail_at;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/hosts/cg-a.next.pem")) << fail_at;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/hosts/cg-a.next.key")) << fail_at;
  }
  // And with no failure the same rotation succeeds.
  auto ca = CaDirectory::open(dir_);
  ASSERT_TRUE(ca);
  auto ok = ca->rotate("cg-a");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_NE(readText(cert), old_cert);
  EXPECT_EQ(readText(dir_ + "/hosts/cg-a.prev.pem"), old_cert);
}

TEST_F(CaTest, CsrSignedExternallyByOpensslIsImported) {
  // A "third-party" CA made with the openssl CLI.
  const std::string ext_dir = tmp_ / "corp";
  ASSERT_EQ(run("mkdir -p " + quote(ext_dir) + " && cd " + quote(ext_dir) +
                " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                "-keyout ca.key -out ca.pem -subj /CN=Corp-Root -days 30")
                .status,
            0);
  auto csr =
      createRequest(dir_, HostRequest{"cti-a", {"cti-a.corp.example.com"}, {"10.1.2.3"}, 30, {}});
  ASSERT_TRUE(csr) << csr.error().message;
  EXPECT_EQ(modeOf(dir_ + "/hosts/cti-a.key"), 0600u);
  std::string req = run("openssl req -noout -text -verify -in " + quote(*csr)).output;
  EXPECT_NE(req.find("verify OK"), std::string::npos) << req;
  EXPECT_NE(req.find("DNS:cti-a.corp.example.com, IP Address:10.1.2.3"), std::string::npos) << req;
  EXPECT_NE(req.find("Subject: CN = cti-a"), std::string::npos) << req;
  EXPECT_FALSE(createRequest(dir_, HostRequest{"cti-a", {}, {}, 30, {}})) << "refuses to overwrite";

  const std::string signed_pem = tmp_ / "cti-a.signed.pem";
  auto sign = run("openssl x509 -req -in " + quote(*csr) + " -CA " + quote(ext_dir + "/ca.pem") +
                  " -CAkey " + quote(ext_dir + "/ca.key") +
                  " -set_serial 4242 -days 20 -copy_extensions copy -out " + quote(signed_pem));
  ASSERT_EQ(sign.status, 0) << sign.output;

  auto imported = importCertificate(dir_, "cti-a", signed_pem, ext_dir + "/ca.pem");
  ASSERT_TRUE(imported) << imported.error().message;
  EXPECT_EQ(*imported, dir_ + "/hosts/cti-a.pem");
  auto v = run("openssl verify -CAfile " + quote(ext_dir + "/ca.pem") + " " + quote(*imported));
  EXPECT_EQ(v.status, 0) << v.output;

  // A certificate for another key is refused, and so is one that does not chain to the chain file.
  auto other = createRequest(dir_, HostRequest{"other", {}, {}, 30, {}});
  ASSERT_TRUE(other);
  const std::string other_pem = tmp_ / "other.signed.pem";
  ASSERT_EQ(run("openssl x509 -req -in " + quote(*other) + " -CA " + quote(ext_dir + "/ca.pem") +
                " -CAkey " + quote(ext_dir + "/ca.key") +
                " -set_serial 4243 -days 20 -copy_extensions copy -out " + quote(other_pem))
                .status,
            0);
  auto mismatch = importCertificate(dir_, "cti-a", other_pem, ext_dir + "/ca.pem");
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("does not match"), std::string::npos);

  auto lab = CaDirectory::init(tmp_ / "lab", KeyType::kEcdsaP256, "Lab CA", 3650);
  ASSERT_TRUE(lab);
  auto foreign = importCertificate(dir_, "other", other_pem, tmp_ / "lab/ca.pem");
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("does not chain"), std::string::npos)
      << foreign.error().message;
  auto garbage = importCertificate(dir_, "other", tmp_ / "lab/ca.key", std::nullopt);
  EXPECT_FALSE(garbage);
}

TEST_F(CaTest, OpenRejectsAWorldReadableCaKey) {
  ASSERT_TRUE(CaDirectory::init(dir_, KeyType::kEcdsaP256, "Lab CA", 3650));
  ASSERT_EQ(::chmod((dir_ + "/ca.key").c_str(), 0644), 0);
  auto ca = CaDirectory::open(dir_);
  ASSERT_FALSE(ca);
  EXPECT_NE(ca.error().message.find("chmod 600"), std::string::npos);
  EXPECT_FALSE(CaDirectory::open(tmp_ / "nothing"));
}

TEST(IndexTest, RoundTripsAndRejectsMalformedInput) {
  CertificateIndex index;
  index.crl_number = 4;
  IndexEntry e;
  e.serial = "0A";
  e.name = "cg-a";
  e.fingerprint = "sha256:" + std::string(64, 'a');
  e.not_before = kJan2026;
  e.not_after = kJan2026 + 86400;
  e.revoked = true;
  e.revoked_at = kJan2026 + 60;
  e.reason = RevocationReason::kCessationOfOperation;
  index.entries.push_back(e);
  std::string text = index.serialize();
  auto back = CertificateIndex::parse(text, "index.json");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->serialize(), text);
  EXPECT_EQ(back->crl_number, 4u);
  ASSERT_EQ(back->entries.size(), 1u);
  EXPECT_EQ(back->entries[0].reason, RevocationReason::kCessationOfOperation);

  for (const char* bad : {"", "[]", "{\"version\":2,\"crl_number\":0,\"certificates\":[]}",
                          "{\"version\":1,\"crl_number\":-1,\"certificates\":[]}",
                          "{\"version\":1,\"crl_number\":0,\"certificates\":[{\"serial\":\"zz\"}]}",
                          "{\"version\":1,\"crl_number\":0,\"certificates\":[1]}"}) {
    EXPECT_FALSE(CertificateIndex::parse(bad, "index.json")) << bad;
  }
  EXPECT_EQ(parseRevocationReason("key-compromise"), RevocationReason::kKeyCompromise);
  EXPECT_EQ(parseRevocationReason("SUPERSEDED"), RevocationReason::kSuperseded);
  EXPECT_FALSE(parseRevocationReason("removeFromCRL"));
  EXPECT_EQ(parseUtc("2026-01-01T00:00:00Z"), kJan2026);
  EXPECT_EQ(formatUtc(kJan2026), "2026-01-01T00:00:00Z");
  EXPECT_FALSE(parseUtc("2026-01-01 00:00:00"));
}

}  // namespace
}  // namespace ccsec::pki
