// `ccsec probe` against real servers on loopback. Each inventory host of examples/lab.yaml under
// test gets its own loopback address (127.0.0.11-17) and +20000 on its ports (--resolve):
//   pg-a   HAProxy, TLS 1.2+1.3, client certificate required, AEAD only      → no TLS verdict
//          + a plaintext listener on the CTI port 42027                     → CCS-PRB-005
//   pg-b   stunnel, TLS 1.0 allowed, a CBC suite, no client certificate     → 001, 002, 003
//   cucm-1 + cvp-1  openssl s_server with one certificate for both          → 006
//   cvp-1  plaintext listener on the GED-125 TLS port 5000                  → 011, 004
//   vvb-1  certificate valid one day, probed --as-of ten days later         → 009
//   cube-1 self-signed certificate naming another host                     → 007, 008
//   dc1/dc2 slapd with and without StartTLS/LDAPS/confidentiality        → 015 on dc2 only
//   finesse-1  nginx, desktop HTTPS 8445, no client certificates (not a personal-data
//          channel), answering plain HTTP with 400                          → no verdict
// The TLS verdicts (CCS-PRB-001…011) must be exactly these; sslscan --xml on pg-b and vvb-1
// reports the same versions and suites as the probe's facts.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "ccsec/paths.h"
#include "common/process.h"

namespace {

using ccsec::testing::Process;
using ccsec::testing::readFile;
using ccsec::testing::waitFor;
namespace fs = std::filesystem;

std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return {-1, {}};
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

bool accepts(const std::string& addr, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  ::close(fd);
  return ok;
}

std::string todayPlus(int days) {
  std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

class ProbeLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("ccsec-probe-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const std::string src = std::string(CCSEC_SOURCE_DIR) + "/test/integration/probe";
    const std::string c = (dir_ / "certs").string();
    ASSERT_EQ(run("sh " + src + "/make_certs.sh " + c).first, 0);
    std::ofstream(dir_ / "haproxy.cfg")
        << "global\n  maxconn 2000\ndefaults\n  mode tcp\n  timeout connect 1s\n  timeout client "
           "5s\n"
           "  timeout server 5s\nfrontend ged188\n  bind 127.0.0.11:62030 ssl crt "
        << c << "/pg-a.crt ca-file " << c
        << "/ca.pem verify required ssl-min-ver TLSv1.2 ciphers "
           "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-"
           "POLY1305\n"
           "  default_backend none\nbackend none\n  server s 127.0.0.1:9\n";
    std::ofstream(dir_ / "stunnel.conf")
        << "foreground = yes\npid =\n[ged188]\naccept = 127.0.0.12:63030\n"
           "connect = 127.0.0.1:9\ncert = "
        << c << "/pg-b.pem\nkey = " << c
        << "/pg-b.key\nsslVersionMin = TLSv1\n"
           "ciphers = ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0\n";
    auto log = [](const char* n) { return dir_ / (std::string(n) + ".log"); };
    procs_.push_back(std::make_unique<Process>(
        std::vector<std::string>{"haproxy", "-f", (dir_ / "haproxy.cfg").string(), "-db"},
        log("haproxy")));
    procs_.push_back(std::make_unique<Process>(
        std::vector<std::string>{"stunnel4", (dir_ / "stunnel.conf").string()}, log("stunnel")));
    procs_.push_back(
        std::make_unique<Process>(std::vector<std::string>{"python3", src + "/plain_listener.py",
                                                           "127.0.0.11:62027", "127.0.0.14:25000"},
                                  log("plain")));
    auto sserver = [&](const std::string& at, const std::string& cert, const char* name) {
      procs_.push_back(std::make_unique<Process>(
          std::vector<std::string>{"openssl", "s_server", "-accept", at, "-cert",
                                   c + "/" + cert + ".pem", "-key", c + "/" + cert + ".key",
                                   "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256", "-www", "-quiet"},
          log(name)));
    };
    fs::create_directories(dir_ / "nginx");
    std::ofstream(dir_ / "nginx.conf")
        << "error_log " << (dir_ / "nginx/error.log").string() << ";\npid "
        << (dir_ / "nginx/nginx.pid").string()
        << ";\nworker_processes 1;\nevents {}\nhttp {\n  access_log off;\n"
        << "  client_body_temp_path " << (dir_ / "nginx").string() << ";\n  proxy_temp_path "
        << (dir_ / "nginx").string() << ";\n  fastcgi_temp_path " << (dir_ / "nginx").string()
        << ";\n  uwsgi_temp_path " << (dir_ / "nginx").string() << ";\n  scgi_temp_path "
        << (dir_ / "nginx").string() << ";\n"
        << "  server {\n    listen 127.0.0.17:28445 ssl;\n    listen 127.0.0.17:20443 ssl;\n"
        << "    ssl_certificate " << c << "/client.pem;\n    ssl_certificate_key " << c
        << "/client.key;\n"
        << "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;\n"
        << "    location / { return 200 \"ok\\n\"; }\n  }\n}\n";
    procs_.push_back(std::make_unique<Process>(
        std::vector<std::string>{"nginx", "-p", (dir_ / "nginx").string(), "-c",
                                 (dir_ / "nginx.conf").string(), "-e",
                                 (dir_ / "nginx/error.log").string(), "-g", "daemon off;"},
        log("nginx")));
    sserver("127.0.0.13:22749", "shared", "cucm");
    sserver("127.0.0.14:27443", "shared", "cvp");
    sserver("127.0.0.15:25061", "short", "vvb");
    sserver("127.0.0.16:25061", "wrong", "cube");
    for (auto [a, p] : std::vector<std::pair<std::string, int>>{{"127.0.0.11", 62030},
                                                                {"127.0.0.12", 63030},
                                                                {"127.0.0.11", 62027},
                                                                {"127.0.0.14", 25000},
                                                                {"127.0.0.13", 22749},
                                                                {"127.0.0.14", 27443},
                                                                {"127.0.0.15", 25061},
                                                                {"127.0.0.16", 25061}}) {
      ASSERT_TRUE(waitFor([&] { return accepts(a, p); }, std::chrono::seconds(10)))
          << a << ":" << p;
    }
    base_ = std::string(CCSEC_BIN) + " probe " + CCSEC_SOURCE_DIR + "/examples/lab.yaml";
    for (const char* h : {"pg-a", "pg-b", "cucm-1", "cvp-1", "vvb-1", "cube-1", "finesse-1"})
      base_ += std::string(" --host ") + h;
    int n = 11;
    for (const char* h : {"pg-a", "pg-b", "cucm-1", "cvp-1", "vvb-1", "cube-1", "finesse-1"})
      base_ += " --resolve " + std::string(h) + "=127.0.0.1" + std::to_string(n++ - 10) + ":20000";
    base_ += " --ca " + c + "/ca.pem --as-of " + todayPlus(10) + " --timeout 5000";
    store_ = "sqlite:" + (dir_ / "findings.db").string();
    auto [rc, out] = run(base_ + " --format json --store " + store_ + " --facts " +
                         (dir_ / "facts.json").string());
    rc_ = rc;
    report_ = nlohmann::json::parse(out, nullptr, false);
    facts_ = nlohmann::json::parse(readFile(dir_ / "facts.json"), nullptr, false);
  }
  static void TearDownTestSuite() {
    procs_.clear();  // each stopped by its pid
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::set<std::pair<std::string, std::string>> findings(const nlohmann::json& report,
                                                                bool tls_rules_only) {
    std::set<std::pair<std::string, std::string>> out;
    if (!report.contains("findings")) return out;
    for (const auto& f : report["findings"]) {
      std::string rule = f["rule"];
      if (tls_rules_only && rule > "CCS-PRB-011") continue;
      out.emplace(rule, f["target"]);
    }
    return out;
  }
  static const nlohmann::json* endpoint(const std::string& target) {
    for (const auto& e : facts_["endpoints"])
      if (e["target"] == target) return &e;
    return nullptr;
  }

  static inline fs::path dir_;
  static inline std::vector<std::unique_ptr<Process>> procs_;
  static inline std::string base_, store_;
  static inline int rc_ = -1;
  static inline nlohmann::json report_, facts_;
};

TEST_F(ProbeLab, ReportsEveryPlantedTlsDriftAndNothingElse) {
  ASSERT_FALSE(report_.is_discarded());
  EXPECT_EQ(rc_, 1);  // high and critical findings
  std::set<std::pair<std::string, std::string>> expected = {
      {"CCS-PRB-001", "pg-b:43030"},   {"CCS-PRB-002", "pg-b:43030"},
      {"CCS-PRB-003", "pg-b:43030"},   {"CCS-PRB-004", "cvp-1:5000"},
      {"CCS-PRB-006", "cucm-1+cvp-1"}, {"CCS-PRB-007", "cube-1:5061"},
      {"CCS-PRB-008", "cube-1:5061"},  {"CCS-PRB-009", "vvb-1:5061"},
      {"CCS-PRB-011", "cvp-1:5000"},   {"CCS-PRB-005", "pg-a:42027"},
  };
  EXPECT_EQ(findings(report_, true), expected) << report_.dump(1);
}

TEST_F(ProbeLab, PlaintextCtiPortOpenAndAbsentListenersAreReported) {
  auto all = findings(report_, false);
  EXPECT_TRUE(all.contains({"CCS-PRB-005", "pg-a:42027"}));
  EXPECT_FALSE(all.contains({"CCS-PRB-005", "pg-b:43027"}));  // closed
  EXPECT_TRUE(all.contains({"CCS-PRB-012", "pg-a:43004"}));   // private link not running
  for (const auto& [rule, target] : all)
    EXPECT_NE(rule, "CCS-PRB-013") << target;  // nothing undeclared open
}

TEST_F(ProbeLab, FactsCarryTheEvidence) {
  const auto* pga = endpoint("pg-a:42030");
  ASSERT_NE(pga, nullptr);
  EXPECT_EQ((*pga)["tls"]["versions"], (nlohmann::json{"TLSv1.2", "TLSv1.3"}));
  EXPECT_TRUE((*pga)["tls"]["client_certificate"]["required"]);
  EXPECT_TRUE((*pga)["tls"]["certificate"]["chains"]);
  EXPECT_EQ((*pga)["tls"]["suites"]["TLSv1.2"].size(), 3u);  // the HAProxy list, mTLS or not
  EXPECT_FALSE((*pga)["plaintext"]["answered"]);
  const auto* pgb = endpoint("pg-b:43030");
  ASSERT_NE(pgb, nullptr);
  EXPECT_EQ((*pgb)["tls"]["versions"],
            (nlohmann::json{"TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"}));
  EXPECT_FALSE((*pgb)["tls"]["client_certificate"]["requested"]);
  const auto* cucm = endpoint("cucm-1:2749");
  const auto* cvp = endpoint("cvp-1:7443");
  ASSERT_TRUE(cucm && cvp);
  EXPECT_EQ((*cucm)["tls"]["certificate"]["fingerprint"],
            (*cvp)["tls"]["certificate"]["fingerprint"]);
  EXPECT_TRUE((*endpoint("cvp-1:5000"))["plaintext"]["answered"]);
  for (const char* t : {"finesse-1:8445"}) {  // nginx (443 has no edge in the lab: not probed)
    const auto* e = endpoint(t);
    ASSERT_NE(e, nullptr) << t << " " << readFile(dir_ / "nginx.log");
    EXPECT_EQ((*e)["tls"]["versions"], (nlohmann::json{"TLSv1.2", "TLSv1.3"})) << t;
    EXPECT_FALSE((*e)["tls"]["client_certificate"]["requested"]) << t;
    EXPECT_FALSE((*e)["plaintext"]["answered"]) << t;
    EXPECT_NE((*e)["plaintext"]["evidence"].get<std::string>().find("HTTP error status 400"),
              std::string::npos)
        << (*e)["plaintext"].dump();
  }
}

TEST_F(ProbeLab, VersionsAndSuitesEqualSslscan) {
  for (const auto& [target, dial] :
       std::vector<std::pair<std::string, std::string>>{{"pg-b:43030", "127.0.0.12:63030"},
                                                        {"vvb-1:5061", "127.0.0.15:25061"},
                                                        {"cube-1:5061", "127.0.0.16:25061"}}) {
    const std::string xml = (dir_ / "sslscan.xml").string();
    auto [rc, out] = run("sslscan --no-colour --xml=" + xml + " " + dial);
    ASSERT_EQ(rc, 0) << out;
    std::string doc = readFile(xml);
    std::set<std::string> sslscan_versions, probe_versions;
    std::set<std::pair<std::string, std::string>> sslscan_suites, probe_suites;
    std::regex proto("<protocol type=\"tls\" version=\"([0-9.]+)\" enabled=\"1\"");
    for (std::sregex_iterator it(doc.begin(), doc.end(), proto), end; it != end; ++it)
      sslscan_versions.insert("TLSv" + (*it)[1].str());
    std::regex cipher("<cipher status=\"[a-z]+\" sslversion=\"([^\"]+)\"[^>]* cipher=\"([^\"]+)\"");
    for (std::sregex_iterator it(doc.begin(), doc.end(), cipher), end; it != end; ++it) {
      std::string v = (*it)[1].str();
      if (v == "TLSv1.0" || v == "TLSv1") v = "TLSv1.0";
      sslscan_suites.emplace(v, (*it)[2].str());
    }
    const auto* e = endpoint(target);
    ASSERT_NE(e, nullptr) << target;
    for (const auto& v : (*e)["tls"]["versions"]) probe_versions.insert(v);
    for (const auto& [v, list] : (*e)["tls"]["suites"].items())
      for (const auto& s : list) probe_suites.emplace(v, s);
    EXPECT_EQ(probe_versions, sslscan_versions) << target;
    EXPECT_EQ(probe_suites, sslscan_suites) << target;
  }
}

TEST_F(ProbeLab, StoredRunsGiveDriftSinceAnEarlierRun) {
  // Run 1 was stored by the suite set-up; stop the stunnel endpoint and compare.
  auto [rc, out] = run(base_ + " --store " + store_ + " --diff-run 1 --format json");
  auto d = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(d.is_discarded()) << out;
  EXPECT_EQ(d["since"], 1);
  EXPECT_GE(d["run"].get<int>(), 2);  // a later run than the set-up's
  EXPECT_TRUE(d["added"].empty()) << out;
  EXPECT_TRUE(d["removed"].empty()) << out;
  EXPECT_EQ(rc, 0);
  auto [rc2, out2] = run(base_ + " --store " + store_ + " --diff-run 99");
  EXPECT_EQ(rc2, 2);
}

TEST_F(ProbeLab, TheReportShowsTheStoredProbeRunObservedVsDeclared) {
  // #15.2: `ccsec report --probe-run 1` reads run 1 (stored by the suite set-up) back.
  const std::string inv = std::string(CCSEC_SOURCE_DIR) + "/examples/lab.yaml";
  const std::string out = (dir_ / "report.html").string();
  auto [rc, ignored] = run(std::string(CCSEC_BIN) + " report " + inv + " --store " + store_ +
                           " --probe-run 1 --out " + out);
  ASSERT_EQ(rc, 0);
  const std::string html = readFile(out);
  const auto section = html.find("id=\"probe-endpoints\"");
  ASSERT_NE(section, std::string::npos);
  ASSERT_TRUE(facts_["endpoints"].is_array());
  ASSERT_FALSE(facts_["endpoints"].empty());
  for (const auto& e : facts_["endpoints"])
    EXPECT_NE(html.find("<code>" + e["target"].get<std::string>() + "</code>"), std::string::npos)
        << e["target"];
  for (const auto& f : report_["findings"]) {
    if (f["rule"].get<std::string>().starts_with("CCS-PRB-")) {
      EXPECT_NE(html.find(f["rule"].get<std::string>(), section), std::string::npos) << f["rule"];
    }
  }
  // A run that does not exist, and a check run (no probe facts): input errors.
  EXPECT_EQ(run(std::string(CCSEC_BIN) + " report " + inv + " --store " + store_ +
                " --probe-run 99 --out " + out)
                .first,
            2);
  // (A store of its own: the suite's store holds the other tests' probe runs, in any order.)
  const std::string check_store = "sqlite:" + (dir_ / "check-only.db").string();
  ASSERT_EQ(run(std::string(CCSEC_BIN) + " check " + inv + " --store " + check_store).first, 0);
  EXPECT_EQ(run(std::string(CCSEC_BIN) + " report " + inv + " --store " + check_store +
                " --probe-run 1 --out " + out)
                .first,
            2);
}

TEST_F(ProbeLab, TheCcsecGatewayPassesTheLiveTlsChecks) {
  // The gateway in server mode as pg-a's CTI listener (127.0.0.18), with the gateway suite's PKI.
  const std::string gw = (dir_ / "gw").string();
  ASSERT_EQ(
      run("sh " + std::string(CCSEC_SOURCE_DIR) + "/test/integration/gateway/make_certs.sh " + gw)
          .first,
      0);
  std::ofstream(gw + "/gw.yaml")
      << "listeners:\n  - name: cti\n    mode: server\n    listen: 127.0.0.18:62030\n"
         "    forward: 127.0.0.1:9\n    protocol: ged-188\n"
         "    tls: {cert: hosts/gw.pem, key: hosts/gw.key, ca: ca.pem, crl: crl.pem,\n"
         "          allowed_peers: [finesse-a]}\n"
         "audit: {store: \"sqlite:audit.db\"}\nmetrics: {listen: 127.0.0.1:0}\n";
  Process gateway({CCSEC_BIN, "gateway", "--config", gw + "/gw.yaml"}, dir_ / "gateway.log");
  ASSERT_TRUE(waitFor([] { return accepts("127.0.0.18", 62030); }, std::chrono::seconds(10)))
      << readFile(dir_ / "gateway.log");
  const std::string facts = (dir_ / "gw-facts.json").string();
  auto [rc, out] =
      run(std::string(CCSEC_BIN) + " probe " + CCSEC_SOURCE_DIR +
          "/examples/lab.yaml --host pg-a --resolve pg-a=127.0.0.18:20000 --only tls --no-store "
          "--set cert_warn_days=7 --ca " +
          gw + "/ca.pem --format json --facts " + facts);
  auto report = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << out;
  std::set<std::string> rules;
  for (const auto& f : report["findings"])
    if (f["target"] == "pg-a:42030") rules.insert(f["rule"]);
  // Only the name: the gateway suite's certificate names "gw", not pg-a (it is valid 30 days:
  // the expiry warning window is narrowed to 7).
  EXPECT_EQ(rules, (std::set<std::string>{"CCS-PRB-008"})) << out;
  auto f = nlohmann::json::parse(readFile(facts), nullptr, false);
  for (const auto& e : f["endpoints"]) {
    if (e["target"] != "pg-a:42030") continue;
    EXPECT_EQ(e["tls"]["versions"], (nlohmann::json{"TLSv1.2", "TLSv1.3"}));
    EXPECT_TRUE(e["tls"]["client_certificate"]["required"]);
    EXPECT_TRUE(e["tls"]["certificate"]["chains"]);
    EXPECT_FALSE(e["plaintext"]["answered"]);
  }
}

TEST_F(ProbeLab, DirectoryControllersStartTlsLdapsAndBindsInClear) {
  // dc1 (127.0.0.19): slapd with StartTLS, LDAPS and the global catalog ports, simple binds need
  // TLS (security simple_bind=128). dc2 (127.0.0.20): slapd without TLS, binds in clear, plain
  // LDAP on the LDAPS port, no global catalog listener.
  const std::string c = (dir_ / "certs").string();
  std::vector<std::unique_ptr<Process>> slapd;
  for (int i : {1, 2}) {
    const std::string d = (dir_ / ("slapd" + std::to_string(i))).string();
    fs::create_directories(d + "/db");
    std::ofstream conf(d + "/slapd.conf");
    conf << "include /etc/ldap/schema/core.schema\npidfile " << d
         << "/slapd.pid\nmodulepath /usr/lib/ldap\n"
         << "moduleload back_mdb\n";
    if (i == 1)
      conf << "TLSCertificateFile " << c << "/pg-a.pem\nTLSCertificateKeyFile " << c
           << "/pg-a.key\n"
           << "security simple_bind=128\n";
    conf << "database mdb\nmaxsize 10485760\nsuffix \"dc=lab,dc=example,dc=com\"\n"
         << "rootdn \"cn=admin,dc=lab,dc=example,dc=com\"\ndirectory " << d << "/db\n";
    conf.close();
    std::string urls =
        i == 1 ? "ldap://127.0.0.19:20389/ ldaps://127.0.0.19:20636/ ldap://127.0.0.19:23268/ "
                 "ldaps://127.0.0.19:23269/"
               : "ldap://127.0.0.20:20389/ ldap://127.0.0.20:20636/";
    slapd.push_back(std::make_unique<Process>(
        std::vector<std::string>{"slapd", "-f", d + "/slapd.conf", "-h", urls, "-d", "0"},
        d + ".log"));
  }
  ASSERT_TRUE(waitFor([] { return accepts("127.0.0.19", 20389) && accepts("127.0.0.20", 20389); },
                      std::chrono::seconds(10)));
  auto [rc, out] = run(std::string(CCSEC_BIN) + " probe " + CCSEC_SOURCE_DIR +
                       "/examples/lab.yaml --host dc1 --host dc2 --resolve dc1=127.0.0.19:20000 "
                       "--resolve dc2=127.0.0.20:20000 --only ldap --no-store --format json --ca " +
                       c + "/ca.pem");
  auto report = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << out;
  std::set<std::pair<std::string, std::string>> ldap;
  for (const auto& f : report["findings"])
    if (f["rule"] == "CCS-PRB-015" || f["rule"] == "CCS-PRB-012")
      ldap.emplace(f["rule"], f["target"]);
  std::set<std::pair<std::string, std::string>> expected = {
      {"CCS-PRB-015", "dc2:389"},   // no StartTLS, simple bind processed in clear
      {"CCS-PRB-015", "dc2:636"},   // no LDAPS
      {"CCS-PRB-012", "dc2:3268"},  // global_catalog: true, but no GC listener
      {"CCS-PRB-012", "dc2:3269"},
  };
  EXPECT_EQ(ldap, expected) << out;
}

TEST_F(ProbeLab, RefusesAddressesTheInventoryDoesNotDeclare) {
  auto [rc, out] = run(std::string(CCSEC_BIN) + " probe " + CCSEC_SOURCE_DIR +
                       "/examples/lab.yaml --no-store --host not-a-host");
  EXPECT_EQ(rc, 2);
  auto [rc2, out2] = run(std::string(CCSEC_BIN) + " probe " + CCSEC_SOURCE_DIR +
                         "/examples/lab.yaml --no-store --resolve intruder=127.0.0.1");
  EXPECT_EQ(rc2, 2);
}

TEST_F(ProbeLab, DryRunListsTheTargetsWithoutProbing) {
  // The plan in the facts schema: what would be dialled and what each endpoint must look like.
  auto [rc, out] = run(std::string(CCSEC_BIN) + " probe " + CCSEC_SOURCE_DIR +
                       "/examples/lab.yaml --host pg-a --resolve pg-a=127.0.0.11:20000 --dry-run");
  EXPECT_EQ(rc, 0);
  auto plan = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << out;
  std::map<std::string, nlohmann::json> by_target;
  for (const auto& e : plan["endpoints"]) {
    EXPECT_EQ(e["reach"], "not probed") << e.dump();
    EXPECT_FALSE(e.contains("tls")) << e.dump();
    by_target[e["target"]] = e;
  }
  ASSERT_TRUE(by_target.contains("pg-a:42030")) << out;
  const auto& cti = by_target["pg-a:42030"];
  EXPECT_EQ(cti["purpose"], "listener");
  EXPECT_EQ(cti["dialled"], "127.0.0.11:62030");
  EXPECT_TRUE(cti["expect"]["mutual_tls"]);
  EXPECT_EQ(cti["expect"]["name"], "pg-a.lab.example.com");
  ASSERT_TRUE(by_target.contains("pg-a:42027")) << out;
  EXPECT_EQ(by_target["pg-a:42027"]["purpose"], "plaintext-variant");
  auto [rc2, out2] = run(std::string(CCSEC_BIN) + " probe " + CCSEC_SOURCE_DIR +
                         "/examples/lab.yaml --host not-a-host --dry-run");
  EXPECT_EQ(rc2, 2);
}

TEST_F(ProbeLab, SarifAndJunitListTheProbeRules) {
  auto [rc, out] = run(base_ + " --no-store --host pg-b --format sarif");
  auto s = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(s.is_discarded());
  auto rules = s["runs"][0]["tool"]["driver"]["rules"];
  EXPECT_EQ(rules.size(), 15u);
  bool has003 = false;
  for (const auto& r : s["runs"][0]["results"]) has003 = has003 || r["ruleId"] == "CCS-PRB-003";
  EXPECT_TRUE(has003) << out.substr(0, 4000);
  auto [rc2, junit] = run(base_ + " --no-store --host pg-b --format junit");
  EXPECT_NE(junit.find("<testsuites name=\"ccsec probe\" tests=\"15\""), std::string::npos)
      << junit;
}

// --rate: a listener counts the connections it accepts; no one-second window may hold more than
// the declared rate of new connections to that host. Without a tight rate the same probe opens
// them in a burst (the check can fail).
class AcceptCounter {
 public:
  AcceptCounter(const std::string& addr, int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
    ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 && ::listen(fd_, 64) == 0;
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        {
          std::lock_guard lock(mu_);
          times_.push_back(std::chrono::steady_clock::now());
        }
        ::close(c);  // no TLS here: every attempt ends at once, only the pace matters
      }
    });
  }
  ~AcceptCounter() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  bool ok() const { return ok_; }
  std::vector<std::chrono::steady_clock::time_point> times() {
    std::lock_guard lock(mu_);
    return times_;
  }
  int maxInOneSecond() {
    auto t = times();
    int best = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      int n = 0;
      for (std::size_t j = i; j < t.size() && t[j] < t[i] + std::chrono::seconds(1); ++j) ++n;
      best = std::max(best, n);
    }
    return best;
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::chrono::steady_clock::time_point> times_;
  std::thread thread_;
};

TEST(ProbeRate, NeverMoreThanTheDeclaredNewConnectionsPerSecondPerHost) {
  const std::string cmd = std::string(CCSEC_BIN) + " probe " + CCSEC_SOURCE_DIR +
                          "/examples/lab.yaml --no-store --host finesse-1 --only tls "
                          "--resolve finesse-1=127.0.0.18:20000 --timeout 2000 --rate ";
  {
    AcceptCounter burst("127.0.0.18", 28445);
    ASSERT_TRUE(burst.ok());
    run(cmd + "10000");
    ASSERT_GE(burst.times().size(), 5u);
    EXPECT_GT(burst.maxInOneSecond(), 3);  // unpaced, the attempts come together
  }
  AcceptCounter paced("127.0.0.18", 28445);
  ASSERT_TRUE(paced.ok());
  auto t0 = std::chrono::steady_clock::now();
  run(cmd + "3");
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_GE(paced.times().size(), 5u);
  EXPECT_LE(paced.maxInOneSecond(), 3);
  // n starts 1/3 s apart take at least (n - 1) / 3 s.
  EXPECT_GE(took, std::chrono::milliseconds(333 * (static_cast<int>(paced.times().size()) - 1)));
}

}  // namespace
