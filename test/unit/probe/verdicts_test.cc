// Verdicts of `ccsec probe` from observations: one finding per (rule, target).
#include "probe/verdicts.h"

#include <gtest/gtest.h>

namespace ccsec::probe {
namespace {

Observation tlsListener() {
  Observation o;
  o.target.host = "cvp-1";
  o.target.address = "10.1.4.10";
  o.target.dns_name = "cvp-1.lab.example.com";
  o.target.port = 7443;
  o.target.purpose = Purpose::kListener;
  o.target.kind = "vxml-http";
  o.target.tls = true;
  o.target.min_version = "1.2";
  o.reach = Reach::kOpen;
  o.tls.attempted = true;
  o.tls.handshake = true;
  o.tls.versions = {"TLSv1.2", "TLSv1.3"};
  o.tls.suites["TLSv1.2"] = {"ECDHE-ECDSA-AES128-GCM-SHA256"};
  o.complete = true;
  return o;
}

TEST(ProbeVerdicts, PlaintextAnsweredOnAWorkingTlsPortIsOneFinding) {
  // A port that completes TLS handshakes and also answers plaintext (a server sniffing the first
  // byte): CCS-PRB-004 once, not once per code path.
  Observation o = tlsListener();
  o.plaintext.attempted = true;
  o.plaintext.answered = true;
  o.plaintext.evidence = "23 bytes of plaintext in reply (HTTP 200)";
  auto findings = judge({o}, policy::Options{});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "CCS-PRB-004");
  EXPECT_EQ(findings[0].target, "cvp-1:7443");
}

TEST(ProbeVerdicts, PlaintextAnsweredWithoutTlsGivesPlaintextAndNoHandshake) {
  Observation o = tlsListener();
  o.tls.handshake = false;
  o.tls.versions.clear();
  o.tls.suites.clear();
  o.tls.handshake_error = "wrong version number";
  o.plaintext.attempted = true;
  o.plaintext.answered = true;
  auto findings = judge({o}, policy::Options{});
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].rule, "CCS-PRB-004");
  EXPECT_EQ(findings[1].rule, "CCS-PRB-011");
}

TEST(ProbeVerdicts, ACleanTlsListenerGivesNothing) {
  EXPECT_TRUE(judge({tlsListener()}, policy::Options{}).empty());
}

}  // namespace
}  // namespace ccsec::probe
