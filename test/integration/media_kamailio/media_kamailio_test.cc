// media_kamailio: SIP/TLS via Kamailio + rtpengine module -> ccsec media; sipp caller (through
// stunnel) offers RTP/SAVP+SDES, sipp callee answers RTP/AVP; this test plays both media
// endpoints and checks every received packet with the libsrtp oracle. See README.md.
#include <regex>

#include "net/datagram_io.h"
#include "scenario.h"

namespace ccsec::media::kamailio {
namespace {

constexpr std::uint16_t kNgPort = 25223;
constexpr std::uint16_t kCallerRtp = 25100;
constexpr std::uint16_t kCalleeRtp = 25110;

// Every packet path of the relay (io_uring only where this kernel allows it).
std::vector<std::string> packetPaths() {
  std::vector<std::string> p{"epoll"};
  if (net::choosePacketPath(net::PacketPath::kUring).ok()) p.push_back("io_uring");
  return p;
}

class MediaKamailio : public ::testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Paths, MediaKamailio, ::testing::ValuesIn(packetPaths()),
                         [](const auto& pinfo) {
                           return pinfo.param == "epoll" ? "epoll" : "uring";
                         });

TEST_P(MediaKamailio, SrtpCallerPlainCalleeThroughKamailioTls) {
  if (const std::string tool = missingTool(); !tool.empty())
    GTEST_SKIP() << tool << " not installed (scripts/setup installs it)";
  if (tcpListening(kTlsPort)) GTEST_SKIP() << "port " << kTlsPort << " already in use";

  ScenarioDir dir;
  ASSERT_TRUE(dir.makePki()) << "certificate setup failed";
  auto callerKey = generateCrypto(SrtpSuite::kAesCm128HmacSha1_80, 1);
  ASSERT_TRUE(callerKey.ok());
  Vars vars = dir.baseVars();
  vars.insert(vars.end(),
              {{"@RTPENGINE@", "modparam(\"rtpengine\", \"rtpengine_sock\", \"udp:127.0.0.1:" +
                                   std::to_string(kNgPort) + "\")"},
               {"@CALLER_RTP@", std::to_string(kCallerRtp)},
               {"@CALLEE_RTP@", std::to_string(kCalleeRtp)},
               {"@SUITE@", "AES_CM_128_HMAC_SHA1_80"},
               {"@CALLER_KEY@", inlineKey(*callerKey)},
               {"@TALK_MS@", "5000"},
               {"@HOLD_MS@", "1500"},
               {"@RESUME_MS@", "5000"}});
  for (const char* f : {"kamailio.cfg", "tls.cfg", "stunnel.conf", "caller.xml", "callee.xml"})
    dir.render(f, vars);

  CallMedia call(kCallerRtp, kCalleeRtp);
  Udp callerRtcp(kCallerRtp + 1), calleeRtcp(kCalleeRtp + 1);
  ASSERT_TRUE(call.ok() && callerRtcp.ok() && calleeRtcp.ok());

  auto anchor = startAnchor(dir / "anchor.log", "127.0.0.1", kNgPort, 0, 37000, 37999, GetParam());
  ASSERT_TRUE(anchorReady(dir / "anchor.log")) << dir.log("anchor.log");
  EXPECT_NE(dir.log("anchor.log").find("packet-path " + GetParam()), std::string::npos)
      << dir.log("anchor.log");
  auto kamailio = startKamailio(dir);
  ASSERT_TRUE(waitFor([&] { return tcpListening(kTlsPort); }, 15s)) << dir.log("kamailio.log");
  auto stunnel = startStunnel(dir);
  ASSERT_TRUE(waitFor([&] { return tcpListening(kStunnelPort); }, 10s)) << dir.log("stunnel.log");
  auto callee = startSipp(dir, "callee", "callee.xml", kCalleeSipPort, "", {"-m", "1"});
  std::this_thread::sleep_for(300ms);
  auto caller = startSipp(dir, "caller", "caller.xml", 25090,
                          "127.0.0.1:" + std::to_string(kStunnelPort), {"-m", "1"});

  // 1. call established: the caller got a 200 OK with our SRTP key, the callee an RTP/AVP offer
  std::string toCaller, toCallee;
  ASSERT_TRUE(waitFor(
      [&] {
        toCaller = nthBody(dir.log("caller_msgs.log"), "SIP/2.0 200 OK", 0);
        toCallee = nthBody(dir.log("callee_msgs.log"), "INVITE sip:", 0);
        return !toCaller.empty() && !toCallee.empty();
      },
      15s))
      << dir.log("kamailio.log") << dir.log("caller_err.log") << dir.log("stunnel.log");
  ASSERT_EQ(call.attach(*callerKey, toCaller, toCallee), "");
  const CryptoAttr anchorCrypto = call.anchorKey;
  const std::uint16_t anchorForCaller = call.anchorForCaller;

  auto talk = [&](int packets, const char* phase) {
    std::string why;
    EXPECT_EQ(call.talk(packets, 1000, &why), 2 * packets) << phase << ": " << why;
  };
  talk(50, "talk");

  // 2. replay and tamper from the SRTP side never reach the callee
  auto r = rtp(0xCA11E200, call.callerSeq++, 1);
  std::size_t rlen = 172;
  ASSERT_EQ(call.tx().protect(r, rlen), srtp_err_status_ok);
  call.callerRtp.sendTo(anchorForCaller, r.data(), rlen);
  ASSERT_FALSE(call.calleeRtp.recv().empty());
  call.callerRtp.sendTo(anchorForCaller, r.data(), rlen);  // replay
  auto t = rtp(0xCA11E200, call.callerSeq++, 2);
  std::size_t tlen = 172;
  ASSERT_EQ(call.tx().protect(t, tlen), srtp_err_status_ok);
  t[60] ^= 0x01;
  call.callerRtp.sendTo(anchorForCaller, t.data(), tlen);  // tampered
  EXPECT_TRUE(call.calleeRtp.recv(500).empty()) << "a replayed or tampered packet was forwarded";

  const std::string callerLog = dir.log("caller_msgs.log");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(callerLog, m, std::regex("Call-ID: ([^\\r\\n]+)")));
  const std::string callId = m[1];
  BValue q = ngCommand(kNgPort, BValue(BValue::Dict{{"command", "query"}, {"call-id", callId}}));
  ASSERT_EQ(q.getString("result"), "ok") << q.getString("error-reason");
  std::int64_t replays = 0, authFailures = 0;
  for (const auto& [tag, st] : q.find("tags")->dict()) {
    if (const BValue* v = st.find("replays")) replays += v->integer();
    if (const BValue* v = st.find("auth-failures")) authFailures += v->integer();
  }
  EXPECT_EQ(replays, 1);
  EXPECT_EQ(authFailures, 1);

  // 3. hold (sendonly) and resume: same ports, same anchor key, audio flows again
  ASSERT_TRUE(
      waitFor([&] { return countOf(dir.log("caller_msgs.log"), "SIP/2.0 200 OK") >= 3; }, 20s))
      << dir.log("caller_err.log");
  const std::string resumed = nthBody(dir.log("caller_msgs.log"), "SIP/2.0 200 OK", 2);
  auto sdpResumed = parseSdp(resumed);
  ASSERT_TRUE(sdpResumed.ok()) << resumed;
  EXPECT_EQ(sdpResumed->media[0].port, anchorForCaller);
  auto resumedCrypto = supportedCrypto(sdpResumed->media[0]);
  ASSERT_EQ(resumedCrypto.size(), 1U);
  EXPECT_TRUE(resumedCrypto[0].sameKey(anchorCrypto)) << "anchor re-keyed on hold/resume";
  const std::string heldOffer = nthBody(dir.log("callee_msgs.log"), "INVITE sip:", 1);
  EXPECT_NE(heldOffer.find("a=sendonly"), std::string::npos) << heldOffer;
  talk(20, "after resume");

  // 4. BYE: sipp both exit cleanly and Kamailio deleted the call in the anchor
  EXPECT_EQ(caller->wait(30s), 0) << dir.log("caller_err.log");
  EXPECT_EQ(callee->wait(10s), 0) << dir.log("callee_err.log");
  BValue gone = ngCommand(kNgPort, BValue(BValue::Dict{{"command", "query"}, {"call-id", callId}}));
  EXPECT_EQ(gone.getString("result"), "error");
  EXPECT_NE(dir.log("stunnel.log").find("Certificate accepted at depth=0: CN=sip.test"),
            std::string::npos)
      << "the caller's SIP did not go over TLS";
  stunnel->stop();
  kamailio->stop();
  EXPECT_EQ(anchor->terminate(), 0) << "ccsec media did not stop cleanly on SIGTERM";
  EXPECT_NE(dir.log("anchor.log").find("ccsec media stopped"), std::string::npos);
}

}  // namespace
}  // namespace ccsec::media::kamailio
