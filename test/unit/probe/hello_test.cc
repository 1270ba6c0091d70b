// The probe's hand-built ClientHello and its bounds-checked reader of the server's first flight:
// what the hello carries per version, and every reply shape (ServerHello, HelloRetryRequest,
// alert, records split anywhere, a ServerKeyExchange after a certificate, broken lengths).
#include "probe/hello.h"

#include <gtest/gtest.h>

#include <string>

namespace ccsec::probe::hello {
namespace {

void put16(std::string& o, unsigned v) {
  o.push_back(static_cast<char>(v >> 8));
  o.push_back(static_cast<char>(v & 0xff));
}
void put24(std::string& o, std::size_t v) {
  o.push_back(static_cast<char>(v >> 16));
  put16(o, static_cast<unsigned>(v & 0xffff));
}
std::string record(unsigned type, const std::string& payload) {
  std::string r(1, static_cast<char>(type));
  put16(r, 0x0303);
  put16(r, static_cast<unsigned>(payload.size()));
  return r + payload;
}
std::string message(unsigned type, const std::string& body) {
  std::string m(1, static_cast<char>(type));
  put24(m, body.size());
  return m + body;
}
std::string serverHello(unsigned version, unsigned suite, bool hrr, unsigned group,
                        bool v13_extensions) {
  std::string b;
  put16(b, v13_extensions ? 0x0303 : version);
  if (hrr) {
    const unsigned char r[32] = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
                                 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
                                 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
    b.append(reinterpret_cast<const char*>(r), 32);
  } else {
    b.append(32, '\x11');
  }
  b.push_back(0);  // session id
  put16(b, suite);
  b.push_back(0);
  if (v13_extensions) {
    std::string ext;
    put16(ext, 43);
    put16(ext, 2);
    put16(ext, version);
    put16(ext, 51);
    if (hrr) {
      put16(ext, 2);
      put16(ext, group);
    } else {
      put16(ext, 4 + 32);
      put16(ext, group);
      put16(ext, 32);
      ext.append(32, '\x22');
    }
    put16(b, static_cast<unsigned>(ext.size()));
    b += ext;
  }
  return message(2, b);
}

TEST(Hello, ClientHelloOffersOneVersionAndTheGivenSuites) {
  ClientHelloSpec s;
  s.version = kTls11;
  s.suites = {0xc013, 0x002f};
  s.groups = {29, 23};
  s.server_name = "pg-a.lab.example.com";
  std::string h = buildClientHello(s);
  ASSERT_GE(h.size(), 5u + 4 + 2 + 32 + 1);
  EXPECT_EQ(h[0], 22);  // handshake record
  EXPECT_EQ((static_cast<unsigned char>(h[3]) << 8 | static_cast<unsigned char>(h[4])),
            static_cast<int>(h.size() - 5));
  EXPECT_EQ(h[5], 1);  // client_hello
  EXPECT_EQ(h[9], 3);  // client_version 3.2
  EXPECT_EQ(h[10], 2);
  // cipher suites after the random and an empty session id: the two + the renegotiation SCSV
  EXPECT_EQ(h.substr(5 + 4 + 2 + 32, 1), std::string(1, '\0'));
  EXPECT_EQ(h.substr(5 + 4 + 2 + 32 + 1, 8), std::string("\x00\x06\xc0\x13\x00\x2f\x00\xff", 8));
  EXPECT_NE(h.find("pg-a.lab.example.com"), std::string::npos);
  EXPECT_EQ(h.find(std::string("\x00\x2b", 2)), std::string::npos);  // no supported_versions
}

TEST(Hello, Tls13HelloHasNoKeyShareAndOffersOnlyTls13) {
  ClientHelloSpec s;
  s.version = kTls13;
  s.suites = {0x1301};
  s.groups = {29};
  s.server_name = "127.0.0.1";  // an IP literal: no SNI
  std::string h = buildClientHello(s);
  EXPECT_EQ(h[9], 3);
  EXPECT_EQ(h[10], 3);  // legacy_version 1.2
  EXPECT_NE(h.find(std::string("\x00\x2b\x00\x03\x02\x03\x04", 7)), std::string::npos);
  EXPECT_NE(h.find(std::string("\x00\x33\x00\x02\x00\x00", 6)), std::string::npos);  // empty
  EXPECT_EQ(h.find("127.0.0.1"), std::string::npos);
}

TEST(Hello, ReadsATls12ServerHello) {
  auto r = parseServerReply(record(22, serverHello(kTls12, 0xc02b, false, 0, false)));
  EXPECT_EQ(r.kind, ReplyKind::kServerHello);
  EXPECT_EQ(r.version, kTls12);
  EXPECT_EQ(r.suite, 0xc02b);
}

TEST(Hello, ReadsAHelloRetryRequestWithItsSuiteAndGroup) {
  auto r = parseServerReply(record(22, serverHello(kTls13, 0x1302, true, 24, true)));
  EXPECT_EQ(r.kind, ReplyKind::kHelloRetry);
  EXPECT_EQ(r.version, kTls13);
  EXPECT_EQ(r.suite, 0x1302);
  EXPECT_EQ(r.group, 24);
  EXPECT_EQ(groupName(r.group), "secp384r1");
  auto sh = parseServerReply(record(22, serverHello(kTls13, 0x1301, false, 29, true)));
  EXPECT_EQ(sh.kind, ReplyKind::kServerHello);
  EXPECT_EQ(sh.group, 29);
}

TEST(Hello, AnAlertIsARefusal) {
  auto r = parseServerReply(record(21, std::string("\x02\x46", 2)));
  EXPECT_EQ(r.kind, ReplyKind::kAlert);
  EXPECT_EQ(r.alert, 70);  // protocol_version
}

TEST(Hello, RecordsSplitAnywhereAreIncompleteUntilTheHelloIsWhole) {
  std::string all = record(22, serverHello(kTls12, 0xc02f, false, 0, false));
  for (std::size_t cut = 0; cut < all.size(); ++cut)
    EXPECT_EQ(parseServerReply(all.substr(0, cut)).kind, ReplyKind::kIncomplete) << cut;
  // One handshake message across two records.
  std::string m = serverHello(kTls12, 0xc02f, false, 0, false);
  auto r = parseServerReply(record(22, m.substr(0, 10)) + record(22, m.substr(10)));
  EXPECT_EQ(r.kind, ReplyKind::kServerHello);
  EXPECT_EQ(r.suite, 0xc02f);
}

TEST(Hello, KeyExchangeGroupAfterTheCertificate) {
  std::string ske;
  ske.push_back(3);  // named_curve
  put16(ske, 23);
  ske += std::string(40, '\x01');
  std::string flight = serverHello(kTls12, 0xc02b, false, 0, false) +
                       message(11, std::string(3000, '\x30')) + message(12, ske);
  std::string bytes = record(22, flight.substr(0, 1000)) + record(22, flight.substr(1000));
  auto early = parseServerReply(bytes.substr(0, 1200), true);
  EXPECT_EQ(early.kind, ReplyKind::kIncomplete);
  auto r = parseServerReply(bytes, true);
  EXPECT_EQ(r.kind, ReplyKind::kServerHello);
  EXPECT_EQ(r.group, 23);
  // Without want_key_exchange the hello alone decides.
  EXPECT_EQ(parseServerReply(bytes.substr(0, 1200)).kind, ReplyKind::kServerHello);
}

TEST(Hello, BrokenInputIsRefusedNotRead) {
  EXPECT_EQ(parseServerReply("HTTP/1.1 400 Bad Request\r\n").kind, ReplyKind::kNotTls);
  // A handshake message that is not a ServerHello.
  EXPECT_EQ(parseServerReply(record(22, message(11, "abc"))).kind, ReplyKind::kMalformed);
  // A ServerHello whose extension length runs past its body.
  std::string sh = serverHello(kTls13, 0x1301, true, 29, true);
  sh[sh.size() - 9] = '\x7f';
  EXPECT_EQ(parseServerReply(record(22, sh)).kind, ReplyKind::kMalformed);
  // A record longer than TLS allows.
  std::string big(1, '\x16');
  put16(big, 0x0303);
  put16(big, 0xffff);
  EXPECT_EQ(parseServerReply(big).kind, ReplyKind::kMalformed);
  // An empty alert record.
  EXPECT_EQ(parseServerReply(record(21, "")).kind, ReplyKind::kMalformed);
  // More than kMaxReplyBytes without a decision.
  std::string lots = record(22, serverHello(kTls12, 0xc02b, false, 0, false));
  while (lots.size() <= kMaxReplyBytes) lots += record(22, message(11, std::string(16000, 'x')));
  EXPECT_EQ(parseServerReply(lots, true).kind, ReplyKind::kMalformed);
}

}  // namespace
}  // namespace ccsec::probe::hello
