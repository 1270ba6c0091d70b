#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fixtures.h"
#include "render/antivirus/antivirus_generator.h"
#include "render/nftables/nftables_generator.h"
#include "render/registry.h"

namespace ccsec::render {
namespace {

using testing::kMini;
using testing::kNetnsInventory;
using testing::loadPath;
using testing::loadText;

core::Result<Bundle> renderAll(const testing::Loaded& l, std::vector<std::string> targets,
                               RenderOptions opts = {}) {
  return renderBundle(l.model, inventory::Catalog::builtin(), l.graph, l.policy, targets, opts);
}

const RenderedFile* file(const Bundle& b, const std::string& path) {
  for (const auto& f : b.files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

TEST(Registry, ListsEveryTargetOnceInOrder) {
  std::vector<std::string> names;
  for (const auto* g : allGenerators()) names.emplace_back(g->name());
  EXPECT_EQ(names,
            (std::vector<std::string>{"nftables", "windows-firewall", "asa", "strongswan",
                                      "windows-ipsec", "sql-server", "postgresql", "antivirus"}));
  EXPECT_EQ(findGenerator("asa"), allGenerators()[2]);
  EXPECT_EQ(findGenerator("pf"), nullptr);
  // Enforcement targets print policy tables; hardening targets render from the model alone.
  for (std::size_t i = 0; i < allGenerators().size(); ++i)
    EXPECT_EQ(allGenerators()[i]->features().any(), i < 5) << allGenerators()[i]->name();
}

TEST(PolicyModel, HostTableHasBaselineThenOneRulePerEdgeInto) {
  auto l = loadPath(kNetnsInventory);
  const Table* rgr = l.policy.hostTable("rgr");
  ASSERT_NE(rgr, nullptr);
  EXPECT_EQ(renderedFile(*rgr), "hosts/rgr.nft");
  ASSERT_GE(rgr->rules.size(), 9u);
  EXPECT_EQ(rgr->rules[0].special, Special::kEstablished);
  EXPECT_EQ(rgr->rules[1].special, Special::kLoopback);
  EXPECT_EQ(rgr->rules[3].proto, Proto::kEsp);
  EXPECT_EQ(rgr->rules[3].src_set, "ipsec_peers");
  std::vector<std::string> origins;
  for (const auto& r : rgr->rules) {
    if (r.origin.find(':') != std::string::npos) origins.push_back(r.origin);
  }
  EXPECT_EQ(origins,
            (std::vector<std::string>{"dmp:rgr<-pg", "replication:rgr<-aw", "sql:rgr<-aw"}));
  // Isolation: every non-boundary source must arrive over IPsec, whether or not it can.
  for (const auto& r : rgr->rules) {
    if (r.origin.find(':') != std::string::npos) {
      EXPECT_TRUE(r.require_ipsec) << r.origin;
    }
  }
  // A host without IPsec requires nothing and has no ESP rules.
  const Table* cg = l.policy.hostTable("cg");
  ASSERT_NE(cg, nullptr);
  for (const auto& r : cg->rules) {
    EXPECT_FALSE(r.require_ipsec);
    EXPECT_NE(r.proto, Proto::kEsp);
  }
  // vos appliances get no host table.
  EXPECT_EQ(l.policy.hostTable("cube"), nullptr);
}

TEST(PolicyModel, EndpointSourcesUseTheZoneAsANamedSet) {
  auto l = loadPath(kNetnsInventory);
  const Table* fin = l.policy.hostTable("fin");
  ASSERT_NE(fin, nullptr);
  const Rule* desktop = nullptr;
  for (const auto& r : fin->rules) {
    if (r.origin == "desktop-https:fin<-east-desktops") desktop = &r;
  }
  ASSERT_NE(desktop, nullptr);
  EXPECT_EQ(desktop->src_set, "zone_east_agents");
  ASSERT_EQ(desktop->src.size(), 1u);
  EXPECT_EQ(desktop->src[0].str(), "10.62.0.0/16");
  ASSERT_NE(fin->findSet("zone_east_agents"), nullptr);
}

TEST(PolicyModel, IpsecPeersAndBoundaries) {
  auto l = loadPath(kNetnsInventory);
  const IpsecHost* rgr = l.policy.ipsecHost("rgr");
  ASSERT_NE(rgr, nullptr);
  ASSERT_EQ(rgr->peers.size(), 1u);
  EXPECT_EQ(rgr->peers[0].name, "pg");
  EXPECT_EQ(rgr->peers[0].identity, "pg.east.test");
  EXPECT_EQ(rgr->peers[0].mode, IpsecPeerMode::kTransport);
  EXPECT_EQ(rgr->peers[0].edges, (std::vector<std::string>{"dmp:rgr<-pg"}));
  ASSERT_EQ(rgr->boundaries.size(), 1u);  // the domain controller, always
  EXPECT_EQ(rgr->boundaries[0].name, "dc1");
  EXPECT_TRUE(rgr->boundaries[0].domain_controller);
  EXPECT_EQ(l.policy.ipsecHost("aw"), nullptr);
}

TEST(PolicyModel, PerimeterBlocksDesignPortsBeforeAnyException) {
  auto l = loadText(kMini, "mini.yaml");
  const Table* p = l.policy.perimeterTable("s1");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(renderedFile(*p), "sites/s1.asa.cfg");
  EXPECT_EQ(p->contexts, (std::vector<std::string>{"tenant-1"}));
  std::size_t first_allow = p->rules.size();
  std::size_t blocked = 0;
  for (std::size_t i = 0; i < p->rules.size(); ++i) {
    const auto& r = p->rules[i];
    if (r.origin == "perimeter.blocked") {
      ++blocked;
      EXPECT_LT(i, first_allow);
      EXPECT_TRUE(r.src_negated);
      EXPECT_EQ(r.action, Action::kDrop);
    }
    if (r.origin == "perimeter.allow" && first_allow == p->rules.size()) first_allow = i;
  }
  EXPECT_EQ(blocked, 8u);
  EXPECT_LT(first_allow, p->rules.size());
}

TEST(Nftables, HostFileReplacesTableAtomicallyAndRequiresIpsec) {
  auto l = loadPath(kNetnsInventory);
  auto f = renderNftTable(*l.policy.hostTable("rgr"), "hosts/rgr.nft", l.model);
  const std::string& c = f.content;
  auto pos_decl = c.find("table inet ccsec {}\n");
  auto pos_del = c.find("delete table inet ccsec\n");
  auto pos_def = c.find("table inet ccsec {\n");
  ASSERT_NE(pos_decl, std::string::npos);
  EXPECT_LT(pos_decl, pos_del);
  EXPECT_LT(pos_del, pos_def);
  EXPECT_NE(c.find("type filter hook input priority filter; policy drop;"), std::string::npos);
  EXPECT_NE(c.find("ct state established,related accept"), std::string::npos);
  EXPECT_NE(c.find("iif \"lo\" accept"), std::string::npos);
  EXPECT_NE(c.find("ip saddr @ipsec_peers_v4 meta l4proto esp accept"), std::string::npos);
  EXPECT_NE(c.find("ip saddr @ipsec_peers_v4 udp dport 4500 accept"), std::string::npos);
  EXPECT_NE(c.find("ip saddr 10.61.2.10 tcp dport 40002 meta secpath exists accept comment \"r7 "
                   "dmp:rgr<-pg\""),
            std::string::npos)
      << c;
  EXPECT_NE(c.find("iifname \"ipsec0\" ip saddr 10.61.2.10 tcp dport 40002 accept"),
            std::string::npos);
  EXPECT_EQ(c.find("20"
                   "26-"),
            std::string::npos);  // no timestamp-like content sneaks in
}

TEST(Nftables, PerimeterUsesNegatedInsideSetsForOutside) {
  auto l = loadPath(kNetnsInventory);
  auto f = renderNftTable(*l.policy.perimeterTable("east"), "sites/east.perimeter.nft", l.model);
  EXPECT_NE(f.content.find("table inet ccsec_perimeter {}\n"), std::string::npos);
  EXPECT_NE(f.content.find("type filter hook forward priority filter; policy drop;"),
            std::string::npos);
  EXPECT_NE(f.content.find("ip saddr != @inside_v4 tcp dport 445 drop"), std::string::npos);
  EXPECT_NE(f.content.find("ip6 saddr != @inside_v6 udp dport 137 drop"), std::string::npos);
  EXPECT_NE(f.content.find("ip saddr != @inside_v4 ip daddr 192.0.2.10 tcp dport 5061 accept"),
            std::string::npos);
  EXPECT_NE(f.content.find("elements = { 10.61.0.0/16, 10.62.0.0/16, 192.0.2.0/24 }"),
            std::string::npos);
}

TEST(Bundle, DeterministicWithManifestHashesAndOrigins) {
  auto l = loadPath(kNetnsInventory);
  auto a = renderAll(l, {});
  auto b = renderAll(l, {});
  ASSERT_TRUE(a.ok()) << a.error().message << a.error().detail;
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(a->files.size(), b->files.size());
  for (std::size_t i = 0; i < a->files.size(); ++i) {
    EXPECT_EQ(a->files[i].path, b->files[i].path);
    EXPECT_EQ(a->files[i].content, b->files[i].content);
  }
  ASSERT_EQ(a->files.back().path, "manifest.json");
  auto m = nlohmann::json::parse(a->files.back().content);
  EXPECT_EQ(m["inventory"], "inventory.yaml");
  ASSERT_EQ(m["files"].size(), a->files.size() - 1);
  bool saw_dmp = false;
  for (std::size_t i = 0; i + 1 < a->files.size(); ++i) {
    EXPECT_EQ(m["files"][i]["path"], a->files[i].path);
    EXPECT_EQ(m["files"][i]["sha256"], sha256Hex(a->files[i].content));
    for (const auto& r : m["files"][i]["rules"]) {
      if (r["origin"] == "dmp:rgr<-pg" && m["files"][i]["path"] == "hosts/rgr.nft") {
        saw_dmp = true;
        EXPECT_GT(r["line"].get<int>(), 0);
      }
    }
  }
  EXPECT_TRUE(saw_dmp);
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Bundle, FailsClosedBeforeWritingAnything) {
  auto l = loadText(kMini, "mini.yaml");
  auto r = renderAll(l, {"nftables", "strongswan"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nothing was written"), std::string::npos);
  EXPECT_NE(r.error().detail.find("strongswan: certificate.fingerprint at host web"),
            std::string::npos)
      << r.error().detail;
  // Without the target that cannot express it, the same inventory renders.
  auto ok = renderAll(l, {"nftables", "windows-firewall", "asa"});
  ASSERT_TRUE(ok.ok()) << ok.error().detail;
  EXPECT_NE(file(*ok, "sites/s1.asa.cfg"), nullptr);
}

TEST(Bundle, UnknownTargetSuggestsTheClosest) {
  auto l = loadText(kMini, "mini.yaml");
  auto r = renderAll(l, {"nftable"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("did you mean \"nftables\""), std::string::npos)
      << r.error().message;
}

TEST(Bundle, WriteCreatesTheTree) {
  auto l = loadPath(kNetnsInventory);
  auto b = renderAll(l, {"nftables"});
  ASSERT_TRUE(b.ok());
  auto dir =
      std::filesystem::temp_directory_path() / ("ccsec-render-ut-" + std::to_string(::getpid()));
  ASSERT_TRUE(writeBundle(*b, dir.string()).ok());
  for (const auto& f : b->files) {
    std::ifstream in(dir / f.path, std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, f.content) << f.path;
  }
  std::filesystem::remove_all(dir);
}

TEST(WindowsFirewall, RpcDynamicOnlyWhereTheCatalogSaysSo) {
  auto l = loadText(kMini, "mini.yaml");
  auto b = renderAll(l, {"windows-firewall"});
  ASSERT_TRUE(b.ok());
  const auto* f = file(*b, "hosts/dc-1.firewall.ps1");
  ASSERT_NE(f, nullptr);
  EXPECT_NE(f->content.find("Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | "
                            "Remove-NetFirewallRule"),
            std::string::npos);
  EXPECT_NE(f->content.find("-DefaultInboundAction Block"), std::string::npos);
  EXPECT_NE(f->content.find("-Protocol TCP -LocalPort 389 -RemoteAddress 10.0.1.5"),
            std::string::npos);
  EXPECT_NE(f->content.find("-LocalPort 49152-65535 -RemoteAddress 10.0.1.5"), std::string::npos);
  // The lab's Windows servers have no rpc_dynamic listener: no dynamic range anywhere.
  auto lab = loadPath("examples/lab.yaml");
  auto lb = renderAll(lab, {"windows-firewall"});
  ASSERT_TRUE(lb.ok());
  for (const auto& lf : lb->files)
    EXPECT_EQ(lf.content.find("49152-65535"), std::string::npos) << lf.path;
}

TEST(Asa, ContextsObjectsAndAccessLists) {
  auto l = loadText(kMini, "mini.yaml");
  auto b = renderAll(l, {"asa"});
  ASSERT_TRUE(b.ok());
  const auto* f = file(*b, "sites/s1.asa.cfg");
  ASSERT_NE(f, nullptr);
  const auto& c = f->content;
  EXPECT_NE(c.find("context tenant-1\n"), std::string::npos);
  EXPECT_NE(c.find("changeto context tenant-1\n"), std::string::npos);
  EXPECT_NE(c.find("object network host_web\n host 10.0.1.5\n"), std::string::npos);
  EXPECT_NE(c.find("object-group network inside\n network-object 10.0.0.0 255.255.0.0\n"),
            std::string::npos);
  EXPECT_NE(c.find("access-list CCSEC_OUTSIDE_IN extended deny tcp any any eq 445 log\n"),
            std::string::npos);
  EXPECT_NE(c.find("access-list CCSEC_OUTSIDE_IN extended deny udp any any eq 137 log\n"),
            std::string::npos);
  EXPECT_NE(c.find("access-list CCSEC_OUTSIDE_IN extended permit tcp any object host_web eq 443\n"),
            std::string::npos);
  EXPECT_NE(c.find("access-group CCSEC_OUTSIDE_IN in interface outside\n"), std::string::npos);
  EXPECT_LT(c.find("deny tcp any any eq 445"), c.find("permit tcp any object host_web eq 445"));
}

TEST(Asa, RejectsContextNamesTheAsaCannotTake) {
  std::string yaml = kMini;
  yaml.replace(yaml.find("contexts: [tenant-1]"), 20, "contexts: [system]");
  auto l = loadText(yaml, "mini.yaml");
  auto r = renderAll(l, {"asa"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("asa: perimeter.contexts at site s1"), std::string::npos)
      << r.error().detail;
}

TEST(Strongswan, TransportModeCertificateAuthAesGcm) {
  auto l = loadPath(kNetnsInventory);
  auto b = renderAll(l, {"strongswan"});
  ASSERT_TRUE(b.ok());
  const auto* f = file(*b, "hosts/pg.swanctl.conf");
  ASSERT_NE(f, nullptr);
  const auto& c = f->content;
  EXPECT_NE(c.find("\tpeer-rgr {\n"), std::string::npos);
  EXPECT_NE(c.find("local_addrs = 10.61.2.10\n"), std::string::npos);
  EXPECT_NE(c.find("remote_addrs = 10.61.1.10\n"), std::string::npos);
  EXPECT_NE(c.find("proposals = aes256gcm16-prfsha384-ecp384\n"), std::string::npos);
  EXPECT_NE(c.find("auth = pubkey\n\t\t\tcerts = pg.pem\n\t\t\tid = pg.east.test\n"),
            std::string::npos);
  EXPECT_NE(c.find("id = rgr.east.test\n"), std::string::npos);
  EXPECT_NE(c.find("mode = transport\n"), std::string::npos);
  EXPECT_NE(c.find("esp_proposals = aes256gcm16-ecp384\n"), std::string::npos);
  EXPECT_NE(c.find("mode = pass\n"), std::string::npos);
  EXPECT_NE(c.find("remote_ts = 10.61.0.5/32\n"), std::string::npos);
  EXPECT_EQ(c.find("psk"), std::string::npos);
  EXPECT_EQ(file(*b, "hosts/aw.swanctl.conf"), nullptr);  // no IPsec on aw
}

TEST(WindowsIpsec, CertificateAuthNoPskBoundariesApart) {
  auto l = loadPath("examples/lab.yaml");
  RenderOptions o;
  o.ca_subject = "CN=Test Root";
  auto b = renderAll(l, {"windows-ipsec"}, o);
  ASSERT_TRUE(b.ok()) << b.error().detail;
  const auto* f = file(*b, "hosts/pg-a.ipsec.ps1");
  ASSERT_NE(f, nullptr);
  const auto& c = f->content;
  EXPECT_NE(
      c.find(
          "New-NetIPsecAuthProposal -Machine -Cert -Authority 'CN=Test Root' -AuthorityType Root"),
      std::string::npos);
  EXPECT_NE(c.find("New-NetIPsecPhase1AuthSet -Name 'ccsec-machine-cert'"), std::string::npos);
  EXPECT_NE(c.find("-Name 'ccsec-pg-a-peer-rgr-a'"), std::string::npos);
  EXPECT_NE(c.find("-InboundSecurity Require -OutboundSecurity Require"), std::string::npos);
  EXPECT_NE(c.find("-Name 'ccsec-pg-a-boundary-cucm-1'"), std::string::npos);
  EXPECT_NE(
      c.find(
          "-Name 'ccsec-pg-a-boundary-dc1' -DisplayName 'ccsec boundary dc1 (domain controller)'"),
      std::string::npos);
  EXPECT_EQ(c.find("PreSharedKey"), std::string::npos);
  EXPECT_EQ(c.find("-Psk"), std::string::npos);
  // Without a CA subject and without readable certificate files: fail closed. (The example's
  // certificate files exist, so point the hosts at files that do not.)
  std::ifstream in("examples/lab.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto at = text.find("path: certs/"); at != std::string::npos;
       at = text.find("path: certs/", at + 1))
    text.replace(at, 12, "path: gone/");
  auto unreadable = loadText(text, "examples/lab.yaml");
  auto r = renderAll(unreadable, {"windows-ipsec"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("windows-ipsec: certificate authority at host"),
            std::string::npos);
}

}  // namespace
}  // namespace ccsec::render

namespace ccsec::render {
namespace {

TEST(WindowsIpsec, CaSubjectIsReadFromTheHostCertificates) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("ccsec-render-ca-" + std::to_string(::getpid()));
  fs::create_directories(dir / "certs");
  std::string ca = (dir / "ca").string();
  std::string host = (dir / "host").string();
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + ca +
      ".key -out " + ca +
      ".pem -days 2 -subj '/O=Example/CN=Lab Issuing CA' 2>/dev/null && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
      host + ".key -out " + host + ".csr -subj '/CN=host' 2>/dev/null && openssl x509 -req -in " +
      host + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -CAcreateserial -days 2 -out " + host +
      ".pem 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  for (const char* h : {"rgr-a", "rgr-b", "pg-a", "pg-b", "aw-1", "hds-1", "cvp-1"}) {
    fs::copy_file(host + ".pem", dir / "certs" / (std::string(h) + ".pem"));
  }
  std::ifstream in("examples/lab.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto l = testing::loadText(yaml, (dir / "lab.yaml").string());
  auto b = renderBundle(l.model, inventory::Catalog::builtin(), l.graph, l.policy,
                        {"windows-ipsec"}, {});
  ASSERT_TRUE(b.ok()) << b.error().message << "\n" << b.error().detail;
  bool found = false;
  for (const auto& f : b->files) {
    if (f.path == "hosts/rgr-a.ipsec.ps1") {
      found = true;
      EXPECT_NE(f.content.find("-Authority 'CN=Lab Issuing CA,O=Example' -AuthorityType Root"),
                std::string::npos)
          << f.content;
    }
  }
  EXPECT_TRUE(found);
  fs::remove_all(dir);
}

// A target for the tests below: host tables of Linux hosts, declaring only `declared`, every
// file named by `pattern` with the host name appended.
class FakeHostTarget final : public Generator {
 public:
  FakeHostTarget(std::string name, FeatureSet declared, std::string prefix)
      : name_(std::move(name)), declared_(declared), prefix_(std::move(prefix)) {}
  std::string_view name() const override { return name_; }
  FeatureSet features() const override { return declared_; }
  using Generator::fileFor;
  std::string fileFor(const Table& t) const override {
    return t.kind == TableKind::kHost && t.os == inventory::Os::kLinux ? prefix_ + t.device
                                                                       : std::string();
  }
  std::vector<RenderedFile> render(const RenderInput& in) const override {
    std::vector<RenderedFile> out;
    for (const auto& t : in.policy.hosts)
      if (auto p = fileFor(t); !p.empty()) out.push_back(RenderedFile{p, "x\n", {}});
    return out;
  }

 private:
  std::string name_;
  FeatureSet declared_;
  std::string prefix_;
};

TEST(Features, TablesReportWhatTheyUse) {
  auto l = loadPath(kNetnsInventory);
  const FeatureSet rgr = featuresOf(*l.policy.hostTable("rgr"));
  EXPECT_TRUE(rgr.test(static_cast<std::size_t>(Feature::kHostFirewall)));
  EXPECT_TRUE(rgr.test(static_cast<std::size_t>(Feature::kIpsecOnlyRules)));
  EXPECT_FALSE(rgr.test(static_cast<std::size_t>(Feature::kPerimeter)));
  const FeatureSet ipsec = featuresOf(*l.policy.ipsecHost("rgr"));
  EXPECT_TRUE(ipsec.test(static_cast<std::size_t>(Feature::kIpsecBoundary)));
  auto mini = loadText(kMini, "mini.yaml");
  const FeatureSet s1 = featuresOf(*mini.policy.perimeterTable("s1"));
  EXPECT_TRUE(s1.test(static_cast<std::size_t>(Feature::kSecurityContexts)));
  EXPECT_TRUE(s1.test(static_cast<std::size_t>(Feature::kNegatedSource)));
}

TEST(Features, RegisteredTargetsDeclareWhatTheyRenderForTheExamples) {
  for (const char* inv : {"examples/lab.yaml", "examples/reference.yaml", kNetnsInventory}) {
    auto l = loadPath(inv);
    std::size_t owned = 0;
    for (const auto* g : allGenerators()) {
      for (const auto* tables : {&l.policy.hosts, &l.policy.perimeters}) {
        for (const auto& t : *tables) {
          if (g->fileFor(t).empty()) continue;
          ++owned;
          EXPECT_TRUE((featuresOf(t) & ~g->features()).none()) << inv << " " << t.device;
        }
      }
      for (const auto& h : l.policy.ipsec) {
        if (g->fileFor(h).empty()) continue;
        ++owned;
        EXPECT_TRUE((featuresOf(h) & ~g->features()).none()) << inv << " " << h.host;
      }
    }
    // Every table and IPsec host has exactly one generator in charge of it.
    EXPECT_EQ(owned, l.policy.hosts.size() + l.policy.perimeters.size() + l.policy.ipsec.size())
        << inv;
  }
}

TEST(Features, BaseFailsClosedOnAnUndeclaredFeature) {
  auto l = loadPath(kNetnsInventory);
  RenderOptions opts;
  RenderInput in{l.model, inventory::Catalog::builtin(), l.graph, l.policy, opts};
  const FakeHostTarget narrow("narrow", featureSet({Feature::kHostFirewall}), "fake/");
  const auto errs = narrow.check(in);
  ASSERT_FALSE(errs.empty());
  bool named = false;
  for (const auto& e : errs) {
    EXPECT_EQ(e.target, "narrow");
    if (e.feature == "ipsec-only rules" && e.where == "host rgr") named = true;
  }
  EXPECT_TRUE(named) << errs[0].str();
  auto b = renderBundle(in, {&narrow});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("nothing was written"), std::string::npos);
  EXPECT_NE(b.error().detail.find("narrow: ipsec-only rules at host rgr"), std::string::npos)
      << b.error().detail;

  FeatureSet all;
  all.set();
  const FakeHostTarget wide("wide", all, "fake/");
  EXPECT_TRUE(wide.check(in).empty());
  EXPECT_TRUE(renderBundle(in, {&wide}).ok());
}

TEST(Bundle, RejectsTwoTargetsWritingOnePath) {
  auto l = loadPath(kNetnsInventory);
  RenderOptions opts;
  RenderInput in{l.model, inventory::Catalog::builtin(), l.graph, l.policy, opts};
  FeatureSet all;
  all.set();
  const FakeHostTarget one("one", all, "hosts/");
  const FakeHostTarget two("two", all, "hosts/");
  auto b = renderBundle(in, {&one, &two});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("targets one and two both write hosts/"), std::string::npos)
      << b.error().message;
  const FakeHostTarget other("other", all, "other/");
  EXPECT_TRUE(renderBundle(in, {&one, &other}).ok());
}

}  // namespace
}  // namespace ccsec::render

namespace ccsec::render {
namespace {

constexpr const char* kHardening = "test/integration/hardening/inventory.yaml";

TEST(SqlServer, OneScriptAndWrapperPerWindowsSqlHostEveryStatementGuarded) {
  auto l = loadPath(kHardening);
  auto b = renderAll(l, {"sql-server"});
  ASSERT_TRUE(b.ok()) << b.error().detail;
  // logger-a (logger) and aw-1 (aw) run SQL Server; store-1, anchor-1, ccp-1 do not.
  std::vector<std::string> paths;
  for (const auto& f : b->files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"hosts/aw-1.sql-hardening.ps1",
                                             "hosts/aw-1.sql-hardening.sql",
                                             "hosts/logger-a.sql-hardening.ps1",
                                             "hosts/logger-a.sql-hardening.sql", "manifest.json"}));
  const std::string& sql = file(*b, "hosts/logger-a.sql-hardening.sql")->content;
  EXPECT_NE(sql.find("N'LoginMode', REG_DWORD, 1;"), std::string::npos);
  EXPECT_NE(sql.find("WITH NAME = [ccsec_disabled_sa]"), std::string::npos);
  EXPECT_NE(sql.find("EXEC sys.sp_configure N'xp_cmdshell', 0;"), std::string::npos);
  EXPECT_NE(sql.find("N'ForceEncryption', REG_DWORD, 1;"), std::string::npos);
  EXPECT_NE(sql.find(R"(SuperSocketNetLib\Np', N'Enabled', REG_DWORD, 0;)"), std::string::npos);
  EXPECT_NE(sql.find("REVOKE EXECUTE ON sys.xp_dirtree FROM public;"), std::string::npos);
  EXPECT_NE(sql.find("ADD (FAILED_LOGIN_GROUP)"), std::string::npos);
  // Idempotence: every state-changing statement sits inside a guard. Walk the lines: each
  // change (regwrite, ALTER LOGIN, sp_configure ... 0, REVOKE, CREATE/ALTER SERVER AUDIT) is
  // inside a BEGIN block opened right after an IF.
  std::istringstream in(sql);
  std::string line, prev_if;
  int depth = 0, changes = 0;
  for (int n = 1; std::getline(in, line); ++n) {
    auto has = [&](const char* s) { return line.find(s) != std::string::npos; };
    if (line.rfind("--", 0) == 0) continue;
    if (has("BEGIN") && !has("BEGIN REVOKE")) ++depth;
    if (line == "END;" || line == "  END;") --depth;
    if (has("xp_instance_regwrite") || has("ALTER LOGIN") ||
        has("sp_configure N'xp_cmdshell', 0") || has("REVOKE EXECUTE") ||
        has("CREATE SERVER AUDIT") || has("ALTER SERVER AUDIT")) {
      ++changes;
      EXPECT_GT(depth, 0) << "unguarded change at line " << n << ": " << line;
    }
  }
  EXPECT_EQ(depth, 0);
  EXPECT_GE(changes, 19);
  const std::string& ps = file(*b, "hosts/logger-a.sql-hardening.ps1")->content;
  EXPECT_NE(ps.find("-contains 'logger-a.hardening.test'"), std::string::npos);
  EXPECT_NE(ps.find("foreach ($protocol in 'SSL 3.0', 'TLS 1.0', 'TLS 1.1')"), std::string::npos);
  EXPECT_NE(ps.find("sqlcmd -S $server -E -b"), std::string::npos);
  EXPECT_NE(ps.find("if ($restart) { Restart-Service"), std::string::npos);
}

TEST(SqlServer, NothingForASqlRoleOnLinux) {
  std::string yaml = kMini;
  yaml += R"(  - {name: lg, site: s1, zone: dc, address: 10.0.1.9, os: linux, roles: [logger]}
)";
  auto l = loadText(yaml, "mini.yaml");
  auto r = renderAll(l, {"sql-server"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->files.size(), 1u);  // manifest.json only: mssql-conf is not rendered
  EXPECT_EQ(r->files[0].path, "manifest.json");
}

TEST(Postgresql, HostsslOnlyFromTheStoreClientsThenReject) {
  auto l = loadPath(kHardening);
  auto b = renderAll(l, {"postgresql"});
  ASSERT_TRUE(b.ok()) << b.error().detail;
  const std::string& conf = file(*b, "hosts/store-1.postgresql.conf")->content;
  EXPECT_NE(conf.find("\nssl = on\n"), std::string::npos);
  EXPECT_NE(conf.find("\nport = 5432\n"), std::string::npos);
  EXPECT_NE(conf.find("\npassword_encryption = scram-sha-256\n"), std::string::npos);
  EXPECT_NE(conf.find("ssl_min_protocol_version = 'TLSv1.2'"), std::string::npos);
  const RenderedFile* hba = file(*b, "hosts/store-1.pg_hba.conf");
  ASSERT_NE(hba, nullptr);
  // Exactly: local peer for postgres, one hostssl per client (anchor-1, aw-1), one reject.
  std::vector<std::string> rules;
  std::istringstream in(hba->content);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') rules.push_back(line);
  EXPECT_EQ(rules, (std::vector<std::string>{
                       "local     all       postgres                          peer",
                       "hostssl   all       all       127.0.0.1/32            scram-sha-256",
                       "hostssl   all       all       127.0.0.11/32           scram-sha-256",
                       "host      all       all       all                     reject"}));
  ASSERT_EQ(hba->rules.size(), 2u);
  EXPECT_EQ(hba->rules[0].origin, "store:store-1<-anchor-1");
  EXPECT_EQ(hba->rules[0].line, 60);  // the channels: entry
  // The host firewall opens the same port to the same clients.
  auto nft = renderAll(l, {"nftables"});
  ASSERT_TRUE(nft.ok());
  const std::string& fw = file(*nft, "hosts/store-1.nft")->content;
  EXPECT_NE(fw.find("ip saddr 127.0.0.1 tcp dport 5432 accept"), std::string::npos) << fw;
}

TEST(Postgresql, TlsMinimumFollowsTheDeployment) {
  std::string yaml = R"(version: 1
deployment: {name: t, tls_min_version: "1.3"}
sites:
  - name: s1
    zones: [{name: dc, kind: datacenter, cidr: 10.0.0.0/16}]
hosts:
  - {name: st, site: s1, zone: dc, address: 10.0.0.2, os: linux, roles: [ccsec-store]}
  - {name: win, site: s1, zone: dc, address: 10.0.0.3, roles: [ccsec-store]}
)";
  auto l = loadText(yaml, "t.yaml");
  auto r = renderAll(l, {"postgresql"});
  ASSERT_FALSE(r.ok());  // a Windows store host cannot be rendered
  EXPECT_NE(r.error().detail.find("postgresql: store host not Linux at host win (line 8)"),
            std::string::npos)
      << r.error().detail;
  yaml.erase(yaml.find("  - {name: win"));
  auto l2 = loadText(yaml, "t.yaml");
  auto ok = renderAll(l2, {"postgresql"});
  ASSERT_TRUE(ok.ok());
  EXPECT_NE(file(*ok, "hosts/st.postgresql.conf")->content.find("'TLSv1.3'"), std::string::npos);
  // No clients: only local administration and the reject line.
  EXPECT_EQ(file(*ok, "hosts/st.pg_hba.conf")->content.find("hostssl"), std::string::npos);
}

TEST(Antivirus, ScanTimeOutsideBusyHours) {
  // A stated window outside the busy hours is kept (its start).
  EXPECT_EQ(scanTime("07:00-21:00", "23:30-01:30").hhmm, "23:30");
  // Overlapping the busy hours: the middle of the quiet hours 21:00-07:00 is 02:00.
  auto t = scanTime("07:00-21:00", "20:00-23:00");
  EXPECT_EQ(t.hhmm, "02:00");
  EXPECT_NE(t.reason.find("overlaps the busy hours"), std::string::npos);
  EXPECT_EQ(scanTime("06:00-22:00", "").hhmm, "02:00");  // the documented defaults
  // Busy hours that wrap midnight (a night shift): quiet 04:00-20:00, middle 12:00.
  EXPECT_EQ(scanTime("20:00-04:00", "").hhmm, "12:00");
  EXPECT_EQ(scanTime("20:00-04:00", "03:00-05:00").hhmm, "12:00");
  EXPECT_EQ(scanTime("20:00-04:00", "04:00-05:00").hhmm, "04:00");
}

TEST(Antivirus, ClamavOnLinuxDefenderOnWindowsNothingOnVos) {
  auto l = loadPath(kHardening);
  auto b = renderAll(l, {"antivirus"});
  ASSERT_TRUE(b.ok());
  EXPECT_NE(file(*b, "hosts/store-1.clamd.conf"), nullptr);
  EXPECT_NE(file(*b, "hosts/store-1.freshclam.conf"), nullptr);
  EXPECT_NE(file(*b, "hosts/store-1.clamav-scan.service"), nullptr);
  EXPECT_NE(file(*b, "hosts/logger-a.defender.ps1"), nullptr);
  EXPECT_EQ(file(*b, "hosts/logger-a.clamd.conf"), nullptr);
  const std::string& clamd = file(*b, "hosts/store-1.clamd.conf")->content;
  EXPECT_NE(clamd.find("\nCrossFilesystems no\n"), std::string::npos);
  EXPECT_NE(clamd.find("\nOnAccessExtraScanning yes\n"), std::string::npos);
  EXPECT_NE(clamd.find("\nExcludePath ^/var/lib/postgresql/\n"), std::string::npos);
  EXPECT_NE(clamd.find("\nHeuristicAlerts no\n"), std::string::npos);
  EXPECT_NE(file(*b, "hosts/ccp-1.clamd.conf")->content.find("\nHeuristicAlerts yes\n"),
            std::string::npos);  // DMZ: entry point from untrusted networks
  EXPECT_NE(file(*b, "hosts/store-1.clamav-scan.timer")->content.find("OnCalendar=*-*-* 23:30:00"),
            std::string::npos);
  EXPECT_NE(file(*b, "hosts/anchor-1.clamav-scan.timer")->content.find("OnCalendar=*-*-* 02:00:00"),
            std::string::npos);
  const std::string& def = file(*b, "hosts/logger-a.defender.ps1")->content;
  EXPECT_NE(def.find("-RealTimeScanDirection Incoming -DisableScanningNetworkFiles $true"),
            std::string::npos);
  EXPECT_NE(def.find("-ScanScheduleDay Everyday -ScanScheduleTime 02:00:00"), std::string::npos);
  EXPECT_NE(def.find("Add-MpPreference -ExclusionExtension 'mdf', 'ldf', 'ndf'"),
            std::string::npos);
  EXPECT_EQ(file(*b, "hosts/ccp-1.defender.ps1"), nullptr);
  // VOS appliances: nothing (reference.yaml's cube-east).
  auto ref = loadPath("examples/reference.yaml");
  auto rb = renderAll(ref, {"antivirus"});
  ASSERT_TRUE(rb.ok());
  for (const auto& f : rb->files) EXPECT_EQ(f.path.find("cube-"), std::string::npos) << f.path;
}

}  // namespace
}  // namespace ccsec::render
