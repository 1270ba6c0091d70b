// #16.5 scale-out of the media anchor: Kamailio's rtpengine module drives a *set* of two
// `ccsec media` instances (its own weighted distribution over the set). sipp places a first
// batch of calls (over stunnel/TLS, as the one-anchor test does) that spread over both anchors;
// the test plays every call's media. One anchor is killed with kill -9 (or frozen with SIGSTOP,
// the silent variant) while media flows on the survivor's calls: those calls lose no packet, a
// second batch of calls set up afterwards lands entirely on the survivor (Kamailio marks the
// dead node disabled) and carries media, and the dead anchor's calls fail cleanly (their media
// stops; their next re-INVITE is refused with 503 and the caller hangs up; nothing hangs).
// See README.md and docs/scaling.md.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <string>
#include <system_error>
#include <thread>

#include "common/metrics.h"
#include "scenario.h"

namespace ccsec::media::kamailio {
namespace {

using testing::metricValue;
using testing::runCaptured;
using testing::scrapeMetrics;

constexpr int kAnchors = 2;
constexpr std::uint16_t kNgPort[kAnchors] = {25223, 25224};
constexpr std::uint16_t kHttpPort[kAnchors] = {25301, 25302};
const std::string kIface[kAnchors] = {"127.0.0.1", "127.0.0.2"};
constexpr int kPortMin[kAnchors] = {37000, 37500};
constexpr int kBatch1 = 12;  // calls before the kill
constexpr int kBatch2 = 8;   // calls after it
constexpr std::uint16_t kCallerRtpBase = 26000;
constexpr std::uint16_t kCalleeRtpBase = 26500;
constexpr std::uint16_t kProbePort = 25095;

std::string ngUrl(int anchor) { return "udp:127.0.0.1:" + std::to_string(kNgPort[anchor]); }

/// A call of one sipp caller batch, as far as both sipp message logs show it.
struct Leg {
  std::string callId;
  CryptoAttr callerKey;
  std::uint16_t callerPort = 0, calleePort = 0;
  std::string toCaller, toCallee;  // the anchor's SDP to each side
  double invited = 0, answered = 0;
};

/// Calls of `callerLog` established on both sides (the caller has its 200 OK to the first
/// INVITE, the callee has answered it), by Call-ID.
std::map<std::string, Leg> established(const std::string& callerLog, const std::string& calleeLog) {
  std::map<std::string, Leg> calls;
  for (const auto& m : sipMessages(callerLog)) {
    if (m.cseq != "1 INVITE") continue;
    Leg& l = calls[m.callId];
    l.callId = m.callId;
    if (m.sent && m.startLine.rfind("INVITE ", 0) == 0) {
      auto sdp = parseSdp(m.body);
      if (!sdp.ok() || sdp->media.empty()) continue;
      l.callerPort = sdp->media[0].port;
      if (auto c = supportedCrypto(sdp->media[0]); !c.empty()) l.callerKey = c[0];
      l.invited = m.at;
    } else if (!m.sent && m.startLine.rfind("SIP/2.0 200", 0) == 0) {
      l.toCaller = m.body;
      l.answered = m.at;
    }
  }
  for (const auto& m : sipMessages(calleeLog)) {
    auto it = calls.find(m.callId);
    if (it == calls.end() || m.cseq != "1 INVITE") continue;
    if (!m.sent && m.startLine.rfind("INVITE ", 0) == 0) it->second.toCallee = m.body;
    if (m.sent && m.startLine.rfind("SIP/2.0 200", 0) == 0) {
      auto sdp = parseSdp(m.body);
      if (sdp.ok() && !sdp->media.empty()) it->second.calleePort = sdp->media[0].port;
    }
  }
  for (auto it = calls.begin(); it != calls.end();)
    if (it->second.toCaller.empty() || it->second.toCallee.empty() || it->second.calleePort == 0 ||
        it->second.callerPort == 0)
      it = calls.erase(it);
    else
      ++it;
  return calls;
}

/// Start lines of what `log` shows for `callId` with CSeq `cseq` ("2 INVITE", "4 BYE", ...).
std::vector<std::string> replies(const std::string& log, const std::string& callId,
                                 const std::string& cseq) {
  std::vector<std::string> out;
  for (const auto& m : sipMessages(log))
    if (m.callId == callId && m.cseq == cseq && m.startLine.rfind("SIP/2.0 ", 0) == 0)
      out.push_back(m.startLine);
  return out;
}

struct Call {
  Leg leg;
  std::unique_ptr<CallMedia> media;
  int anchor = -1;
};

// How anchor 1 is lost: kill -9 (its ports close, so loopback answers Kamailio's next ng command
// with ICMP port unreachable and the command fails at once), or SIGSTOP (a frozen or cut-off
// host: nothing answers, so the command fails only after rtpengine_tout_ms × rtpengine_retr).
class MediaKamailioScaleOut : public ::testing::TestWithParam<int> {
 protected:
  /// Kamailio's view of the set (kamcmd rtpengine.show all): is `anchor`'s node disabled?
  bool disabled(int anchor) {
    auto r = runCaptured(
        {"kamcmd", "-s", "unix:" + dir_.str() + "/kamailio_ctl", "rtpengine.show", "all"},
        dir_.path(), dir_.path());
    show_ = r.out;
    const auto at = r.out.find(ngUrl(anchor));
    if (at == std::string::npos) return false;
    const auto d = r.out.find("disabled:", at);
    return d != std::string::npos && r.out.compare(d, 11, "disabled: 1") == 0;
  }

  /// An OPTIONS to Kamailio's UDP port gets a final reply (this config answers 405).
  bool kamailioAnswers() {
    Udp probe(kProbePort);
    const std::string id = "probe-" + std::to_string(++probes_);
    const std::string req = "OPTIONS sip:127.0.0.1:" + std::to_string(kKamUdpPort) +
                            " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + std::to_string(kProbePort) +
                            ";branch=z9hG4bK-" + id + "\r\nFrom: <sip:probe@127.0.0.1>;tag=" + id +
                            "\r\nTo: <sip:127.0.0.1>\r\nCall-ID: " + id +
                            "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    probe.sendTo(kKamUdpPort, req.data(), req.size());
    const auto r = probe.recv(5000);
    return std::string(r.begin(), r.end()).rfind("SIP/2.0 405", 0) == 0;
  }

  /// Waits for the `n` calls of sipp caller `name` to be established and attaches their
  /// media endpoints; false (with the reason in `why_`) if they do not all come up.
  bool collect(const std::string& name, int n, std::vector<Call>& out) {
    std::map<std::string, Leg> legs;
    if (!waitFor(
            [&] {
              legs = established(dir_.log(name + "_msgs.log"), dir_.log("callee_msgs.log"));
              return static_cast<int>(legs.size()) >= n;
            },
            60s)) {
      why_ = name + ": " + std::to_string(legs.size()) + " of " + std::to_string(n) +
             " calls established\n" + dir_.log(name + "_err.log") + dir_.log("kamailio.log");
      return false;
    }
    for (auto& [id, leg] : legs) {
      Call c;
      c.leg = leg;
      c.media = std::make_unique<CallMedia>(leg.callerPort, leg.calleePort);
      if (!c.media->ok()) {
        why_ = "cannot bind the media ports of " + id;
        return false;
      }
      if (auto e = c.media->attach(leg.callerKey, leg.toCaller, leg.toCallee); !e.empty()) {
        why_ = id + ": " + e;
        return false;
      }
      for (int a = 0; a < kAnchors; ++a)
        if (c.media->anchorAddr == kIface[a] && c.media->anchorAddrCallee == kIface[a])
          c.anchor = a;
      out.push_back(std::move(c));
    }
    return true;
  }

  long metric(int anchor, const std::string& name) {
    return metricValue(scrapeMetrics(kHttpPort[anchor]), name);
  }

  ScenarioDir dir_;
  std::string show_, why_;
  int probes_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Loss, MediaKamailioScaleOut, ::testing::Values(SIGKILL, SIGSTOP),
                         [](const auto& p) { return p.param == SIGKILL ? "kill9" : "sigstop"; });

// Every thread of `pid` is stopped (state T in /proc/PID/task/TID/stat).
bool allThreadsStopped(pid_t pid) {
  std::error_code ec;
  int threads = 0;
  for (const auto& t :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream in(t.path() / "stat");
    std::string line;
    std::getline(in, line);
    const auto close = line.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos || close + 2 >= line.size() || line[close + 2] != 'T')
      return false;
    ++threads;
  }
  return !ec && threads > 0;
}

TEST_P(MediaKamailioScaleOut, TwoAnchorSetSurvivesLossOfOne) {
  if (const std::string tool = missingTool(); !tool.empty())
    GTEST_SKIP() << tool << " not installed (scripts/setup installs it)";
  if (tcpListening(kTlsPort)) GTEST_SKIP() << "port " << kTlsPort << " already in use";
  ASSERT_TRUE(dir_.makePki()) << "certificate setup failed";

  // Templates: the set of two anchors; per-call RTP ports and SRTP keys from sipp injection
  // files (one line per call, in order).
  Vars vars = dir_.baseVars();
  std::string set =
      "modparam(\"rtpengine\", \"rtpengine_sock\", \"" + ngUrl(0) + "=1 " + ngUrl(1) + "=1\")\n";
  set += "modparam(\"rtpengine\", \"rtpengine_tout_ms\", 1000)\n";
  set += "modparam(\"rtpengine\", \"rtpengine_retr\", 2)\n";
  set += "modparam(\"rtpengine\", \"rtpengine_disable_tout\", 300)\n";
  set += "modparam(\"rtpengine\", \"queried_nodes_limit\", 2)";
  vars.insert(vars.end(), {{"@RTPENGINE@", set},
                           {"@CALLER_RTP@", "[field0]"},
                           {"@CALLER_KEY@", "[field1]"},
                           {"@CALLEE_RTP@", "[field0]"},
                           {"@SUITE@", "AES_CM_128_HMAC_SHA1_80"},
                           {"@HOLD_MS@", "1000"},
                           {"@RESUME_MS@", "1000"}});
  for (const char* f : {"kamailio.cfg", "tls.cfg", "stunnel.conf", "callee.xml"})
    dir_.render(f, vars);
  Vars batch1 = vars, batch2 = vars;
  batch1.push_back({"@TALK_MS@", "30000"});  // outlives the kill and the second batch
  batch2.push_back({"@TALK_MS@", "8000"});
  dir_.render("caller1.xml", batch1, "caller.xml.in");
  dir_.render("caller2.xml", batch2, "caller.xml.in");
  std::string inf1 = "SEQUENTIAL\n", inf2 = "SEQUENTIAL\n", infCallee = "SEQUENTIAL\n";
  for (int i = 0; i < kBatch1 + kBatch2; ++i) {
    auto key = generateCrypto(SrtpSuite::kAesCm128HmacSha1_80, 1);
    ASSERT_TRUE(key.ok());
    (i < kBatch1 ? inf1 : inf2) +=
        std::to_string(kCallerRtpBase + 2 * i) + ";" + inlineKey(*key) + ";\n";
    infCallee += std::to_string(kCalleeRtpBase + 2 * i) + ";\n";
  }
  writeFile(dir_ / "caller1.csv", inf1);
  writeFile(dir_ / "caller2.csv", inf2);
  writeFile(dir_ / "callee.csv", infCallee);

  // The set: two anchors, each with its own address, port range, ng port and /metrics.
  std::unique_ptr<Process> anchor[kAnchors];
  for (int a = 0; a < kAnchors; ++a) {
    const std::string log = "anchor" + std::to_string(a) + ".log";
    anchor[a] = startAnchor(dir_ / log, kIface[a], kNgPort[a], kHttpPort[a], kPortMin[a],
                            kPortMin[a] + 499);
    ASSERT_TRUE(anchorReady(dir_ / log)) << dir_.log(log);
  }
  auto kamailio = startKamailio(dir_);
  ASSERT_TRUE(waitFor([&] { return tcpListening(kTlsPort); }, 15s)) << dir_.log("kamailio.log");
  auto stunnel = startStunnel(dir_);
  ASSERT_TRUE(waitFor([&] { return tcpListening(kStunnelPort); }, 10s)) << dir_.log("stunnel.log");
  ASSERT_FALSE(disabled(0) || disabled(1)) << show_;
  auto callee =
      startSipp(dir_, "callee", "callee.xml", kCalleeSipPort, "",
                {"-m", std::to_string(kBatch1 + kBatch2), "-inf", dir_.str() + "/callee.csv"});
  const std::string proxy = "127.0.0.1:" + std::to_string(kStunnelPort);
  auto caller1 = startSipp(dir_, "caller1", "caller1.xml", 25090, proxy,
                           {"-m", std::to_string(kBatch1), "-l", std::to_string(kBatch1), "-r",
                            "10", "-inf", dir_.str() + "/caller1.csv"});

  // 1. The first batch spreads over both anchors, and every call carries media both ways.
  std::vector<Call> first;
  ASSERT_TRUE(collect("caller1", kBatch1, first)) << why_;
  int perAnchor[kAnchors] = {0, 0};
  for (const Call& c : first) {
    ASSERT_GE(c.anchor, 0) << c.leg.callId << " anchored on " << c.media->anchorAddr;
    ++perAnchor[c.anchor];
  }
  ASSERT_GT(perAnchor[0], 0) << "no call of the first batch on anchor 0";
  ASSERT_GT(perAnchor[1], 0) << "no call of the first batch on anchor 1";
  for (int a = 0; a < kAnchors; ++a) {
    EXPECT_EQ(metric(a, "ccsec_media_calls"), perAnchor[a]) << "anchor " << a;
    EXPECT_EQ(metric(a, "ccsec_media_calls_created_total"), perAnchor[a]) << "anchor " << a;
  }
  for (Call& c : first) {
    std::string why;
    EXPECT_EQ(c.media->talk(10, 2000, &why), 20) << c.leg.callId << ": " << why;
  }

  // 2. Media keeps flowing on the survivor's calls (one round trip per call and round) while
  //    anchor 1 is killed.
  std::vector<Call*> survivors, doomed;
  for (Call& c : first) (c.anchor == 0 ? survivors : doomed).push_back(&c);
  std::atomic<bool> stop{false};
  std::atomic<int> rounds{0};
  int sent = 0, good = 0;
  std::string flowWhy;
  std::thread flow([&] {
    while (!stop) {
      for (Call* c : survivors) {
        good += c->media->talk(1, 3000, &flowWhy);
        sent += 2;
      }
      ++rounds;
      std::this_thread::sleep_for(20ms);
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Join() {
      stop = true;
      if (t.joinable()) t.join();
    }
  } join{stop, flow};
  ASSERT_TRUE(waitFor([&] { return rounds >= 10; }, 30s));
  const long forwardedBefore = metric(0, "ccsec_media_packets_forwarded_total");
  const long createdBefore = metric(0, "ccsec_media_calls_created_total");
  const auto killed = std::chrono::steady_clock::now();
  const int loss = GetParam();
  ASSERT_EQ(::kill(anchor[1]->pid(), loss), 0);
  if (loss == SIGKILL) {
    ASSERT_EQ(anchor[1]->wait(10s), 128 + SIGKILL);
  } else {  // kill() only queues SIGSTOP: on a busy host a relay thread may run on for a while
    ASSERT_TRUE(waitFor([&] { return allThreadsStopped(anchor[1]->pid()); }, 10s))
        << "anchor 1 did not stop";
  }
  const int roundsAtKill = rounds;

  // 3. The dead anchor's calls carry nothing; Kamailio has not noticed yet (it learns of a
  //    dead node from the first command that fails) and keeps answering.
  for (Call* c : doomed) EXPECT_EQ(c->media->talk(1, 300), 0) << c->leg.callId;
  const bool disabledBeforeTraffic = disabled(1);
  const double quietSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  EXPECT_TRUE(kamailioAnswers()) << "Kamailio stopped answering after the kill";

  // 4. A second batch set up after the kill lands entirely on the survivor; the dead node is
  //    disabled by the first offer that fails on it.
  const auto batch2Start = std::chrono::steady_clock::now();
  auto caller2 = startSipp(dir_, "caller2", "caller2.xml", 25091, proxy,
                           {"-m", std::to_string(kBatch2), "-l", std::to_string(kBatch2), "-r",
                            "10", "-inf", dir_.str() + "/caller2.csv"});
  ASSERT_TRUE(waitFor([&] { return disabled(1); }, 60s))
      << "Kamailio did not disable the killed anchor\n"
      << show_ << dir_.log("kamailio.log");
  const auto disabledAt = std::chrono::steady_clock::now();
  EXPECT_FALSE(disabled(0)) << show_;
  std::vector<Call> second;
  ASSERT_TRUE(collect("caller2", kBatch2, second)) << why_;
  double slowestSetup = 0;
  int delayed = 0;  // set up in more than 0.5 s: waited for the dead node first
  for (Call& c : second) {
    EXPECT_EQ(c.anchor, 0) << c.leg.callId << " set up after the kill on " << c.media->anchorAddr;
    std::string why;
    EXPECT_EQ(c.media->talk(10, 2000, &why), 20) << c.leg.callId << ": " << why;
    slowestSetup = std::max(slowestSetup, c.leg.answered - c.leg.invited);
    if (c.leg.answered - c.leg.invited > 0.5) ++delayed;
  }
  EXPECT_EQ(metric(0, "ccsec_media_calls_created_total"), createdBefore + kBatch2);
  EXPECT_EQ(metric(0, "ccsec_media_calls"), perAnchor[0] + kBatch2);

  // 5. The survivor's calls lost nothing across the kill and the second batch.
  ASSERT_TRUE(waitFor([&] { return rounds >= roundsAtKill + 20; }, 30s));
  stop = true;
  flow.join();
  const int roundsAfterKill = rounds - roundsAtKill;
  EXPECT_EQ(good, sent) << "survivor media lost packets: " << flowWhy;
  EXPECT_TRUE(waitFor(
      [&] { return metric(0, "ccsec_media_packets_forwarded_total") > forwardedBefore; }, 5s))
      << "the survivor's forwarded-packet count stopped";

  // 6. The calls end. The survivor's calls complete (hold/resume re-INVITEs and BYE through
  //    anchor 0). The dead anchor's calls fail cleanly at their hold re-INVITE: no anchor of the
  //    set takes the offer, Kamailio answers 503, the caller acknowledges and hangs up, and the
  //    BYE reaches the callee. Every sipp finishes every call; nothing hangs.
  const int rc2 = caller2->wait(90s);
  EXPECT_EQ(rc2, 0) << dir_.log("caller2_err.log");
  const int rc1 = caller1->wait(90s);
  EXPECT_EQ(rc1, 0) << dir_.log("caller1_err.log");
  EXPECT_EQ(callee->wait(30s), 0) << dir_.log("callee_err.log");
  const std::string log1 = dir_.log("caller1_msgs.log"), screen1 = dir_.log("caller1.log");
  for (Call* c : doomed) {
    const auto r = replies(log1, c->leg.callId, "2 INVITE");
    ASSERT_FALSE(r.empty()) << c->leg.callId << ": no reply to the re-INVITE";
    EXPECT_EQ(r.back(), "SIP/2.0 503 Media anchor unavailable") << c->leg.callId;
    EXPECT_EQ(replies(log1, c->leg.callId, "3 BYE"), std::vector<std::string>{"SIP/2.0 200 OK"})
        << c->leg.callId << ": the hang-up did not reach the callee";
  }
  for (Call* c : survivors)
    EXPECT_EQ(replies(log1, c->leg.callId, "4 BYE"), std::vector<std::string>{"SIP/2.0 200 OK"})
        << c->leg.callId;
  const std::string log2 = dir_.log("caller2_msgs.log");
  for (Call& c : second)
    EXPECT_EQ(replies(log2, c.leg.callId, "4 BYE"), std::vector<std::string>{"SIP/2.0 200 OK"})
        << c.leg.callId;
  const int refused = sippCount(screen1, "503 <----------", 0);
  EXPECT_EQ(refused, static_cast<int>(doomed.size())) << screen1;
  EXPECT_EQ(sippCount(screen1, "Failed call", 1), 0) << screen1;
  EXPECT_EQ(sippCount(dir_.log("caller2.log"), "Failed call", 1), 0);
  EXPECT_EQ(sippCount(dir_.log("callee.log"), "Successful call", 1), kBatch1 + kBatch2);
  EXPECT_TRUE(waitFor([&] { return metric(0, "ccsec_media_calls") == 0; }, 10s))
      << "Kamailio did not delete every survivor call";
  EXPECT_TRUE(kamailio->running());
  EXPECT_TRUE(kamailioAnswers()) << "Kamailio stopped answering";

  std::cout << std::fixed << std::setprecision(3) << "[scale-out] first batch: " << perAnchor[0]
            << " calls on anchor 0, " << perAnchor[1] << " on anchor 1\n"
            << "[scale-out] after " << (loss == SIGKILL ? "kill -9" : "SIGSTOP")
            << " of anchor 1: node still enabled after " << quietSeconds
            << " s without traffic: " << (disabledBeforeTraffic ? "no" : "yes") << "\n"
            << "[scale-out] second batch started -> node disabled: "
            << std::chrono::duration<double>(disabledAt - batch2Start).count()
            << " s; kill -> disabled: "
            << std::chrono::duration<double>(disabledAt - killed).count() << " s\n"
            << "[scale-out] second batch: " << second.size()
            << " calls, all on anchor 0; slowest INVITE -> 200 OK " << slowestSetup << " s, "
            << delayed << " over 0.5 s\n"
            << "[scale-out] survivor media: " << good << " of " << sent << " packets over "
            << survivors.size() << " calls, " << roundsAfterKill << " rounds after the kill\n"
            << "[scale-out] dead anchor's calls: " << doomed.size() << ", " << refused
            << " refused with 503 at their re-INVITE and hung up; sipp exits " << rc1 << ", " << rc2
            << "\n";

  stunnel->stop();
  kamailio->stop();
  EXPECT_EQ(anchor[0]->terminate(), 0) << "the survivor did not stop cleanly on SIGTERM";
  if (loss == SIGSTOP) {  // the frozen anchor: killed by its pid, no 5 s SIGTERM grace
    ::kill(anchor[1]->pid(), SIGKILL);
    EXPECT_EQ(anchor[1]->wait(10s), 128 + SIGKILL);
  }
}

}  // namespace
}  // namespace ccsec::media::kamailio
