// Bencode codec, ng request decoding, SDP parsing/rewriting and SDES crypto attributes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "media/bencode.h"
#include "media/ng.h"
#include "media/sdp.h"
#include "media/server.h"

namespace ccsec::media {
namespace {

TEST(Bencode, RoundTripIsSortedAndExact) {
  BValue::Dict d;
  d["sdp"] = "v=0";
  d["command"] = "offer";
  d["flags"] = BValue(BValue::List{"trust-address", "SDES-no-AEAD_AES_128_GCM"});
  d["n"] = std::int64_t{-42};
  const std::string enc = bencode(BValue(d));
  EXPECT_EQ(
      enc,
      "d7:command5:offer5:flagsl13:trust-address24:SDES-no-AEAD_AES_128_GCMe1:ni-42e3:sdp3:v=0e");
  auto back = bdecode(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->getString("command"), "offer");
  EXPECT_EQ(back->find("n")->integer(), -42);
  EXPECT_EQ(back->find("flags")->list().size(), 2U);
  EXPECT_EQ(bencode(*back), enc);
}

TEST(Bencode, RejectsMalformed) {
  for (const char* bad : {"", "d", "l", "i12", "ie", "i1x2e", "5:abc", "d3:keye", "d1:ai1e", "x",
                          "99999999999999999999999:a", "-1:a", "i1ei2e", "d1:ai1ee1:b"}) {
    EXPECT_FALSE(bdecode(bad).ok()) << bad;
  }
  std::string deep(100, 'l');
  deep += std::string(100, 'e');
  EXPECT_FALSE(bdecode(deep).ok());
}

constexpr const char* kOffer =
    "v=0\r\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.10\r\n"
    "t=0 0\r\n"
    "m=audio 49170 RTP/SAVP 0 8 101\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=crypto:1 AEAD_AES_128_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==\r\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 "
    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n"
    "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20\r\n"
    "a=crypto:4 F8_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
    "a=ice-ufrag:abcd\r\n"
    "a=candidate:1 1 udp 2122260223 192.0.2.10 49170 typ host\r\n"
    "a=rtcp:49171\r\n"
    "a=sendrecv\r\n"
    "m=video 0 RTP/AVP 96\r\n";

TEST(Sdp, ParsesMediaAndSupportedCrypto) {
  auto sdp = parseSdp(kOffer);
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  ASSERT_EQ(sdp->media.size(), 2U);
  const auto& m = sdp->media[0];
  EXPECT_EQ(m.port, 49170);
  EXPECT_EQ(m.proto, "RTP/SAVP");
  EXPECT_EQ(connectionAddress(*sdp, m), "192.0.2.10");
  auto crypto = supportedCrypto(m);
  // tag 2 uses an MKI (not supported), tag 4 an unsupported suite.
  ASSERT_EQ(crypto.size(), 2U);
  EXPECT_EQ(crypto[0].suite, SrtpSuite::kAeadAes128Gcm);
  EXPECT_EQ(crypto[0].key.size(), 16U);
  EXPECT_EQ(crypto[0].salt.size(), 12U);
  EXPECT_EQ(crypto[0].key[1], 1);
  EXPECT_EQ(crypto[1].tag, 3U);
  EXPECT_EQ(crypto[1].salt.size(), 14U);
}

TEST(Sdp, CryptoFormatRoundTrip) {
  auto c = generateCrypto(SrtpSuite::kAesCm128HmacSha1_80, 7);
  ASSERT_TRUE(c.ok());
  const std::string line = formatCrypto(*c);
  EXPECT_EQ(line.rfind("crypto:7 AES_CM_128_HMAC_SHA1_80 inline:", 0), 0U);
  EXPECT_EQ(line.size(), std::string("crypto:7 AES_CM_128_HMAC_SHA1_80 inline:").size() + 40);
  auto back = parseCrypto(line.substr(7));
  ASSERT_TRUE(back.has_value());
  EXPECT_TRUE(back->sameKey(*c));
  auto g = generateCrypto(SrtpSuite::kAeadAes128Gcm, 1);
  auto gb = parseCrypto(formatCrypto(*g).substr(7));
  ASSERT_TRUE(gb.has_value());
  EXPECT_TRUE(gb->sameKey(*g));
  EXPECT_FALSE(parseCrypto("1 AES_CM_128_HMAC_SHA1_80 inline:AAAA").has_value());
  EXPECT_FALSE(parseCrypto("x AES_CM_128_HMAC_SHA1_80 inline:AAAA").has_value());
}

TEST(Sdp, RewriteToPlainRemovesCryptoIceAndPointsAtAnchor) {
  auto sdp = parseSdp(kOffer);
  ASSERT_TRUE(sdp.ok());
  SdpRewrite rw;
  rw.address = "127.0.0.1";
  rw.media.resize(2);
  rw.media[0].port = 30000;
  rw.media[0].proto = "RTP/AVP";
  const std::string out = rewriteSdp(*sdp, rw);
  EXPECT_EQ(out,
            "v=0\r\n"
            "o=alice 2890844526 2890844526 IN IP4 127.0.0.1\r\n"
            "s=-\r\n"
            "c=IN IP4 127.0.0.1\r\n"
            "t=0 0\r\n"
            "m=audio 30000 RTP/AVP 0 8 101\r\n"
            "a=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n"
            "a=sendrecv\r\n"
            "a=rtcp:30001\r\n"
            "m=video 0 RTP/AVP 96\r\n");
}

TEST(Sdp, RewriteToSecureAddsOurCryptoAndMux) {
  auto sdp = parseSdp(
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
      "c=IN IP4 10.0.0.1\r\na=sendonly\r\n");
  ASSERT_TRUE(sdp.ok());
  SdpRewrite rw;
  rw.address = "::1";
  rw.media.resize(1);
  rw.media[0].port = 30002;
  rw.media[0].proto = "RTP/SAVP";
  rw.media[0].rtcpMux = RtcpMuxMode::kOffer;
  auto c = generateCrypto(SrtpSuite::kAeadAes128Gcm, 1);
  rw.media[0].crypto.push_back(*c);
  const std::string out = rewriteSdp(*sdp, rw);
  EXPECT_NE(out.find("o=- 1 1 IN IP6 ::1\r\n"), std::string::npos);
  EXPECT_NE(out.find("m=audio 30002 RTP/SAVP 0\r\nc=IN IP6 "
                     "::1\r\na=sendonly\r\na=rtcp-mux\r\na=crypto:1 AEAD_AES_128_GCM inline:"),
            std::string::npos)
      << out;
}

TEST(Sdp, RejectsGarbage) {
  EXPECT_FALSE(parseSdp("").ok());
  EXPECT_FALSE(parseSdp("hello\r\n").ok());
  EXPECT_FALSE(parseSdp("v=0\r\nm=audio\r\n").ok());
  EXPECT_FALSE(parseSdp("v=0\r\nm=audio 99999 RTP/AVP 0\r\n").ok());
  std::string many = "v=0\r\n";
  for (int i = 0; i < 600; ++i) many += "a=x\r\n";
  EXPECT_FALSE(parseSdp(many).ok());
}

TEST(Ng, DecodesKamailioFlags) {
  auto d = bdecode(
      "d7:command5:offer7:call-id3:abc8:from-tag2:ft3:sdp3:v=018:transport-protocol7:RTP/AVP"
      "3:ICE6:remove7:replacel6:origin18:session-connectione8:rtcp-muxl5:demuxe"
      "9:directionl8:internal8:externale4:SDESl26:no-AES_CM_128_HMAC_SHA1_32e"
      "5:flagsl13:trust-addresse10:via-branch4:z9hGe");
  ASSERT_TRUE(d.ok()) << d.error().message;
  auto r = signalRequestFrom(*d);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->callId, "abc");
  EXPECT_EQ(*r->transportProtocol, "RTP/AVP");
  EXPECT_TRUE(r->replaceOrigin);
  EXPECT_TRUE(r->replaceSessionConnection);
  EXPECT_EQ(r->rtcpMux, RtcpMuxMode::kRemove);
  ASSERT_EQ(r->sdes.size(), 1U);
  EXPECT_EQ(r->viaBranch, "z9hG");
  auto bad = bdecode("d7:command5:offer8:from-tag2:ft3:sdp3:v=0e");
  EXPECT_FALSE(signalRequestFrom(*bad).ok());
  auto ice = bdecode("d7:call-id1:c8:from-tag2:ft3:sdp3:v=03:ICE5:forcee");
  EXPECT_FALSE(signalRequestFrom(*ice).ok());
}

}  // namespace
}  // namespace ccsec::media

namespace ccsec::media {
namespace {

TEST(MediaConfig, HostPortAndYamlFile) {
  auto hp = parseHostPort("127.0.0.1:2223");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "127.0.0.1");
  EXPECT_EQ(hp->second, 2223);
  auto v6 = parseHostPort("[::1]:9103");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->first, "::1");
  EXPECT_FALSE(parseHostPort("localhost").ok());
  EXPECT_FALSE(parseHostPort("1.2.3.4:99999").ok());

  char path[] = "/tmp/ccsec-media-cfg-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path)
      << "interface: 127.0.0.2\nlisten-ng: 127.0.0.1:2300\nport-min: 40000\n"
         "port-max: 40999\nnum-threads: 2\ntimeout: 30\nsrtp-for: [mobile-agent, dialer]\n";
  ServerConfig cfg;
  ASSERT_TRUE(loadServerConfig(path, cfg).ok());
  EXPECT_EQ(cfg.relay.interface, "127.0.0.2");
  EXPECT_EQ(cfg.ngPort, 2300);
  EXPECT_EQ(cfg.relay.portMin, 40000);
  EXPECT_EQ(cfg.relay.threads, 2U);
  EXPECT_EQ(cfg.relay.silentTimeout, std::chrono::seconds(30));
  ASSERT_EQ(cfg.relay.srtpFor.size(), 2U);
  std::ofstream(path) << "port-minn: 1\n";
  auto bad = loadServerConfig(path, cfg);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(
      bad.error().message,
      std::string(path) +
          ":1:1: port-minn: expected one of interface|listen-ng|listen-http|ng-allow|"
          "port-min|port-max|num-threads|timeout|srtp-for|srtp_for|packet-path, found unknown key "
          "\"port-minn\" (did you mean \"port-min\"?)");
  std::remove(path);
}

// The config is read by the strict YAML reader (yaml/walker.h) like every other YAML input.
// Before, a scalar ng-allow was silently ignored (yaml-cpp iterates a scalar as empty: the
// anchor then answered loopback only), a repeated key silently took the last value, and a
// wrong type was yaml-cpp's "bad conversion" without the key.
TEST(MediaConfig, StrictReaderRejectsWhatWasSilentlyIgnored) {
  char path[] = "/tmp/ccsec-media-cfg-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string file = path;
  auto load = [&file](const std::string& text) {
    std::ofstream(file) << text;
    ServerConfig cfg;
    return loadServerConfig(file, cfg);
  };
  auto r = load("listen-ng: 127.0.0.1:2300\nng-allow: 10.0.0.0/8\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, file + ":2:11: ng-allow: expected a sequence, found \"10.0.0.0/8\"");
  r = load("num-threads: 2\nnum-threads: 3\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, file +
                                   ":2:1: num-threads: expected each key once, found "
                                   "\"num-threads\" again (first at line 1)");
  r = load("interface: [a]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, file + ":1:12: interface: expected a string, found a sequence");
  r = load("port-min: 70000\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            file + ":1:11: port-min: expected an integer 1..65535, found \"70000\"");
  r = load("num-threads: 65\ntimeout: -1\nng-allow: [10.0.0.0/33]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            file + ":1:14: num-threads: expected an integer 0..64, found \"65\"");
  EXPECT_NE(
      r.error().detail.find(file + ":2:10: timeout: expected an integer 1..86400, found \"-1\""),
      std::string::npos)
      << r.error().detail;
  EXPECT_NE(r.error().detail.find(file + ":3:12: ng-allow[0]: expected a CIDR (ADDRESS/PREFIX), "
                                         "found \"10.0.0.0/33\""),
            std::string::npos)
      << r.error().detail;
  // A failed read leaves the caller's settings untouched.
  ServerConfig cfg;
  cfg.relay.threads = 7;
  std::ofstream(file) << "num-threads: 2\nbogus: 1\n";
  EXPECT_FALSE(loadServerConfig(file, cfg).ok());
  EXPECT_EQ(cfg.relay.threads, 7U);
  std::remove(path);
}

}  // namespace
}  // namespace ccsec::media
