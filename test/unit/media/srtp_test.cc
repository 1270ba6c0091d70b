// SRTP/SRTCP transforms: RFC vectors, replay window and ROC estimation, and interoperability with
// libsrtp2 (the oracle) in both directions for every suite, across sequence wraps and losses.
#include "media/srtp.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "libsrtp_oracle.h"
#include "media/rtp.h"

namespace ccsec::media {
namespace {

std::vector<std::uint8_t> unhex(std::string_view h) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::vector<std::uint8_t> rtpPacket(std::uint32_t ssrc, std::uint16_t seq, std::uint8_t fill) {
  std::vector<std::uint8_t> p(172 + 64, 0);
  p[0] = 0x80;
  p[1] = 0;
  storeBe16(p.data() + 2, seq);
  storeBe32(p.data() + 4, static_cast<std::uint32_t>(seq) * 160U);
  storeBe32(p.data() + 8, ssrc);
  for (std::size_t i = 12; i < 172; ++i) p[i] = static_cast<std::uint8_t>(fill + i);
  return p;
}

std::vector<std::uint8_t> rtcpPacket(std::uint32_t ssrc, std::uint8_t fill) {
  std::vector<std::uint8_t> p(28 + 64, 0);
  p[0] = 0x80;
  p[1] = 200;  // SR
  storeBe16(p.data() + 2, 6);
  storeBe32(p.data() + 4, ssrc);
  for (std::size_t i = 8; i < 28; ++i) p[i] = static_cast<std::uint8_t>(fill ^ i);
  return p;
}

struct Keys {
  std::vector<std::uint8_t> key, salt, both;
};

Keys keysFor(SrtpSuite suite, std::uint8_t seed) {
  const auto p = suiteParams(suite);
  Keys k;
  for (std::size_t i = 0; i < p.keyLength; ++i)
    k.key.push_back(static_cast<std::uint8_t>(seed + 3 * i));
  for (std::size_t i = 0; i < p.saltLength; ++i)
    k.salt.push_back(static_cast<std::uint8_t>(seed * 7 + i));
  k.both = k.key;
  k.both.insert(k.both.end(), k.salt.begin(), k.salt.end());
  return k;
}

TEST(Srtp, SelfTestPasses) {
  auto r = selfTest();
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
}

// The CM-32 known answer in selfTest() is libsrtp's output for the same input.
TEST(Srtp, Cm32KnownAnswerIsLibsrtps) {
  const auto mk = unhex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto ms = unhex("0EC675AD498AFEEBB6960B3AABE6");
  std::vector<std::uint8_t> both = mk;
  both.insert(both.end(), ms.begin(), ms.end());
  Libsrtp tx(SrtpSuite::kAesCm128HmacSha1_32, true, both);
  std::vector<std::uint8_t> p = {0x80, 0x00, 0x12, 0x34, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef};
  for (std::uint8_t i = 12; i < 32; ++i) p.push_back(i);
  p.resize(64);
  std::size_t len = 32;
  ASSERT_EQ(tx.protect(p, len), srtp_err_status_ok);
  p.resize(len);
  EXPECT_EQ(p, unhex("8000123400000001deadbeef121a21e1661f542e3638022c931dfe57d40487c964776ae1"));
  EXPECT_TRUE(selfTest().ok());
}

TEST(Srtp, Rfc3711KeyDerivationVectors) {
  const auto mk = unhex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto ms = unhex("0EC675AD498AFEEBB6960B3AABE6");
  std::vector<std::uint8_t> out(20);
  ASSERT_TRUE(deriveKey(mk, ms, 1, out).ok());
  EXPECT_EQ(out, unhex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
  out.resize(14);
  ASSERT_TRUE(deriveKey(mk, ms, 2, out).ok());
  EXPECT_EQ(out, unhex("30CBBC08863D8C85D49DB34A9AE1"));
}

TEST(Srtp, SuiteNames) {
  EXPECT_EQ(suiteFromName("AEAD_AES_128_GCM"), SrtpSuite::kAeadAes128Gcm);
  EXPECT_EQ(suiteFromName("AES_CM_128_HMAC_SHA1_32"), SrtpSuite::kAesCm128HmacSha1_32);
  EXPECT_FALSE(suiteFromName("F8_128_HMAC_SHA1_80").has_value());
  EXPECT_EQ(suiteParams(SrtpSuite::kAesCm128HmacSha1_32).rtcpTagLength, 10U);
}

TEST(ReplayWindowTest, AcceptsNewRejectsSeenAndTooOld) {
  ReplayWindow w;
  EXPECT_TRUE(w.check(1000));
  w.accept(1000);
  EXPECT_FALSE(w.check(1000));
  EXPECT_TRUE(w.check(999));
  w.accept(999);
  EXPECT_FALSE(w.check(999));
  w.accept(1100);
  EXPECT_FALSE(w.check(1000));
  EXPECT_TRUE(w.check(1001));
  EXPECT_TRUE(w.check(1100 - 127));
  EXPECT_FALSE(w.check(1100 - 128));  // left of the 128-packet window
  w.accept(1100 + 70);                // shift across the 64-bit word boundary
  EXPECT_FALSE(w.check(1100));
  EXPECT_FALSE(w.check(1170 - 128));
  EXPECT_TRUE(w.check(1170 - 127));
  w.accept(5000);
  EXPECT_FALSE(w.check(1170));
  EXPECT_TRUE(w.check(4999));
}

TEST(RocEstimation, Rfc3711AppendixA) {
  EXPECT_EQ(estimateIndex(0, 65530, 3), (1ULL << 16) | 3);  // wrap forward
  EXPECT_EQ(estimateIndex(1, 2, 65533), 65533ULL);          // late packet from before wrap
  EXPECT_EQ(estimateIndex(5, 100, 200), (5ULL << 16) | 200);
  EXPECT_EQ(estimateIndex(5, 40000, 10), (6ULL << 16) | 10);
  EXPECT_EQ(estimateIndex(5, 40000, 39000), (5ULL << 16) | 39000);
  EXPECT_EQ(estimateIndex(0, 10, 60000), 60000ULL);  // no negative ROC
}

class OracleTest : public ::testing::TestWithParam<SrtpSuite> {};

// libsrtp protects, ccsec unprotects: from seq 65500 across the wrap, with a loss burst of
// 20,000 packets across a second wrap; then replay and tamper are rejected and counted.
TEST_P(OracleTest, LibsrtpToCcsecRtpAcrossWrapsAndLoss) {
  const SrtpSuite suite = GetParam();
  const Keys k = keysFor(suite, 11);
  Libsrtp tx(suite, true, k.both);
  auto rx = SrtpContext::create(suite, k.key, k.salt);
  ASSERT_TRUE(rx.ok());
  std::uint16_t seq = 65500;
  std::vector<std::uint8_t> last;
  std::size_t lastLen = 0;
  int delivered = 0;
  for (int i = 0; i < 300; ++i) {
    if (i == 150) seq = static_cast<std::uint16_t>(seq + 20000);  // loss burst
    if (i == 200) seq = static_cast<std::uint16_t>(seq + 25000);  // another burst, wraps again
    auto p = rtpPacket(0x11223344, seq, static_cast<std::uint8_t>(i));
    const auto plain = std::vector<std::uint8_t>(p.begin(), p.begin() + 172);
    std::size_t len = 172;
    ASSERT_EQ(tx.protect(p, len), srtp_err_status_ok);
    last = p;
    lastLen = len;
    ASSERT_EQ((*rx)->unprotectRtp(p.data(), len), SrtpStatus::kOk)
        << "packet " << i << " seq " << seq;
    ASSERT_EQ(len, 172U);
    EXPECT_EQ(0, std::memcmp(p.data(), plain.data(), 172));
    ++delivered;
    ++seq;
  }
  EXPECT_EQ(delivered, 300);
  EXPECT_EQ((*rx)->unprotectRtp(last.data(), lastLen), SrtpStatus::kReplayed);
  auto p = rtpPacket(0x11223344, seq, 1);
  std::size_t len = 172;
  ASSERT_EQ(tx.protect(p, len), srtp_err_status_ok);
  p[40] ^= 0x01;
  EXPECT_EQ((*rx)->unprotectRtp(p.data(), len), SrtpStatus::kAuthFailed);
  EXPECT_EQ((*rx)->counters().replays, 1U);
  EXPECT_EQ((*rx)->counters().authFailures, 1U);
  EXPECT_EQ((*rx)->counters().packets, 300U);
}

// ccsec protects, libsrtp unprotects, across a wrap; libsrtp rejects the replay and a tamper.
TEST_P(OracleTest, CcsecToLibsrtpRtpAcrossWrap) {
  const SrtpSuite suite = GetParam();
  const Keys k = keysFor(suite, 42);
  auto tx = SrtpContext::create(suite, k.key, k.salt);
  ASSERT_TRUE(tx.ok());
  Libsrtp rx(suite, false, k.both);
  std::uint16_t seq = 65400;
  std::vector<std::uint8_t> last;
  std::size_t lastLen = 0;
  for (int i = 0; i < 400; ++i) {
    if (i == 300) seq = static_cast<std::uint16_t>(seq + 30000);
    auto p = rtpPacket(0xcafef00d, seq++, static_cast<std::uint8_t>(i));
    const auto plain = std::vector<std::uint8_t>(p.begin(), p.begin() + 172);
    std::size_t len = 172;
    ASSERT_EQ((*tx)->protectRtp(p.data(), len, p.size()), SrtpStatus::kOk);
    ASSERT_EQ(len, 172 + suiteParams(suite).rtpTagLength);
    last = p;
    lastLen = len;
    ASSERT_EQ(rx.unprotect(p, len), srtp_err_status_ok) << "packet " << i;
    ASSERT_EQ(len, 172U);
    EXPECT_EQ(0, std::memcmp(p.data(), plain.data(), 172));
  }
  EXPECT_EQ(rx.unprotect(last, lastLen), srtp_err_status_replay_fail);
  auto p = rtpPacket(0xcafef00d, seq, 9);
  std::size_t len = 172;
  ASSERT_EQ((*tx)->protectRtp(p.data(), len, p.size()), SrtpStatus::kOk);
  p[len - 1] ^= 0x80;
  EXPECT_EQ(rx.unprotect(p, len), srtp_err_status_auth_fail);
}

TEST_P(OracleTest, SrtcpBothWays) {
  const SrtpSuite suite = GetParam();
  const Keys k = keysFor(suite, 77);
  Libsrtp ltx(suite, true, k.both);
  Libsrtp lrx(suite, false, k.both);
  auto ctx = SrtpContext::create(suite, k.key, k.salt);
  auto crx = SrtpContext::create(suite, k.key, k.salt);
  ASSERT_TRUE(ctx.ok() && crx.ok());
  std::vector<std::uint8_t> last;
  std::size_t lastLen = 0;
  for (int i = 0; i < 50; ++i) {
    auto a = rtcpPacket(0x01020304, static_cast<std::uint8_t>(i));
    const auto plain = std::vector<std::uint8_t>(a.begin(), a.begin() + 28);
    std::size_t len = 28;
    ASSERT_EQ(ltx.protectRtcp(a, len), srtp_err_status_ok);
    last = a;
    lastLen = len;
    ASSERT_EQ((*crx)->unprotectRtcp(a.data(), len), SrtpStatus::kOk) << i;
    ASSERT_EQ(len, 28U);
    EXPECT_EQ(0, std::memcmp(a.data(), plain.data(), 28));

    auto b = rtcpPacket(0x05060708, static_cast<std::uint8_t>(i + 1));
    len = 28;
    ASSERT_EQ((*ctx)->protectRtcp(b.data(), len, b.size()), SrtpStatus::kOk);
    ASSERT_EQ(lrx.unprotectRtcp(b, len), srtp_err_status_ok) << i;
    ASSERT_EQ(len, 28U);
  }
  EXPECT_EQ((*crx)->unprotectRtcp(last.data(), lastLen), SrtpStatus::kReplayed);
  auto t = rtcpPacket(0x01020304, 3);
  std::size_t len = 28;
  ASSERT_EQ(ltx.protectRtcp(t, len), srtp_err_status_ok);
  t[10] ^= 0x40;
  EXPECT_EQ((*crx)->unprotectRtcp(t.data(), len), SrtpStatus::kAuthFailed);
}

// Reordering inside the window is accepted once; duplicates are not.
TEST_P(OracleTest, ReorderedWithinWindow) {
  const SrtpSuite suite = GetParam();
  const Keys k = keysFor(suite, 5);
  Libsrtp tx(suite, true, k.both);
  auto rx = SrtpContext::create(suite, k.key, k.salt);
  ASSERT_TRUE(rx.ok());
  std::vector<std::vector<std::uint8_t>> pkts;
  std::vector<std::size_t> lens;
  for (std::uint16_t s = 65530; s != 10; ++s) {
    auto p = rtpPacket(7, s, 1);
    std::size_t len = 172;
    ASSERT_EQ(tx.protect(p, len), srtp_err_status_ok);
    pkts.push_back(p);
    lens.push_back(len);
  }
  // deliver in reverse pairs: 1,0,3,2,...
  for (std::size_t i = 0; i + 1 < pkts.size(); i += 2) {
    for (std::size_t j : {i + 1, i}) {
      auto p = pkts[j];
      std::size_t len = lens[j];
      EXPECT_EQ((*rx)->unprotectRtp(p.data(), len), SrtpStatus::kOk) << j;
    }
  }
  auto p = pkts[3];
  std::size_t len = lens[3];
  EXPECT_EQ((*rx)->unprotectRtp(p.data(), len), SrtpStatus::kReplayed);
}

INSTANTIATE_TEST_SUITE_P(AllSuites, OracleTest,
                         ::testing::Values(SrtpSuite::kAesCm128HmacSha1_80,
                                           SrtpSuite::kAesCm128HmacSha1_32,
                                           SrtpSuite::kAeadAes128Gcm),
                         [](const auto& param_info) {
                           switch (param_info.param) {
                             case SrtpSuite::kAesCm128HmacSha1_80:
                               return std::string("CM80");
                             case SrtpSuite::kAesCm128HmacSha1_32:
                               return std::string("CM32");
                             case SrtpSuite::kAeadAes128Gcm:
                               return std::string("GCM");
                           }
                           return std::string("x");
                         });

TEST(Srtp, RejectsGarbageAndShortPackets) {
  const Keys k = keysFor(SrtpSuite::kAesCm128HmacSha1_80, 1);
  auto rx = SrtpContext::create(SrtpSuite::kAesCm128HmacSha1_80, k.key, k.salt);
  ASSERT_TRUE(rx.ok());
  std::uint8_t junk[8] = {0x80, 0, 0, 1};
  std::size_t len = sizeof junk;
  EXPECT_EQ((*rx)->unprotectRtp(junk, len), SrtpStatus::kMalformed);
  std::uint8_t v1[40] = {0x40};
  len = sizeof v1;
  EXPECT_EQ((*rx)->unprotectRtp(v1, len), SrtpStatus::kMalformed);
  EXPECT_FALSE(SrtpContext::create(SrtpSuite::kAeadAes128Gcm, k.key, k.salt).ok());  // 14-byte salt
}

TEST(Srtp, RandomSsrcsCannotExhaustStreamsWithoutTheKey) {
  const Keys k = keysFor(SrtpSuite::kAesCm128HmacSha1_80, 1);
  const Keys other = keysFor(SrtpSuite::kAesCm128HmacSha1_80, 2);
  auto rx = SrtpContext::create(SrtpSuite::kAesCm128HmacSha1_80, k.key, k.salt);
  auto forger = SrtpContext::create(SrtpSuite::kAesCm128HmacSha1_80, other.key, other.salt);
  for (std::uint32_t ssrc = 1; ssrc < 50; ++ssrc) {
    if (ssrc > kMaxStreamsPerContext) break;
    auto p = rtpPacket(ssrc, 1, 0);
    std::size_t len = 172;
    ASSERT_EQ((*forger)->protectRtp(p.data(), len, p.size()), SrtpStatus::kOk) << ssrc;
    EXPECT_EQ((*rx)->unprotectRtp(p.data(), len), SrtpStatus::kAuthFailed);
  }
  Libsrtp tx(SrtpSuite::kAesCm128HmacSha1_80, true, k.both);
  auto p = rtpPacket(999, 1, 0);
  std::size_t len = 172;
  ASSERT_EQ(tx.protect(p, len), srtp_err_status_ok);
  EXPECT_EQ((*rx)->unprotectRtp(p.data(), len), SrtpStatus::kOk);
}

// One key, more SSRCs over time than stream slots (a sender that changes SSRC on every
// re-INVITE, transfer or music-on-hold): the least recently used stream gives its slot up, so
// every new SSRC is served (both directions, RTP and RTCP); a stream in use keeps its replay state.
TEST(Srtp, SsrcChurnEvictsTheLeastRecentlyUsedStream) {
  const SrtpSuite suite = SrtpSuite::kAesCm128HmacSha1_80;
  const Keys k = keysFor(suite, 5);
  Libsrtp tx(suite, true, k.both);
  auto rx = SrtpContext::create(suite, k.key, k.salt);
  auto ours = SrtpContext::create(suite, k.key, k.salt);
  Libsrtp check(suite, false, k.both);
  ASSERT_TRUE(rx.ok() && ours.ok());
  const std::uint32_t steady = 0xabcdef01;
  std::vector<std::uint8_t> steadyLast;
  std::size_t steadyLastLen = 0;
  std::uint16_t steadySeq = 1;
  for (std::uint32_t ssrc = 1; ssrc <= 4 * kMaxStreamsPerContext; ++ssrc) {
    for (std::uint16_t seq = 1; seq <= 3; ++seq) {
      auto p = rtpPacket(ssrc, seq, 7);
      std::size_t len = 172;
      ASSERT_EQ(tx.protect(p, len), srtp_err_status_ok);
      ASSERT_EQ((*rx)->unprotectRtp(p.data(), len), SrtpStatus::kOk) << "ssrc " << ssrc;
      auto q = rtpPacket(ssrc, seq, 9);
      std::size_t qlen = 172;
      ASSERT_EQ((*ours)->protectRtp(q.data(), qlen, q.size()), SrtpStatus::kOk) << "ssrc " << ssrc;
      ASSERT_EQ(check.unprotect(q, qlen), srtp_err_status_ok) << "ssrc " << ssrc;
      auto c = rtcpPacket(ssrc, 3);
      std::size_t clen = 28;
      ASSERT_EQ(tx.protectRtcp(c, clen), srtp_err_status_ok);
      ASSERT_EQ((*rx)->unprotectRtcp(c.data(), clen), SrtpStatus::kOk) << "rtcp ssrc " << ssrc;
    }
    // The steady stream stays in use throughout.
    auto p = rtpPacket(steady, steadySeq++, 1);
    std::size_t len = 172;
    ASSERT_EQ(tx.protect(p, len), srtp_err_status_ok);
    steadyLast = p;
    steadyLastLen = len;
    ASSERT_EQ((*rx)->unprotectRtp(p.data(), len), SrtpStatus::kOk);
  }
  EXPECT_GT((*rx)->counters().evictions, 0U);
  // Its replay window survived the churn.
  EXPECT_EQ((*rx)->unprotectRtp(steadyLast.data(), steadyLastLen), SrtpStatus::kReplayed);
}

}  // namespace
}  // namespace ccsec::media
