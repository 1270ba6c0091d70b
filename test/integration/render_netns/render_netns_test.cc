// render_netns: the rendered nftables and strongSwan policy, applied to real Linux network
// stacks (one network namespace per host, a perimeter namespace routing between the zones),
// admits exactly what `ccsec reach` predicts: every derived edge connects unless the rendered
// IPsec isolation refuses it, sampled non-edges and every perimeter-blocked port from outside
// are refused, and the dmp edge between the two isolated hosts travels as ESP (SA byte counters
// grow; a capture on the wire holds ESP and not the cleartext marker).
//
// Needs root (namespaces, nftables, charon); skips with the reason otherwise. Everything it
// starts is tracked by pid and stopped, and every namespace deleted, in all paths.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "inventory/graph.h"
#include "inventory/loader.h"
#include "render/bundle.h"
#include "render/reach.h"

extern char** environ;

namespace ccsec::render {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct CmdResult {
  int rc = -1;
  std::string out;
};

CmdResult run(const std::string& cmd) {
  CmdResult r;
  std::string full = cmd + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

/// Starts argv with extra environment, stdout+stderr to `log`. Returns the pid (ip netns exec
/// execs in place, so the pid is the program's own).
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env_extra,
            const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<std::string> env_store;
  for (char** e = environ; *e != nullptr; ++e) env_store.emplace_back(*e);
  for (const auto& e : env_extra) env_store.push_back(e);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), envp.data()) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

void stop(pid_t pid, int sig = SIGTERM) {
  if (pid <= 0) return;
  kill(pid, sig);
  for (int i = 0; i < 50; ++i) {
    int st = 0;
    if (waitpid(pid, &st, WNOHANG) == pid) return;
    std::this_thread::sleep_for(50ms);
  }
  kill(pid, SIGKILL);
  int st = 0;
  waitpid(pid, &st, 0);
}

bool waitForFile(const fs::path& p, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (fs::exists(p)) return true;
    std::this_thread::sleep_for(50ms);
  }
  return fs::exists(p);
}

std::string readFile(const fs::path& p);

/// Waits until `log` contains `text` (e.g. tcpdump's "listening on").
bool waitForText(const fs::path& log, const std::string& text, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (fs::exists(log) && readFile(log).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeFile(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

const char* kPython = "/usr/bin/python3";
const std::string kDir = RENDER_NETNS_DIR;

/// One namespace per inventory host, plus the agent desktop, the outside and the perimeter.
struct Node {
  std::string ns;
  std::string addr;  // IPv4 address
  int prefix = 16;
  std::string bridge;  // zone bridge in the perimeter namespace
  std::string gw;
};

class Scenario {
 public:
  static Scenario& get() {
    static Scenario s;
    return s;
  }
  std::string skip_reason;
  std::string setup_error;
  std::optional<inventory::Model> model;
  std::optional<inventory::ChannelGraph> graph;
  std::optional<PolicyModel> policy;
  std::map<std::string, Node> nodes;  // by inventory name (and "agent", "out")
  std::string per_ns;
  fs::path tmp;
  bool kernel_esp = false;

  ~Scenario() { teardown(); }

  /// Probes from `from_node`: spec "tcp:ADDR:PORT" → answered?
  std::map<std::string, bool> probe(const std::string& from_node,
                                    const std::vector<std::string>& specs,
                                    const std::string& payload = "ccsec-probe") {
    std::string cmd = "ip netns exec " + nodes.at(from_node).ns + " " + kPython + " " + kDir +
                      "/netcheck.py probe 1.5 " + payload;
    for (const auto& s : specs) cmd += " " + s;
    auto r = run(cmd);
    std::map<std::string, bool> out;
    std::istringstream in(r.out);
    std::string spec, state;
    while (in >> spec >> state) out[spec] = state == "open";
    return out;
  }

  std::string saCounters(const std::string& host) {
    return run("ip netns exec " + nodes.at(host).ns + " swanctl --list-sas --uri unix://" +
               (tmp / host / "charon.vici").string())
        .out;
  }

  void setup() {
    if (geteuid() != 0) {
      skip_reason = "needs root for network namespaces, nftables and charon (CI runs as root)";
      return;
    }
    for (const char* tool :
         {"/usr/sbin/nft", "/usr/sbin/ip", "/usr/sbin/charon-systemd", "/usr/sbin/swanctl",
          "/usr/bin/tcpdump", "/usr/bin/openssl", kPython}) {
      if (!fs::exists(tool)) {
        skip_reason = std::string("missing ") + tool + " (run scripts/setup)";
        return;
      }
    }
    if (auto e = build(); !e.empty()) setup_error = e;
  }

  void teardown() {
    for (pid_t p : pids_) stop(p);
    pids_.clear();
    for (const auto& ns : namespaces_) run("ip netns del " + ns);
    namespaces_.clear();
    if (!tmp.empty()) {
      std::error_code ec;
      fs::remove_all(tmp, ec);
      tmp.clear();
    }
  }

 private:
  std::vector<pid_t> pids_;
  std::vector<std::string> namespaces_;

  std::string sh(const std::string& cmd) {
    auto r = run(cmd);
    return r.rc == 0 ? std::string() : cmd + ": " + r.out;
  }

  std::string build() {
    const auto& catalog = inventory::Catalog::builtin();
    auto loaded = inventory::loadFile(kDir + "/inventory.yaml", catalog);
    if (!loaded.ok()) return "inventory: " + loaded.diagnostics.front().str();
    model.emplace(std::move(*loaded.model));
    graph.emplace(inventory::deriveGraph(*model, catalog));
    policy.emplace(buildPolicy(*model, catalog, *graph));
    auto bundle = renderBundle(*model, catalog, *graph, *policy, {"nftables", "strongswan"}, {});
    if (!bundle) return bundle.error().message + "\n" + bundle.error().detail;
    tmp = fs::temp_directory_path() / ("ccsec-render-netns-" + std::to_string(getpid()));
    fs::create_directories(tmp);
    if (auto w = writeBundle(*bundle, (tmp / "bundle").string()); !w) return w.error().message;

    std::string prefix = "ccsec-" + std::to_string(getpid()) + "-";
    per_ns = prefix + "per";
    struct ZoneNet {
      std::string bridge, gw;
      int prefix;
    };
    std::map<std::string, ZoneNet> zones = {{"east-dc", {"br-dc", "10.61.0.1", 16}},
                                            {"east-agents", {"br-ag", "10.62.0.1", 16}},
                                            {"east-dmz", {"br-dmz", "192.0.2.1", 24}},
                                            {"outside", {"br-out", "198.51.100.1", 24}}};
    for (const auto& h : model->hosts) {
      const auto& z = zones.at(h.zone);
      nodes[h.name] = Node{prefix + h.name, h.address.str(), z.prefix, z.bridge, z.gw};
    }
    nodes["agent"] = Node{prefix + "agent", "10.62.0.10", 16, "br-ag", "10.62.0.1"};
    nodes["out"] = Node{prefix + "out", "198.51.100.10", 24, "br-out", "198.51.100.1"};

    if (auto e = sh("ip netns add " + per_ns); !e.empty()) return e;
    namespaces_.push_back(per_ns);
    std::string P = "ip -n " + per_ns + " ";
    if (auto e = sh(P + "link set lo up"); !e.empty()) return e;
    for (const auto& [name, z] : zones) {
      if (auto e = sh(P + "link add " + z.bridge + " type bridge"); !e.empty()) return e;
      if (auto e = sh(P + "addr add " + z.gw + "/" + std::to_string(z.prefix) + " dev " + z.bridge);
          !e.empty())
        return e;
      if (auto e = sh(P + "link set " + z.bridge + " up"); !e.empty()) return e;
    }
    if (auto e = sh("ip netns exec " + per_ns + " sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'");
        !e.empty())
      return e;
    int i = 0;
    for (const auto& [name, n] : nodes) {
      if (auto e = sh("ip netns add " + n.ns); !e.empty()) return e;
      namespaces_.push_back(n.ns);
      std::string peer = "v" + std::to_string(i++) + "-" + name.substr(0, 8);
      veth_[name] = peer;
      std::string N = "ip -n " + n.ns + " ";
      for (const std::string& c :
           {N + "link set lo up",
            "ip link add eth0 netns " + n.ns + " type veth peer name " + peer + " netns " + per_ns,
            N + "addr add " + n.addr + "/" + std::to_string(n.prefix) + " dev eth0",
            N + "link set eth0 up", P + "link set " + peer + " master " + n.bridge,
            P + "link set " + peer + " up", N + "route add default via " + n.gw}) {
        if (auto e = sh(c); !e.empty()) return e;
      }
    }
    // Rendered policy: perimeter in the routing namespace, host firewalls in each Linux host.
    if (auto e = sh("ip netns exec " + per_ns + " nft -f " +
                    (tmp / "bundle/sites/east.perimeter.nft").string());
        !e.empty())
      return e;
    for (const auto& h : model->hosts) {
      if (h.os != inventory::Os::kLinux) continue;
      if (auto e = sh("ip netns exec " + nodes[h.name].ns + " nft -f " +
                      (tmp / "bundle/hosts" / (h.name + ".nft")).string());
          !e.empty()) {
        return e;
      }
    }
    if (auto e = startListeners(); !e.empty()) return e;
    return startIpsec();
  }

  std::string startListeners() {
    // Every node listens on every port of the scenario, so that a refusal can only come from
    // the rendered policy, never from a missing listener.
    std::set<std::string> specs;
    for (const auto& e : graph->edges) {
      specs.insert(std::string(e.proto == inventory::Transport::kUdp ? "udp" : "tcp") + ":" +
                   std::to_string(e.port));
    }
    for (auto p : kBlockedTcp) specs.insert("tcp:" + std::to_string(p));
    for (auto p : kBlockedUdp) specs.insert("udp:" + std::to_string(p));
    for (const char* extra : {"tcp:22", "tcp:8080", "tcp:5061", "udp:9999"}) specs.insert(extra);
    for (const auto& [name, n] : nodes) {
      if (name == "out") continue;
      fs::path ready = tmp / ("ready-" + name);
      std::vector<std::string> argv = {"/usr/sbin/ip",        "netns", "exec",        n.ns, kPython,
                                       kDir + "/netcheck.py", "serve", ready.string()};
      for (const auto& s : specs) {
        auto colon = s.find(':');
        argv.push_back(s.substr(0, colon) + ":" + n.addr + s.substr(colon));
      }
      pid_t pid = spawn(argv, {}, (tmp / ("listener-" + name + ".log")).string());
      if (pid <= 0) return "cannot start listener in " + n.ns;
      pids_.push_back(pid);
      if (!waitForFile(ready, 10s))
        return "listener in " + n.ns +
               " not ready: " + readFile(tmp / ("listener-" + name + ".log"));
    }
    return {};
  }

  std::string startIpsec() {
    // Does this kernel do ESP? (Some VM kernels are built without CONFIG_INET_ESP.)
    kernel_esp =
        run("ip netns exec " + per_ns +
            " ip xfrm state add src 10.0.0.1 dst 10.0.0.2 proto esp spi 0x100 mode transport"
            " enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff"
            " auth-trunc 'hmac(sha256)' "
            "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128")
            .rc == 0;
    run("ip netns exec " + per_ns + " ip xfrm state flush");
    fs::path ca = tmp / "ca";
    fs::create_directories(ca);
    if (auto e =
            sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
               (ca / "ca.key").string() + " -out " + (ca / "ca.pem").string() +
               " -days 2 -subj '/CN=ccsec render_netns test CA'");
        !e.empty()) {
      return e;
    }
    for (const auto& ih : policy->ipsec) {
      fs::path d = tmp / ih.host;
      fs::path sw = d / "swanctl";
      for (const char* sub : {"x509", "x509ca", "private"}) fs::create_directories(sw / sub);
      std::string cert = fs::path(ih.certificate_path).filename().string();
      fs::path key = sw / "private" / (ih.host + ".key");
      writeFile(d / "san.ext", "subjectAltName=DNS:" + ih.identity + "\n");
      for (const std::string& c :
           {"openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                key.string() + " -out " + (d / "req.csr").string() + " -subj '/CN=" + ih.identity +
                "'",
            "openssl x509 -req -in " + (d / "req.csr").string() + " -CA " +
                (ca / "ca.pem").string() + " -CAkey " + (ca / "ca.key").string() +
                " -CAcreateserial -days 2 -out " + (sw / "x509" / cert).string() + " -extfile " +
                (d / "san.ext").string(),
            "cp " + (ca / "ca.pem").string() + " " + (sw / "x509ca/ca.pem").string()}) {
        if (auto e = sh(c); !e.empty()) return e;
      }
      std::string conf = readFile(tmp / "bundle/hosts" / (ih.host + ".swanctl.conf"));
      if (!kernel_esp) conf = toLibipsec(conf, ih);
      writeFile(sw / "swanctl.conf", conf);
      std::string vici = "unix://" + (d / "charon.vici").string();
      std::string plugins =
          "    include /etc/strongswan.d/charon/*.conf\n    vici {\n      socket = " + vici +
          "\n    }\n";
      if (!kernel_esp) {
        plugins +=
            "    kernel-libipsec {\n      load = yes\n      allow_peer_ts = yes\n    }\n"
            "    socket-default {\n      fwmark = 0x42\n    }\n"
            "    kernel-netlink {\n      fwmark = !0x42\n    }\n";
      }
      writeFile(d / "strongswan.conf",
                "charon {\n  load_modular = yes\n  plugins {\n" + plugins +
                    "  }\n  filelog {\n    main {\n      path = " + (d / "charon.log").string() +
                    "\n      default = 1\n    }\n  }\n}\nswanctl {\n  socket = " + vici + "\n}\n");
      pid_t pid = spawn(
          {"/usr/sbin/ip", "netns", "exec", nodes[ih.host].ns, "/usr/sbin/charon-systemd"},
          {"STRONGSWAN_CONF=" + (d / "strongswan.conf").string()}, (d / "charon.out").string());
      if (pid <= 0) return "cannot start charon for " + ih.host;
      pids_.push_back(pid);
      if (!waitForFile(d / "charon.vici", 10s))
        return "charon for " + ih.host + " did not open its vici socket";
    }
    for (const auto& ih : policy->ipsec) {
      fs::path d = tmp / ih.host;
      auto r = run("STRONGSWAN_CONF=" + (d / "strongswan.conf").string() +
                   " SWANCTL_DIR=" + (d / "swanctl").string() + " ip netns exec " +
                   nodes[ih.host].ns + " swanctl --load-all");
      if (r.rc != 0 || r.out.find("successfully loaded") == std::string::npos)
        return "swanctl --load-all for " + ih.host + ": " + r.out;
    }
    if (!kernel_esp) {
      // kernel-libipsec installs no acquire traps: bring the SAs up explicitly, from one side.
      for (const auto& ih : policy->ipsec) {
        for (const auto& p : ih.peers) {
          if (ih.host > p.name) continue;
          fs::path d = tmp / ih.host;
          auto r =
              run("STRONGSWAN_CONF=" + (d / "strongswan.conf").string() + " ip netns exec " +
                  nodes[ih.host].ns + " swanctl --initiate --timeout 10 --child peer-" + p.name);
          if (r.rc != 0) return "swanctl --initiate " + ih.host + " -> " + p.name + ": " + r.out;
        }
      }
    }
    return {};
  }

  /// kernel-libipsec (userspace ESP over a TUN device) supports tunnel mode only: the rendered
  /// host-to-host transport children become host-to-host tunnels with /32 selectors.
  static std::string toLibipsec(std::string conf, const IpsecHost& ih) {
    const std::string needle = "\t\t\t\tmode = transport\n";
    std::size_t pos = 0;
    for (const auto& p : ih.peers) {
      pos = conf.find(needle, pos);
      if (pos == std::string::npos) break;
      std::string repl = "\t\t\t\tmode = tunnel\n\t\t\t\tlocal_ts = " + ih.address.str() +
                         "/32\n\t\t\t\tremote_ts = " + p.address.str() + "/32\n";
      conf.replace(pos, needle.size(), repl);
      pos += repl.size();
    }
    return conf;
  }

 public:
  std::map<std::string, std::string> veth_;  // node → its veth in the perimeter namespace
};

class RenderNetns : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Scenario::get().setup(); }
  static void TearDownTestSuite() { Scenario::get().teardown(); }
  void SetUp() override {
    auto& s = Scenario::get();
    if (!s.skip_reason.empty()) GTEST_SKIP() << s.skip_reason;
    ASSERT_TRUE(s.setup_error.empty()) << s.setup_error;
  }
  static std::string spec(const inventory::Model& m, const std::string& host, int port,
                          const char* proto) {
    return std::string(proto) + ":" + m.findHost(host)->address.str() + ":" + std::to_string(port);
  }
};

std::string nodeOfClient(const inventory::Edge& e) {
  return e.client_is_endpoint ? "agent" : e.client;
}

TEST_F(RenderNetns, EveryDerivedEdgeBehavesAsReachPredicts) {
  auto& s = Scenario::get();
  std::set<std::string> denied_by_isolation;
  int connected = 0;
  std::map<std::string, std::vector<std::pair<const inventory::Edge*, std::string>>> by_node;
  for (const auto& e : s.graph->edges) {
    const char* proto = e.proto == inventory::Transport::kUdp ? "udp" : "tcp";
    by_node[nodeOfClient(e)].emplace_back(&e, spec(*s.model, e.server, e.port, proto));
  }
  for (const auto& [node, list] : by_node) {
    std::vector<std::string> specs;
    for (const auto& [e, sp] : list) specs.push_back(sp);
    auto res = s.probe(node, specs);
    for (const auto& [e, sp] : list) {
      auto flow = makeFlow(*s.model, e->client,
                           e->server + ":" + std::to_string(e->port) + "/" +
                               (e->proto == inventory::Transport::kUdp ? "udp" : "tcp"));
      ASSERT_TRUE(flow.ok()) << flow.error().message;
      auto predicted = reach(*s.model, *s.policy, *flow);
      EXPECT_EQ(res[sp], predicted.allowed)
          << e->id() << " from node " << node << " to " << sp << ": reach says "
          << (predicted.allowed ? "allowed" : "denied");
      if (res[sp]) ++connected;
      if (!predicted.allowed) denied_by_isolation.insert(e->id());
    }
  }
  // The inventory puts aw outside rgr's isolation set; every other edge must connect.
  EXPECT_EQ(denied_by_isolation, (std::set<std::string>{"replication:rgr<-aw", "sql:rgr<-aw"}));
  EXPECT_EQ(connected, static_cast<int>(s.graph->edges.size()) - 2);
}

TEST_F(RenderNetns, SampledNonEdgesAreRefused) {
  auto& s = Scenario::get();
  struct Case {
    std::string node, from, host;
    int port;
    const char* proto;
  };
  std::vector<Case> cases = {
      {"agent", "east-desktops", "rgr", 40002, "tcp"},
      {"agent", "east-desktops", "cg", 42030, "tcp"},
      {"agent", "east-desktops", "pg", 22, "tcp"},
      {"aw", "aw", "cg", 42030, "tcp"},
      {"fin", "fin", "rgr", 40026, "tcp"},
      {"pg", "pg", "rgr", 22, "tcp"},
      {"cg", "cg", "rgr", 40002, "tcp"},
      {"rgr", "rgr", "fin", 8080, "tcp"},
      {"fin", "fin", "aw", 9999, "udp"},
      {"out", "internet", "fin", 8445, "tcp"},
      {"out", "internet", "rgr", 40002, "tcp"},
  };
  std::map<std::string, std::vector<std::string>> by_node;
  for (const auto& c : cases) {
    std::string sp = spec(*s.model, c.host, c.port, c.proto);
    auto flow = makeFlow(*s.model, c.from, c.host + ":" + std::to_string(c.port) + "/" + c.proto);
    ASSERT_TRUE(flow.ok());
    EXPECT_FALSE(reach(*s.model, *s.policy, *flow).allowed) << c.from << " -> " << sp;
    by_node[c.node].push_back(sp);
  }
  for (const auto& [node, specs] : by_node) {
    auto res = s.probe(node, specs);
    for (const auto& sp : specs) EXPECT_FALSE(res[sp]) << node << " -> " << sp << " connected";
  }
}

TEST_F(RenderNetns, PerimeterBlocksDesignPortsFromOutsideOnly) {
  auto& s = Scenario::get();
  std::vector<std::string> blocked;
  for (auto p : kBlockedTcp) blocked.push_back(spec(*s.model, "cube", p, "tcp"));
  for (auto p : kBlockedUdp) blocked.push_back(spec(*s.model, "cube", p, "udp"));
  auto from_out = s.probe("out", blocked);
  for (const auto& sp : blocked) EXPECT_FALSE(from_out[sp]) << "outside reached " << sp;
  // cube (vos, no host firewall) itself answers on those ports: from inside the site they open.
  auto from_in = s.probe("agent", blocked);
  for (const auto& sp : blocked) EXPECT_TRUE(from_in[sp]) << "inside could not reach " << sp;
  // The declared exception opens, anything else from outside does not.
  std::string sip = spec(*s.model, "cube", 5061, "tcp");
  std::string other = spec(*s.model, "cube", 8080, "tcp");
  auto r = s.probe("out", {sip, other});
  EXPECT_TRUE(r[sip]);
  EXPECT_FALSE(r[other]);
  auto flow = makeFlow(*s.model, "internet", "cube:445/tcp");
  ASSERT_TRUE(flow.ok());
  auto predicted = reach(*s.model, *s.policy, *flow);
  EXPECT_FALSE(predicted.allowed);
  ASSERT_NE(predicted.layers[predicted.deciding].rule, nullptr);
  EXPECT_EQ(predicted.layers[predicted.deciding].rule->origin, "perimeter.blocked");
}

std::uint64_t sumBytes(const std::string& sas) {
  // "in  c5167221,    183 bytes,     3 packets" / "out ..."
  std::uint64_t total = 0;
  std::istringstream in(sas);
  std::string line;
  while (std::getline(in, line)) {
    auto b = line.find(" bytes,");
    if (b == std::string::npos) continue;
    auto start = line.find_last_of(" ,", b - 1);
    total += std::stoull(line.substr(start + 1, b - start - 1));
  }
  return total;
}

TEST_F(RenderNetns, IsolatedDmpEdgeTravelsAsEsp) {
  auto& s = Scenario::get();
  std::string before = s.saCounters("pg");
  ASSERT_NE(before.find("ESTABLISHED"), std::string::npos) << before;
  ASSERT_NE(before.find("AES_GCM_16-256"), std::string::npos) << before;
  std::string marker = "CCSEC-CLEARTEXT-MARKER-" + std::to_string(getpid());
  fs::path pcap = s.tmp / "dmp.pcap";
  pid_t dump = spawn({"/usr/sbin/ip", "netns", "exec", s.per_ns, "/usr/bin/tcpdump", "-n", "-U",
                      "-i", s.veth_.at("pg"), "-w", pcap.string(), "host", "10.61.2.10"},
                     {}, (s.tmp / "tcpdump.log").string());
  ASSERT_GT(dump, 0);
  ASSERT_TRUE(waitForText(s.tmp / "tcpdump.log", "listening on", 10s))
      << readFile(s.tmp / "tcpdump.log");
  std::this_thread::sleep_for(300ms);
  std::string sp = "tcp:10.61.1.10:40002";
  auto res = s.probe("pg", {sp}, marker);
  std::this_thread::sleep_for(1s);
  stop(dump, SIGINT);
  EXPECT_TRUE(res[sp]) << "dmp pg -> rgr did not connect";
  std::string after = s.saCounters("pg");
  EXPECT_GT(sumBytes(after), sumBytes(before)) << before << "\n---\n" << after;
  std::string raw = readFile(pcap);
  EXPECT_EQ(raw.find(marker), std::string::npos) << "cleartext marker seen on the wire";
  auto decoded = run("tcpdump -n -r " + pcap.string()).out;
  EXPECT_NE(decoded.find("ESP(spi="), std::string::npos) << decoded;
  EXPECT_EQ(decoded.find(".40002:"), std::string::npos) << "cleartext dmp segment on the wire:\n"
                                                        << decoded;

  // Control: the same capture method does see a cleartext marker on a TLS-less-at-L3 edge.
  fs::path pcap2 = s.tmp / "ged.pcap";
  pid_t dump2 = spawn({"/usr/sbin/ip", "netns", "exec", s.per_ns, "/usr/bin/tcpdump", "-n", "-U",
                       "-i", s.veth_.at("cg"), "-w", pcap2.string(), "host", "10.61.3.10"},
                      {}, (s.tmp / "tcpdump2.log").string());
  ASSERT_GT(dump2, 0);
  ASSERT_TRUE(waitForText(s.tmp / "tcpdump2.log", "listening on", 10s))
      << readFile(s.tmp / "tcpdump2.log");
  std::this_thread::sleep_for(300ms);
  std::string sp2 = "tcp:10.61.3.10:42030";
  auto res2 = s.probe("fin", {sp2}, marker);
  std::this_thread::sleep_for(1s);
  stop(dump2, SIGINT);
  EXPECT_TRUE(res2[sp2]);
  EXPECT_NE(readFile(pcap2).find(marker), std::string::npos) << "control capture missed the marker";
}

TEST_F(RenderNetns, HostOutsideIsolationSetIsRefused) {
  auto& s = Scenario::get();
  for (int port : {40026, 1433}) {
    std::string sp = spec(*s.model, "rgr", port, "tcp");
    EXPECT_FALSE(s.probe("aw", {sp})[sp]) << "aw reached isolated rgr on " << port;
    auto flow = makeFlow(*s.model, "aw", "rgr:" + std::to_string(port) + "/tcp");
    ASSERT_TRUE(flow.ok());
    auto r = reach(*s.model, *s.policy, *flow);
    EXPECT_FALSE(r.allowed);
    EXPECT_FALSE(r.ipsec);
  }
  // ... while pg, inside the isolation set, reaches rgr over IPsec.
  auto flow = makeFlow(*s.model, "pg", "rgr:40002/tcp");
  ASSERT_TRUE(flow.ok());
  auto r = reach(*s.model, *s.policy, *flow);
  EXPECT_TRUE(r.allowed);
  EXPECT_TRUE(r.ipsec);
}

}  // namespace
}  // namespace ccsec::render
