// `ccsec probe` on a network-namespace lab built from examples/lab.yaml: every planted drift is
// reported, and nothing else (issue #12's done-when).
//
// The lab is the whole inventory: its 11 hosts and 2 domain controllers, each in its own network
// namespace at its inventory address (a /32 on a veth into one bridge, in a switch namespace);
// the probe runs from that switch namespace (10.1.0.250, the datacenter zone; the DMZ host is on
// the same bridge: no perimeter between them, so no --from). What each host must serve is not
// listed here: `ccsec probe --dry-run` gives every target (host, address, port, purpose, channel
// kind, TLS, mutual TLS, expected certificate name), and each host serves exactly its declared
// listeners:
//   - personal-data TLS listeners the gateway can front: `ccsec gateway --inventory --host`
//     (its derived config; the plaintext backend behind it on 127.0.0.1, the forward address);
//   - every other TLS listener: HAProxy (TLS 1.2+1.3, AEAD suites only; `verify required` with
//     the deployment CA where the plan says mutual TLS);
//   - plaintext listeners: plaintext TCP listeners (test/integration/probe/plain_listener.py);
//   - domain controllers: slapd (LDAP with StartTLS and LDAPS, the global-catalog ports where
//     declared, simple binds only over TLS), TLS 1.2+ with AEAD suites;
// with one certificate per host (and controller) from `ccsec pki`.
//
// 1. The conforming lab: `ccsec probe` reports no finding, exit 0; and its facts show that
//    every peer was seen as served (not a vacuous "clean": TLS 1.2/1.3 only, the host's
//    certificate chaining to the CA, client certificates required exactly where the plan says
//    mutual TLS, plaintext refused, StartTLS and confidentialityRequired on the controllers,
//    every port that must be closed refused).
// 2. Planted drifts, each a real misconfiguration of a real peer, and its expected verdicts:
//      finesse-1  desktop HTTPS served by stunnel with TLS 1.0 and a CBC suite    → 001, 002
//      finesse-1  SQL Server's port left open (not a role of the host)           → 013
//      pg-b       CTI listener on HAProxy without client certificates (no gateway) → 003
//      pg-a       the plaintext CTI server bound to every address, not loopback  → 005 (42027)
//      cucm-1, cvp-1  one certificate naming both, served by both                → 006
//      vvb-1      a certificate valid one day (probed --as-of ten days later)    → 009
//      cube-1     a certificate of the deployment CA naming another host         → 008
//      rgr-a      the Router's ccagent (DMP) listener not running                → 012
//      dc2        slapd processing simple binds in clear                         → 015 (389, 3268)
//    Only the drifted hosts' peers are restarted; the probe must report exactly these
//    (rule, target) pairs.
// 3. Both runs are stored; `ccsec probe --diff-run` against the first shows exactly the planted
//    drifts as added and nothing removed.
// Needs root (namespaces); skips otherwise. Everything it creates (namespaces, processes by pid,
// files) is removed at the end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "ccsec/paths.h"
#include "common/process.h"

namespace {

namespace fs = std::filesystem;
using ccsec::testing::Process;
using ccsec::testing::Ran;
using ccsec::testing::readFile;
using ccsec::testing::runCaptured;
using ccsec::testing::waitFor;
using Json = nlohmann::json;
using Finding = std::pair<std::string, std::string>;  // (rule, target)

std::string todayPlus(int days) {
  std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}

/// One target of `ccsec probe --dry-run`.
struct Endpoint {
  std::string target, host, address, purpose, kind, name;
  int port = 0;
  bool udp = false, tls = false, mutual_tls = false;
};

/// How one host is served; the conforming lab is the default.
struct Serve {
  std::string cert;                    // pki/hosts/<cert>.pem|.key (default: the host's own)
  bool gateway = true;                 // the gateway fronts the listeners it derives
  std::set<int> absent;                // declared listeners not started
  std::set<int> legacy;                // TLS listeners on stunnel with TLS 1.0 and a CBC suite
  std::set<int> no_client_cert;        // mutual-TLS listeners on HAProxy without verify
  std::vector<int> open_in_clear;      // extra plaintext listeners on the host address
  bool backend_all_addresses = false;  // the gateway's plaintext backend bound to 0.0.0.0
  bool ldap_clear_bind = false;        // slapd processes simple binds without TLS
};

class ProbeLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    for (const char* tool : {"/usr/sbin/ip", "/usr/sbin/haproxy", "/usr/bin/stunnel4",
                             "/usr/sbin/slapd", "/usr/bin/python3", "/usr/bin/ss"})
      if (!fs::exists(tool)) {
        missing_ = tool;
        return;
      }
    dir_ = fs::temp_directory_path() / ("ccsec-probe-lab-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    prefix_ = "ccsec-pl-" + std::to_string(::getpid()) + "-";
    lab_ = std::string(CCSEC_SOURCE_DIR) + "/examples/lab.yaml";
    store_ = "sqlite:" + (dir_ / "findings.db").string();
    as_of_ = todayPlus(10);
    const auto t0 = std::chrono::steady_clock::now();
    setup_error_ = build();
    if (!setup_error_.empty()) return;
    // 1. The conforming lab.
    conforming_ = probe({});
    conforming_facts_ = Json::parse(readFile(dir_ / "facts1.json"), nullptr, false);
    // 2. The drifts: only the drifted hosts' peers change.
    for (const auto& host : drifted()) {
      peers_[host].clear();  // each stopped by its pid
      if (auto e = start(host, true); !e.empty()) {
        setup_error_ = e;
        return;
      }
    }
    if (auto e = waitListening(); !e.empty()) {
      setup_error_ = e;
      return;
    }
    drifted_ = probe({});
    // 3. The same lab again, against the first stored run.
    diff_ = probe({"--diff-run", std::to_string(runId(conforming_))});
    for (const Ran* r : {&conforming_, &drifted_, &diff_}) std::cerr << r->err;
    std::cerr << "probe_lab: lab built and probed three times in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
              << " s\n";
  }
  static void TearDownTestSuite() {
    peers_.clear();
    for (const auto& n : namespaces_) runCaptured({"ip", "netns", "del", n}, "/", "/tmp");
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    if (!missing_.empty()) GTEST_SKIP() << "missing " << missing_ << " (run scripts/setup)";
    ASSERT_EQ(setup_error_, "");
  }

  // ---- the plan ---------------------------------------------------------------------------

  static std::string ns(const std::string& name) { return prefix_ + name; }
  static Ran run(const std::vector<std::string>& argv) { return runCaptured(argv, dir_, dir_); }
  static std::string ccsec(std::vector<std::string> args) {
    args.insert(args.begin(), CCSEC_BIN);
    Ran r = run(args);
    return r.rc == 0 ? std::string() : args[1] + " exited " + std::to_string(r.rc) + ": " + r.err;
  }

  static std::vector<Endpoint> listeners(const std::string& host) {
    std::vector<Endpoint> out;
    for (const auto& e : plan_)
      if (e.host == host && e.purpose == "listener" && !e.udp) out.push_back(e);
    return out;
  }
  static Endpoint find(const std::string& host, const std::string& purpose, const std::string& kind,
                       int port = 0) {
    for (const auto& e : plan_)
      if (e.host == host && e.purpose == purpose && e.kind == kind && (port == 0 || e.port == port))
        return e;
    ADD_FAILURE() << "the plan has no " << purpose << " " << kind << " " << port << " on " << host;
    return {};
  }
  /// The port SQL Server listens on where the inventory declares it (the Logger's).
  static int sqlPort() { return find("rgr-a", "listener", "sql").port; }

  // ---- the drifts -------------------------------------------------------------------------

  static std::vector<std::string> drifted() {
    return {"finesse-1", "pg-b", "pg-a", "cucm-1", "cvp-1", "vvb-1", "cube-1", "rgr-a", "dc2"};
  }
  static Serve serve(const std::string& host, bool drift) {
    Serve s;
    s.cert = host;
    if (!drift) return s;
    if (host == "finesse-1") {
      s.legacy.insert(find(host, "listener", "desktop-https").port);
      s.open_in_clear.push_back(sqlPort());
    } else if (host == "pg-b") {
      s.gateway = false;
      s.no_client_cert.insert(find(host, "listener", "ged-188").port);
    } else if (host == "pg-a") {
      s.backend_all_addresses = true;
    } else if (host == "cucm-1" || host == "cvp-1") {
      s.cert = "shared";
    } else if (host == "vvb-1") {
      s.cert = "vvb-1-short";
    } else if (host == "cube-1") {
      s.cert = "cube-1-wrong";
    } else if (host == "rgr-a") {
      s.absent.insert(find(host, "listener", "dmp").port);
    } else if (host == "dc2") {
      s.ldap_clear_bind = true;
    }
    return s;
  }
  /// What the drifts must give, (rule, target), and nothing else.
  static std::set<Finding> planted() {
    std::set<Finding> out;
    const std::string legacy = find("finesse-1", "listener", "desktop-https").target;
    out.emplace("CCS-PRB-001", legacy);  // TLS 1.0 and 1.1 accepted
    out.emplace("CCS-PRB-002", legacy);  // a CBC suite accepted
    out.emplace("CCS-PRB-003", find("pg-b", "listener", "ged-188").target);
    out.emplace("CCS-PRB-005", find("pg-a", "plaintext-variant", "ged-188").target);
    out.emplace("CCS-PRB-006", "cucm-1+cvp-1");
    for (const auto& e : listeners("vvb-1"))
      if (e.tls) out.emplace("CCS-PRB-009", e.target);  // expired as of the probe's day
    for (const auto& e : listeners("cube-1"))
      if (e.tls) out.emplace("CCS-PRB-008", e.target);  // names another host
    out.emplace("CCS-PRB-012", find("rgr-a", "listener", "dmp").target);
    out.emplace("CCS-PRB-013", find("finesse-1", "undeclared", "", sqlPort()).target);
    for (const auto& e : listeners("dc2"))
      if (!e.tls) out.emplace("CCS-PRB-015", e.target);  // clear binds on LDAP and GC
    return out;
  }

  // ---- building the lab -------------------------------------------------------------------

  static std::string build() {
    // The plan: every target of the inventory, nothing probed.
    Ran dry = run({CCSEC_BIN, "probe", lab_, "--dry-run"});
    if (dry.rc != 0) return "probe --dry-run: " + dry.err;
    auto j = Json::parse(dry.out, nullptr, false);
    if (j.is_discarded() || !j.contains("endpoints")) return "probe --dry-run: " + dry.out;
    for (const auto& e : j["endpoints"]) {
      Endpoint p{e["target"],  e["host"], e["address"],
                 e["purpose"], e["kind"], e["expect"]["name"]};
      p.port = e["port"];
      p.udp = e["proto"] == "udp";
      p.tls = e["expect"]["tls"];
      p.mutual_tls = e["expect"]["mutual_tls"];
      plan_.push_back(std::move(p));
      hosts_.emplace(plan_.back().host, plan_.back());
    }
    if (hosts_.size() != 13)
      return "expected 11 hosts and 2 controllers, the plan has " + std::to_string(hosts_.size());
    // One certificate per host and controller; the drifts' certificates beside them.
    const std::string pki = (dir_ / "pki").string();
    if (auto e = ccsec({"pki", "init", "--dir", pki}); !e.empty()) return e;
    if (auto e = ccsec({"pki", "issue", "--dir", pki, lab_, "--all"}); !e.empty()) return e;
    if (auto e = ccsec({"pki", "crl", "--dir", pki}); !e.empty()) return e;  // the gateway's
    for (const auto& [name, h] : hosts_)
      if (!fs::exists(dir_ / "pki/hosts" / (name + ".pem")))  // controllers
        if (auto e = ccsec(
                {"pki", "issue", "--dir", pki, "--name", name, "--dns", h.name, "--ip", h.address});
            !e.empty())
          return e;
    const Endpoint &a = hosts_["cucm-1"], &b = hosts_["cvp-1"], &v = hosts_["vvb-1"];
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--name", "shared", "--dns", a.name, "--dns", b.name, "--ip", a.address, "--ip",
              b.address},
             {"--name", "vvb-1-short", "--dns", v.name, "--ip", v.address, "--days", "1"},
             {"--name", "cube-1-wrong", "--dns", hosts_["hds-1"].name}}) {
      std::vector<std::string> cmd = {"pki", "issue", "--dir", pki};
      cmd.insert(cmd.end(), args.begin(), args.end());
      if (auto e = ccsec(cmd); !e.empty()) return e;
    }
    // The gateway reads each host's certificate.path (certs/NAME.pem next to the inventory):
    // an identical copy of the inventory beside the PKI's host certificates.
    fs::copy_file(lab_, dir_ / "lab.yaml");
    fs::create_directory_symlink(dir_ / "pki/hosts", dir_ / "certs");
    for (const auto& entry : fs::directory_iterator(dir_ / "pki/hosts"))
      if (entry.path().extension() == ".pem") {
        std::ofstream crt(entry.path().string() + ".crt");  // HAProxy: certificate + key
        crt << readFile(entry.path()) << readFile(fs::path(entry.path()).replace_extension(".key"));
      }

    if (auto e = network(); !e.empty()) return e;
    for (const auto& [host, h] : hosts_)
      if (auto e = start(host, false); !e.empty()) return e;
    return waitListening();
  }

  /// A bridge in the switch namespace (with the probe's address); one namespace per host with
  /// its inventory address on a veth into the bridge.
  static std::string network() {
    std::string s = "set -e\n";
    auto add = [&](const std::string& n) {
      namespaces_.push_back(ns(n));
      s += "ip netns add " + ns(n) + "\nip -n " + ns(n) + " link set lo up\n";
    };
    add("sw");
    const std::string sw = "ip -n " + ns("sw") + " ";
    s += sw + "link add br0 type bridge\n" + sw + "link set br0 up\n" + sw +
         "addr add 10.1.0.250/32 dev br0\n" + sw + "route add default dev br0\n";
    int i = 0;
    for (const auto& [host, h] : hosts_) {
      add(host);
      const std::string v = "v" + std::to_string(i++), in = "ip -n " + ns(host) + " ";
      s += "ip link add " + v + " netns " + ns("sw") + " type veth peer name eth0 netns " +
           ns(host) + "\n" + sw + "link set " + v + " master br0 up\n" + in + "addr add " +
           h.address + "/32 dev eth0\n" + in + "link set eth0 up\n" + in +
           "route add default dev eth0\n";
    }
    std::ofstream(dir_ / "network.sh") << s;
    Ran r = run({"sh", (dir_ / "network.sh").string()});
    return r.rc == 0 ? std::string() : "network.sh: " + r.err;
  }

  /// Starts the peers of one host; records the sockets they must listen on.
  static std::string start(const std::string& host, bool drift) {
    const Serve s = serve(host, drift);
    const std::string addr = hosts_[host].address;
    const fs::path pki = dir_ / "pki";
    const std::string cert = (pki / "hosts" / s.cert).string();
    auto& procs = peers_[host];
    auto& listen = listening_[host];
    listen.clear();
    auto exec = [&](std::vector<std::string> argv, const std::string& what) {
      argv.insert(argv.begin(), {"ip", "netns", "exec", ns(host)});
      procs.push_back(std::make_unique<Process>(argv, dir_ / (host + "-" + what + ".log")));
    };
    auto at = [&](const std::string& a, int port) { return a + ":" + std::to_string(port); };

    std::vector<Endpoint> tls, plain, ldap;
    for (const auto& e : listeners(host)) {
      if (s.absent.contains(e.port)) continue;
      (e.kind == "directory" ? ldap : e.tls ? tls : plain).push_back(e);
    }
    std::vector<std::string> plain_specs;
    for (const auto& e : plain) plain_specs.push_back(at(addr, e.port));
    for (int p : s.open_in_clear) plain_specs.push_back(at(addr, p));

    // The gateway: the personal-data listeners it derives for this host, as deployed.
    std::set<int> fronted;
    bool personal = false;
    for (const auto& e : tls) personal = personal || e.mutual_tls;
    if (s.gateway && personal) {
      const std::vector<std::string> gw = {
          CCSEC_BIN, "gateway", "--inventory", (dir_ / "lab.yaml").string(),
          "--host",  host,      "--pki",       pki.string()};
      std::vector<std::string> print = gw;
      print.push_back("--print-config");
      Ran cfg = run(print);
      // A listener without a separate TLS port (GED-125 on 5000) cannot be fronted: HAProxy.
      if (cfg.rc != 0 &&
          cfg.err.find("no personal-data TLS channel the gateway can front") == std::string::npos)
        return "gateway --print-config for " + host + ": " + cfg.err;
      std::regex server(
          "mode: server\n    listen: \"([^\"]+):([0-9]+)\"\n    forward: "
          "\"([^\"]+):([0-9]+)\"");
      for (std::sregex_iterator it(cfg.out.begin(), cfg.out.end(), server), end; it != end; ++it) {
        fronted.insert(std::stoi((*it)[2].str()));
        listen.push_back((*it)[1].str() + ":" + (*it)[2].str());
        plain_specs.push_back(at(s.backend_all_addresses ? "0.0.0.0" : (*it)[3].str(),
                                 std::stoi((*it)[4].str())));  // the CTI server behind it
      }
      if (!fronted.empty()) {
        std::vector<std::string> argv = gw;
        for (const char* a : {"--workers", "1", "--store"}) argv.emplace_back(a);
        argv.push_back("sqlite:" + (dir_ / (host + "-audit.db")).string());
        exec(argv, "gateway");
      }
    }
    // HAProxy: the other TLS listeners; stunnel: the legacy ones.
    std::ostringstream ha, st;
    ha << "global\n  maxconn 1000\n  nbthread 1\ndefaults\n  mode tcp\n  timeout connect 1s\n"
          "  timeout client 10s\n  timeout server 10s\n";
    st << "foreground = yes\npid =\n";
    bool any_ha = false, any_st = false;
    for (const auto& e : tls) {
      if (fronted.contains(e.port)) continue;
      listen.push_back(at(addr, e.port));
      if (s.legacy.contains(e.port)) {
        any_st = true;
        st << "[l" << e.port << "]\naccept = " << at(addr, e.port)
           << "\nconnect = 127.0.0.1:9\ncert = " << cert << ".pem\nkey = " << cert
           << ".key\nsslVersionMin = TLSv1\n"
              "ciphers = ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0\n";
        continue;
      }
      any_ha = true;
      ha << "frontend f" << e.port << "\n  bind " << at(addr, e.port) << " ssl crt " << cert
         << ".pem.crt ssl-min-ver TLSv1.2 ciphers "
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-"
            "POLY1305";
      if (e.mutual_tls && !s.no_client_cert.contains(e.port))
        ha << " ca-file " << (pki / "ca.pem").string() << " verify required";
      ha << "\n  default_backend none\n";
    }
    ha << "backend none\n  server s 127.0.0.1:9\n";
    if (any_ha) {
      std::ofstream(dir_ / (host + "-haproxy.cfg")) << ha.str();
      exec({"haproxy", "-f", (dir_ / (host + "-haproxy.cfg")).string(), "-db"}, "haproxy");
    }
    if (any_st) {
      std::ofstream(dir_ / (host + "-stunnel.conf")) << st.str();
      exec({"stunnel4", (dir_ / (host + "-stunnel.conf")).string()}, "stunnel");
    }
    if (!plain_specs.empty()) {
      std::vector<std::string> argv = {
          "python3", std::string(CCSEC_SOURCE_DIR) + "/test/integration/probe/plain_listener.py"};
      argv.insert(argv.end(), plain_specs.begin(), plain_specs.end());
      exec(argv, "plain");
      listen.insert(listen.end(), plain_specs.begin(), plain_specs.end());
    }
    // slapd: LDAP (StartTLS) and LDAPS, simple binds over TLS only (security simple_bind=128).
    if (!ldap.empty()) {
      const fs::path d = dir_ / (host + "-slapd");
      fs::create_directories(d / "db");
      std::ofstream conf(d / "slapd.conf");
      conf << "include /etc/ldap/schema/core.schema\npidfile " << (d / "slapd.pid").string()
           << "\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
           << "TLSCertificateFile " << cert << ".pem\nTLSCertificateKeyFile " << cert << ".key\n"
           << "TLSProtocolMin 3.3\n"
           << "TLSCipherSuite NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:"
              "+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305\n";
      if (!s.ldap_clear_bind) conf << "security simple_bind=128\n";
      conf << "database mdb\nmaxsize 10485760\nsuffix \"dc=lab,dc=example,dc=com\"\n"
           << "rootdn \"cn=admin,dc=lab,dc=example,dc=com\"\ndirectory " << (d / "db").string()
           << "\n";
      conf.close();
      std::string urls;
      for (const auto& e : ldap) {
        urls += (urls.empty() ? "" : " ") + std::string(e.tls ? "ldaps://" : "ldap://") +
                at(addr, e.port) + "/";
        listen.push_back(at(addr, e.port));
      }
      exec({"slapd", "-f", (d / "slapd.conf").string(), "-h", urls, "-d", "0"}, "slapd");
    }
    return {};
  }

  /// Waits until every peer listens on every socket it must (one `ss` per namespace still
  /// incomplete and poll). On failure, the missing sockets and the peers' logs.
  static std::string waitListening() {
    std::set<std::string> pending;
    for (const auto& [host, l] : listening_)
      if (!l.empty()) pending.insert(host);
    std::set<std::string> missing;
    bool ok = waitFor(
        [&] {
          std::string script;
          for (const auto& host : pending) script += "ip netns exec " + ns(host) + " ss -Htln\n";
          Ran r = run({"sh", "-c", script});
          std::set<std::string> up;
          std::istringstream in(r.out);
          std::string state, rq, sq, local, rest;
          while (in >> state >> rq >> sq >> local && std::getline(in, rest)) up.insert(local);
          missing.clear();
          for (auto it = pending.begin(); it != pending.end();) {
            bool all = true;
            for (const auto& a : listening_[*it])
              if (!up.contains(a)) {
                missing.insert(*it + " " + a);
                all = false;
              }
            it = all ? pending.erase(it) : std::next(it);
          }
          return pending.empty();
        },
        std::chrono::seconds(30));
    if (ok) return {};
    std::string m = "not listening:";
    for (const auto& x : missing) m += " " + x;
    for (const auto& host : pending)
      for (const auto& entry : fs::directory_iterator(dir_))
        if (entry.path().filename().string().starts_with(host + "-") &&
            entry.path().extension() == ".log")
          m += "\n" + entry.path().filename().string() + ": " + readFile(entry.path());
    return m;
  }

  // ---- probing ----------------------------------------------------------------------------

  static Ran probe(const std::vector<std::string>& extra) {
    static int n = 0;
    std::vector<std::string> argv = {"ip",
                                     "netns",
                                     "exec",
                                     ns("sw"),
                                     CCSEC_BIN,
                                     "probe",
                                     lab_,
                                     "--pki",
                                     (dir_ / "pki").string(),
                                     "--as-of",
                                     as_of_,
                                     "--store",
                                     store_,
                                     "--format",
                                     "json",
                                     "--facts",
                                     (dir_ / ("facts" + std::to_string(++n) + ".json")).string(),
                                     "--timeout",
                                     "10000"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv);
  }
  static std::int64_t runId(const Ran& r) {
    std::smatch m;
    static const std::regex stored("stored as run ([0-9]+)");
    return std::regex_search(r.err, m, stored) ? std::stoll(m[1].str()) : -1;
  }
  static std::set<Finding> findings(const Json& list) {
    std::set<Finding> out;
    for (const auto& f : list) out.emplace(f["rule"], f["target"]);
    return out;
  }

  static inline std::string missing_, setup_error_, prefix_, lab_, store_, as_of_;
  static inline fs::path dir_;
  static inline std::vector<std::string> namespaces_;
  static inline std::vector<Endpoint> plan_;
  static inline std::map<std::string, Endpoint> hosts_;  // host → its first target (address, name)
  static inline std::map<std::string, std::vector<std::unique_ptr<Process>>> peers_;
  static inline std::map<std::string, std::vector<std::string>> listening_;
  static inline Ran conforming_, drifted_, diff_;
  static inline Json conforming_facts_;
};

TEST_F(ProbeLab, TheConformingLabGivesNoFinding) {
  auto report = Json::parse(conforming_.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << conforming_.out << conforming_.err;
  EXPECT_EQ(findings(report["findings"]), std::set<Finding>{}) << report.dump(1).substr(0, 8000);
  EXPECT_EQ(conforming_.rc, 0) << conforming_.err;
  EXPECT_GT(runId(conforming_), 0) << conforming_.err;
}

TEST_F(ProbeLab, TheConformingRunEstablishedEveryFact) {
  // "No finding" means something only if the probe saw every peer: each declared listener
  // open, TLS 1.2 and 1.3 only, the host's own certificate chaining to the CA, the client
  // certificate required where the plan says mutual TLS, plaintext refused, StartTLS offered and
  // clear binds refused on the controllers, every port that must be closed refused.
  ASSERT_TRUE(conforming_facts_.contains("endpoints")) << conforming_facts_.dump();
  std::map<std::string, Json> seen;
  for (const auto& e : conforming_facts_["endpoints"]) seen[e["target"]] = e;
  ASSERT_EQ(seen.size(), plan_.size());
  for (const auto& p : plan_) {
    ASSERT_TRUE(seen.contains(p.target)) << p.target;
    const Json& e = seen[p.target];
    SCOPED_TRACE(e.dump());
    EXPECT_TRUE(e["complete"]);
    if (p.purpose != "listener") {
      EXPECT_EQ(e["reach"], "refused");
      continue;
    }
    EXPECT_EQ(e["reach"], "open");
    if (p.tls) {
      EXPECT_EQ(e["tls"]["versions"], (Json{"TLSv1.2", "TLSv1.3"}));
      EXPECT_TRUE(e["tls"]["certificate"]["chains"]);
      EXPECT_EQ(e["tls"]["certificate"]["dns_names"][0], p.name);
      EXPECT_EQ(e["tls"]["client_certificate"]["required"], p.mutual_tls);
      if (p.kind != "directory") {
        EXPECT_FALSE(e["plaintext"]["answered"]);
      }
    } else if (p.kind == "directory") {
      EXPECT_TRUE(e["ldap"]["starttls"]);
      EXPECT_TRUE(e["ldap"]["clear_bind_refused"]);
      EXPECT_EQ(e["ldap"]["bind_result"], 13);  // confidentialityRequired
    }
  }
}

TEST_F(ProbeLab, ReportsEveryPlantedDriftAndNothingElse) {
  auto report = Json::parse(drifted_.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << drifted_.out << drifted_.err;
  EXPECT_EQ(findings(report["findings"]), planted()) << report.dump(1).substr(0, 8000);
  EXPECT_EQ(drifted_.rc, 1) << drifted_.err;  // high and critical findings
}

TEST_F(ProbeLab, TheDiffAgainstTheConformingRunIsExactlyThePlantedDrifts) {
  auto d = Json::parse(diff_.out, nullptr, false);
  ASSERT_FALSE(d.is_discarded()) << diff_.out << diff_.err;
  EXPECT_EQ(d["since"], runId(conforming_));
  EXPECT_EQ(findings(d["added"]), planted()) << diff_.out.substr(0, 8000);
  EXPECT_EQ(findings(d["removed"]), std::set<Finding>{}) << diff_.out.substr(0, 8000);
  EXPECT_EQ(diff_.rc, 1);
}

}  // namespace
