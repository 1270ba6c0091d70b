#include "inventory/loader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/exceptions.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "yaml/walker.h"

namespace ccsec::inventory {

namespace {

using yaml::describe;
using yaml::Fields;
using yaml::indexPath;
using yaml::keyPath;
using yaml::KeyTable;
using yaml::Node;
using yaml::quote;
using yaml::Walker;

// ---- key tables: the schema's property names, one table per object ($defs name) ----------
const KeyTable kRootKeys{
    {"version", true}, {"deployment", true}, {"sites"},  {"site_links"}, {"directory"},
    {"hosts"},         {"channels"},         {"nat"},    {"endpoints"},  {"media"},
    {"collaboration"}, {"accounts"},         {"waivers"}};
const KeyTable kDeploymentKeys{
    {"name", true}, {"security_model"}, {"tls_min_version"}, {"instance"}, {"busy_hours"}};
const KeyTable kSiteKeys{{"name", true}, {"physical_access"}, {"zones"}, {"perimeter"}};
const KeyTable kZoneKeys{{"name", true}, {"kind", true}, {"cidr", true}};
const KeyTable kPerimeterKeys{{"vendor", true}, {"contexts"}, {"allow"}};
const KeyTable kAllowKeys{{"proto", true}, {"port", true}, {"to", true}, {"reason"}};
const KeyTable kSiteLinkKeys{{"a", true}, {"b", true}, {"protection", true}};
const KeyTable kDirectoryKeys{{"forests"}, {"controllers"}, {"security_group_update"}};
const KeyTable kForestKeys{{"name", true}, {"domains"}};
const KeyTable kDomainKeys{{"name", true}, {"mode"}, {"global_catalog"}};
const KeyTable kControllerKeys{
    {"name", true}, {"address", true}, {"domain", true}, {"site", true}, {"global_catalog"}};
const KeyTable kHostKeys{{"name", true}, {"site", true},  {"zone", true}, {"address", true},
                         {"dns_name"},   {"os"},          {"domain"},     {"ou"},
                         {"side"},       {"roles", true}, {"listeners"},  {"protection"},
                         {"certificate"}};
const KeyTable kListenerKeys{{"channel", true}, {"proto"}, {"port", true}, {"tls_port"}};
const KeyTable kProtectionKeys{{"host_firewall"}, {"ipsec"},        {"ipsec_boundary"},
                               {"antivirus"},     {"last_patched"}, {"sql_hardened"}};
const KeyTable kAntivirusKeys{{"installed", true},
                              {"definitions_age_days"},
                              {"on_access"},
                              {"scan_remote_drives"},
                              {"scheduled_window"}};
const KeyTable kCertificateKeys{{"path"}, {"fingerprint"}};
const KeyTable kChannelKeys{{"kind", true}, {"server", true}, {"client", true}, {"tls"},
                            {"legacy_tls"}, {"min_version"},  {"fallback"},     {"port"}};
const KeyTable kNatKeys{{"between", true}, {"fixups"}};
const KeyTable kEndpointKeys{
    {"name", true},      {"kind", true},     {"site", true},      {"zone", true},
    {"count", true},     {"srtp"},           {"device_security"}, {"pc_voice_vlan_access"},
    {"span_to_pc_port"}, {"gratuitous_arp"}, {"recording"}};
const KeyTable kMediaKeys{
    {"ivr"},    {"agent_codec"},       {"whisper_announcement"}, {"outbound_dialer"},
    {"anchor"}, {"vxml_remote_server"}};
const KeyTable kIvrKeys{{"platform", true}, {"codec"}};
const KeyTable kAnchorKeys{{"srtp_for"}};
const KeyTable kVxmlRemoteKeys{{"tls"}, {"auth"}};
const KeyTable kCollaborationKeys{
    {"host", true}, {"authentication"}, {"allowed_group"}, {"blocked_urls"}};
const KeyTable kAccountsKeys{{"service_accounts"}, {"users"}};
const KeyTable kServiceAccountKeys{{"name", true}, {"domain", true}, {"hosts"}, {"local_groups"}};
const KeyTable kUserKeys{{"name", true}, {"setup"}, {"config"}, {"local_groups"}, {"domain"}};
const KeyTable kWaiverKeys{
    {"rule", true}, {"target", true}, {"reason", true}, {"owner", true}, {"expires", true}};

constexpr std::array kSecurityModels{SecurityModel::kUnsecured, SecurityModel::kSignaling,
                                     SecurityModel::kAgentMedia, SecurityModel::kEndToEnd};
constexpr std::array kZoneKinds{ZoneKind::kDatacenter, ZoneKind::kDmz, ZoneKind::kCorporate,
                                ZoneKind::kAgent, ZoneKind::kExternal};
constexpr std::array kPhysical{PhysicalAccess::kControlled, PhysicalAccess::kUncontrolled};
constexpr std::array kVendors{PerimeterVendor::kAsa, PerimeterVendor::kNftables};
constexpr std::array kLinkProtections{LinkProtection::kIpsec, LinkProtection::kNone};
constexpr std::array kDomainModes{DomainMode::kNative, DomainMode::kMixed};
constexpr std::array kOses{Os::kWindows, Os::kVos, Os::kLinux};
constexpr std::array kIpsecModes{IpsecMode::kNone, IpsecMode::kIsolation, IpsecMode::kPeer};
constexpr std::array kOnAccess{OnAccessScan::kWrites, OnAccessScan::kAll, OnAccessScan::kOff};
constexpr std::array kEndpointKinds{EndpointKind::kIpPhone, EndpointKind::kSoftphone,
                                    EndpointKind::kMobileAgent};
constexpr std::array kDeviceSecurity{DeviceSecurity::kNone, DeviceSecurity::kAuthenticated,
                                     DeviceSecurity::kEncrypted};
constexpr std::array kRecordings{Recording::kDesktop, Recording::kNetwork, Recording::kNone};
constexpr std::array kIvrPlatforms{IvrPlatform::kVvb, IvrPlatform::kIosVxmlGateway};
constexpr std::array kCodecs{Codec::kG711Ulaw, Codec::kG711Alaw, Codec::kG729};
constexpr std::array kCollabAuths{CollabAuth::kActiveDirectory, CollabAuth::kLocal};
constexpr std::array kTransports{Transport::kTcp, Transport::kUdp};

// What a name refers to; resolved once every section is read.
enum class RefKind {
  kSite,
  kZone,        // any zone
  kZoneOfSite,  // a zone of `site`
  kHost,
  kHostOrController,
  kHostOrEndpoint,
  kHostZoneOrController,
  kDomain,
};

struct Ref {
  RefKind kind;
  std::string name;
  SourceLoc loc;
  std::string path;
  std::string site;  // for kZoneOfSite
};

bool isHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool validRuleId(const std::string& s) {
  // CCS-[A-Z]{2,3}-[0-9]{3}
  if (s.size() < 10 || s.size() > 11 || s.compare(0, 4, "CCS-") != 0) return false;
  std::size_t i = 4;
  std::size_t letters = 0;
  while (i < s.size() && std::isupper(static_cast<unsigned char>(s[i]))) ++i, ++letters;
  if (letters < 2 || letters > 3 || i >= s.size() || s[i] != '-') return false;
  ++i;
  if (s.size() - i != 3) return false;
  for (; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

bool validWindow(std::string_view s) {
  // HH:MM-HH:MM
  if (s.size() != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':') return false;
  auto two = [&](std::size_t at, int max) {
    if (!std::isdigit(static_cast<unsigned char>(s[at])) ||
        !std::isdigit(static_cast<unsigned char>(s[at + 1])))
      return false;
    return (s[at] - '0') * 10 + (s[at + 1] - '0') <= max;
  };
  return two(0, 23) && two(3, 59) && two(6, 23) && two(9, 59);
}

class Loader {
 public:
  Loader(Walker& w, const Catalog& catalog)
      : w_(w),
        catalog_(catalog),
        role_names_(catalog.roleNames()),
        channel_names_(catalog.channelNames()) {}

  void read(const Node& root) {
    auto f = w_.map(root, "", kRootKeys);
    if (!f) return;
    if (f->has("version")) {
      const Node v = (*f)["version"];
      if (!(v.IsScalar() && v.Scalar() == "1"))
        w_.error(v, "version", "expected 1 (the only schema version), found " + describe(v));
    }
    if (f->has("deployment")) readDeployment((*f)["deployment"]);
    eachItem(*f, "sites", [&](const Node& n, const std::string& p) { readSite(n, p); });
    eachItem(*f, "site_links", [&](const Node& n, const std::string& p) { readLink(n, p); });
    if (f->has("directory")) readDirectory((*f)["directory"]);
    eachItem(*f, "hosts", [&](const Node& n, const std::string& p) { readHost(n, p); });
    eachItem(*f, "channels", [&](const Node& n, const std::string& p) { readChannel(n, p); });
    eachItem(*f, "nat", [&](const Node& n, const std::string& p) { readNat(n, p); });
    eachItem(*f, "endpoints", [&](const Node& n, const std::string& p) { readEndpoint(n, p); });
    if (f->has("media")) readMedia((*f)["media"]);
    if (f->has("collaboration")) readCollaboration((*f)["collaboration"]);
    if (f->has("accounts")) readAccounts((*f)["accounts"]);
    eachItem(*f, "waivers", [&](const Node& n, const std::string& p) { readWaiver(n, p); });
    if (w_.aborted()) return;
    checkDuplicates();
    resolveRefs();
    checkAddresses();
    checkChannels();
    checkCollaborationHost();
  }

  Model takeModel() { return std::move(m_); }

 private:
  template <class Fn>
  void eachItem(const Fields& f, const std::string& path, Fn fn) {
    if (!f.has(path)) return;
    auto items = w_.seq(f[path], path);
    for (std::size_t i = 0; i < items.size() && !w_.aborted(); ++i)
      fn(items[i], indexPath(path, i));
  }

  void ref(RefKind kind, const Node& node, const std::string& path, const std::string& name,
           std::string site = {}) {
    refs_.push_back(Ref{kind, name, w_.loc(node), path, std::move(site)});
  }

  // Reads `key` as a string (if present) and records it as a reference.
  std::optional<std::string> refField(const Fields& f, const std::string& path, const char* key,
                                      RefKind kind, std::string site = {}) {
    if (!f.has(key)) return std::nullopt;
    auto s = w_.str(f[key], keyPath(path, key));
    if (s) ref(kind, f[key], keyPath(path, key), *s, std::move(site));
    return s;
  }

  std::optional<core::Date> date(const Node& n, const std::string& path) {
    if (!n.IsDefined()) return std::nullopt;  // missing required key: reported by map()
    if (!w_.visit(n)) return std::nullopt;
    if (n.IsScalar())
      if (auto d = core::Date::parse(n.Scalar())) return d;
    w_.error(n, path, "expected a date YYYY-MM-DD, found " + describe(n));
    return std::nullopt;
  }

  std::optional<core::IpAddress> address(const Node& n, const std::string& path) {
    if (!n.IsDefined()) return std::nullopt;  // missing required key: reported by map()
    if (!w_.visit(n)) return std::nullopt;
    if (n.IsScalar())
      if (auto a = core::IpAddress::parse(n.Scalar())) return a;
    w_.error(n, path, "expected an IPv4 or IPv6 address, found " + describe(n));
    return std::nullopt;
  }

  void readDeployment(const Node& n) {
    auto f = w_.map(n, "deployment", kDeploymentKeys);
    if (!f) return;
    auto& d = m_.deployment;
    d.loc = w_.loc(n);
    if (auto s = w_.str((*f)["name"], "deployment.name")) d.name = *s;
    if (f->has("security_model"))
      if (auto v =
              w_.enumeration((*f)["security_model"], "deployment.security_model", kSecurityModels))
        d.security_model = *v;
    if (f->has("tls_min_version"))
      if (auto v = w_.oneOf((*f)["tls_min_version"], "deployment.tls_min_version", {"1.2", "1.3"}))
        d.tls_min_version = *v;
    if (f->has("instance"))
      if (auto v = w_.integer((*f)["instance"], "deployment.instance", 0, 99))
        d.instance = static_cast<int>(*v);
    if (f->has("busy_hours")) {
      const Node bh = (*f)["busy_hours"];
      if (bh.IsScalar() && validWindow(bh.Scalar()) &&
          bh.Scalar().substr(0, 5) != bh.Scalar().substr(6))
        d.busy_hours = std::string(bh.Scalar());
      else
        w_.error(bh, "deployment.busy_hours",
                 "expected a non-empty time window HH:MM-HH:MM, found " + describe(bh));
    }
  }

  void readSite(const Node& n, const std::string& path) {
    auto f = w_.map(n, path, kSiteKeys);
    if (!f) return;
    Site s;
    s.loc = w_.loc(n);
    if (auto v = w_.str((*f)["name"], keyPath(path, "name"))) s.name = *v;
    if (f->has("physical_access"))
      if (auto v =
              w_.enumeration((*f)["physical_access"], keyPath(path, "physical_access"), kPhysical))
        s.physical_access = *v;
    std::string zp = keyPath(path, "zones");
    auto zones = w_.seq((*f)["zones"], zp);
    for (std::size_t i = 0; i < zones.size(); ++i) {
      std::string p = indexPath(zp, i);
      auto zf = w_.map(zones[i], p, kZoneKeys);
      if (!zf) continue;
      Zone z;
      z.loc = w_.loc(zones[i]);
      z.site = s.name;
      if (auto v = w_.str((*zf)["name"], keyPath(p, "name"))) z.name = *v;
      if (zf->has("kind"))
        if (auto v = w_.enumeration((*zf)["kind"], keyPath(p, "kind"), kZoneKinds)) z.kind = *v;
      if (zf->has("cidr")) {
        const Node c = (*zf)["cidr"];
        std::optional<core::Cidr> cidr;
        if (c.IsScalar()) cidr = core::Cidr::parse(c.Scalar());
        if (cidr) {
          z.cidr = *cidr;
        } else {
          w_.error(
              c, keyPath(p, "cidr"),
              "expected a CIDR prefix like 10.10.0.0/16 (no host bits set), found " + describe(c));
        }
      }
      zone_nodes_.push_back({z.loc, keyPath(p, "name")});
      s.zones.push_back(std::move(z));
    }
    if (f->has("perimeter")) {
      std::string pp = keyPath(path, "perimeter");
      if (auto pf = w_.map((*f)["perimeter"], pp, kPerimeterKeys)) {
        Perimeter per;
        per.loc = w_.loc((*f)["perimeter"]);
        if (auto v = w_.enumeration((*pf)["vendor"], keyPath(pp, "vendor"), kVendors))
          per.vendor = *v;
        per.contexts = w_.strList((*pf)["contexts"], keyPath(pp, "contexts"));
        std::string ap = keyPath(pp, "allow");
        auto allows = w_.seq((*pf)["allow"], ap);
        for (std::size_t i = 0; i < allows.size(); ++i) {
          std::string p = indexPath(ap, i);
          auto af = w_.map(allows[i], p, kAllowKeys);
          if (!af) continue;
          PerimeterAllow a;
          a.loc = w_.loc(allows[i]);
          if (auto v = w_.enumeration((*af)["proto"], keyPath(p, "proto"), kTransports))
            a.proto = *v;
          if (auto v = w_.port((*af)["port"], keyPath(p, "port"))) a.port = *v;
          if (auto v = refField(*af, p, "to", RefKind::kHost)) a.to = *v;
          if (af->has("reason"))
            if (auto v = w_.str((*af)["reason"], keyPath(p, "reason"))) a.reason = *v;
          per.allow.push_back(std::move(a));
        }
        s.perimeter = std::move(per);
      }
    }
    site_nodes_.push_back({s.loc, keyPath(path, "name")});
    m_.sites.push_back(std::move(s));
  }

  void readLink(const Node& n, const std::string& path) {
    auto f = w_.map(n, path, kSiteLinkKeys);
    if (!f) return;
    SiteLink l;
    l.loc = w_.loc(n);
    if (auto v = refField(*f, path, "a", RefKind::kSite)) l.a = *v;
    if (auto v = refField(*f, path, "b", RefKind::kSite)) l.b = *v;
    if (auto v = w_.enumeration((*f)["protection"], keyPath(path, "protection"), kLinkProtections))
      l.protection = *v;
    m_.site_links.push_back(std::move(l));
  }

  void readDirectory(const Node& n) {
    auto f = w_.map(n, "directory", kDirectoryKeys);
    if (!f) return;
    auto& d = m_.directory;
    d.loc = w_.loc(n);
    auto forests = w_.seq((*f)["forests"], "directory.forests");
    for (std::size_t i = 0; i < forests.size(); ++i) {
      std::string p = indexPath("directory.forests", i);
      auto ff = w_.map(forests[i], p, kForestKeys);
      if (!ff) continue;
      Forest fo;
      fo.loc = w_.loc(forests[i]);
      if (auto v = w_.str((*ff)["name"], keyPath(p, "name"))) fo.name = *v;
      std::string dp = keyPath(p, "domains");
      auto domains = w_.seq((*ff)["domains"], dp);
      for (std::size_t j = 0; j < domains.size(); ++j) {
        std::string q = indexPath(dp, j);
        auto df = w_.map(domains[j], q, kDomainKeys);
        if (!df) continue;
        DirectoryDomain dom;
        dom.loc = w_.loc(domains[j]);
        dom.forest = fo.name;
        if (auto v = w_.str((*df)["name"], keyPath(q, "name"))) dom.name = *v;
        if (df->has("mode"))
          if (auto v = w_.enumeration((*df)["mode"], keyPath(q, "mode"), kDomainModes))
            dom.mode = *v;
        if (df->has("global_catalog"))
          if (auto v = w_.boolean((*df)["global_catalog"], keyPath(q, "global_catalog")))
            dom.global_catalog = *v;
        domain_nodes_.push_back({dom.loc, keyPath(q, "name")});
        fo.domains.push_back(std::move(dom));
      }
      forest_nodes_.push_back({fo.loc, keyPath(p, "name")});
      d.forests.push_back(std::move(fo));
    }
    auto cs = w_.seq((*f)["controllers"], "directory.controllers");
    for (std::size_t i = 0; i < cs.size(); ++i) {
      std::string p = indexPath("directory.controllers", i);
      auto cf = w_.map(cs[i], p, kControllerKeys);
      if (!cf) continue;
      DomainController c;
      c.loc = w_.loc(cs[i]);
      if (auto v = w_.str((*cf)["name"], keyPath(p, "name"))) c.name = *v;
      if (cf->has("address"))
        if (auto v = address((*cf)["address"], keyPath(p, "address"))) {
          c.address = *v;
          controller_addr_.push_back(
              {m_.directory.controllers.size(), w_.loc((*cf)["address"]), keyPath(p, "address")});
        }
      if (auto v = refField(*cf, p, "domain", RefKind::kDomain)) c.domain = *v;
      if (auto v = refField(*cf, p, "site", RefKind::kSite)) c.site = *v;
      if (cf->has("global_catalog"))
        if (auto v = w_.boolean((*cf)["global_catalog"], keyPath(p, "global_catalog")))
          c.global_catalog = *v;
      controller_nodes_.push_back({c.loc, keyPath(p, "name")});
      d.controllers.push_back(std::move(c));
    }
    if (f->has("security_group_update"))
      if (auto v =
              w_.integer((*f)["security_group_update"], "directory.security_group_update", 0, 1))
        d.security_group_update = static_cast<int>(*v);
  }

  void readHost(const Node& n, const std::string& path) {
    auto f = w_.map(n, path, kHostKeys);
    if (!f) return;
    Host h;
    h.loc = w_.loc(n);
    if (auto v = w_.str((*f)["name"], keyPath(path, "name"))) h.name = *v;
    if (auto v = refField(*f, path, "site", RefKind::kSite)) h.site = *v;
    if (auto v = refField(*f, path, "zone", RefKind::kZoneOfSite, h.site)) h.zone = *v;
    bool have_addr = false;
    if (f->has("address"))
      if (auto v = address((*f)["address"], keyPath(path, "address"))) {
        h.address = *v;
        have_addr = true;
      }
    if (f->has("dns_name"))
      if (auto v = w_.str((*f)["dns_name"], keyPath(path, "dns_name"))) h.dns_name = *v;
    if (f->has("os"))
      if (auto v = w_.enumeration((*f)["os"], keyPath(path, "os"), kOses)) h.os = *v;
    if (auto v = refField(*f, path, "domain", RefKind::kDomain)) h.domain = *v;
    if (f->has("ou"))
      if (auto v = w_.str((*f)["ou"], keyPath(path, "ou"))) h.ou = *v;
    if (f->has("side"))
      if (auto v = w_.oneOf((*f)["side"], keyPath(path, "side"), {"a", "b"})) h.side = (*v)[0];
    std::string rp = keyPath(path, "roles");
    auto roles = w_.seq((*f)["roles"], rp);
    const auto& role_names = role_names_;
    for (std::size_t i = 0; i < roles.size(); ++i) {
      if (auto v = w_.oneOf(roles[i], indexPath(rp, i), role_names)) {
        if (!h.hasRole(*v))
          h.roles.push_back(*v);
        else if (!w_.full())
          w_.error(roles[i], indexPath(rp, i),
                   "expected each role once, found " + quote(*v) + " again");
      }
    }
    if (f->has("roles") && roles.empty() && (*f)["roles"].IsSequence())
      w_.error((*f)["roles"], rp, "expected at least one role, found an empty list");
    if (f->has("listeners")) {
      std::string lp = keyPath(path, "listeners");
      auto ls = w_.seq((*f)["listeners"], lp);
      if (!ls.empty() && !h.hasRole("custom"))
        w_.error((*f)["listeners"], lp,
                 "expected listeners only on a host with role \"custom\", found " +
                     std::to_string(ls.size()) + " listener(s)");
      const auto& channels = channel_names_;
      for (std::size_t i = 0; i < ls.size(); ++i) {
        std::string p = indexPath(lp, i);
        auto lf = w_.map(ls[i], p, kListenerKeys);
        if (!lf) continue;
        CustomListener l;
        l.loc = w_.loc(ls[i]);
        if (auto v = w_.oneOf((*lf)["channel"], keyPath(p, "channel"), channels)) l.channel = *v;
        if (lf->has("proto"))
          if (auto v = w_.enumeration((*lf)["proto"], keyPath(p, "proto"), kTransports))
            l.proto = *v;
        if (auto v = w_.port((*lf)["port"], keyPath(p, "port"))) l.port = *v;
        if (lf->has("tls_port"))
          if (auto v = w_.port((*lf)["tls_port"], keyPath(p, "tls_port"))) l.tls_port = *v;
        h.listeners.push_back(std::move(l));
      }
    }
    if (f->has("protection")) {
      const std::string pp = keyPath(path, "protection");
      readProtection((*f)["protection"], pp, h.protection);
      // Windows Network Isolation is Windows-only; VOS appliances have their own IPsec policies.
      if (h.os == Os::kVos && h.protection.ipsec == IpsecMode::kIsolation)
        w_.errorAt(last_ipsec_loc_, keyPath(pp, "ipsec"),
                   "expected none|peer on a vos host (the Network Isolation utility is "
                   "Windows-only; configure the appliance's own IPsec policies and use peer), "
                   "found \"isolation\"");
    }
    if (f->has("certificate")) {
      std::string cp = keyPath(path, "certificate");
      if (auto cf = w_.map((*f)["certificate"], cp, kCertificateKeys)) {
        CertificateRef c;
        c.loc = w_.loc((*f)["certificate"]);
        if (cf->has("path"))
          if (auto v = w_.str((*cf)["path"], keyPath(cp, "path"))) c.path = *v;
        if (cf->has("fingerprint")) {
          const Node fp = (*cf)["fingerprint"];
          bool ok = fp.IsScalar() && fp.Scalar().size() == 7 + 64 &&
                    fp.Scalar().compare(0, 7, "sha256:") == 0 &&
                    std::all_of(fp.Scalar().begin() + 7, fp.Scalar().end(), isHex);
          if (ok)
            c.fingerprint = fp.Scalar();
          else
            w_.error(fp, keyPath(cp, "fingerprint"),
                     "expected \"sha256:\" and 64 hex digits, found " + describe(fp));
        }
        if (cf->has("path") == cf->has("fingerprint"))
          w_.error((*f)["certificate"], cp,
                   "expected exactly one of path|fingerprint, found " +
                       std::string(cf->has("path") ? "both" : "neither"));
        h.certificate = std::move(c);
      }
    }
    if (have_addr)
      host_addr_.push_back({m_.hosts.size(), w_.loc((*f)["address"]), keyPath(path, "address")});
    host_nodes_.push_back({h.loc, keyPath(path, "name")});
    m_.hosts.push_back(std::move(h));
  }

  void readProtection(const Node& n, const std::string& path, Protection& p) {
    auto f = w_.map(n, path, kProtectionKeys);
    if (!f) return;
    p.loc = w_.loc(n);
    if (f->has("host_firewall"))
      if (auto v = w_.boolean((*f)["host_firewall"], keyPath(path, "host_firewall")))
        p.host_firewall = *v;
    if (f->has("ipsec")) {
      last_ipsec_loc_ = w_.loc((*f)["ipsec"]);
      if (auto v = w_.enumeration((*f)["ipsec"], keyPath(path, "ipsec"), kIpsecModes)) p.ipsec = *v;
    }
    if (f->has("ipsec_boundary")) {
      std::string bp = keyPath(path, "ipsec_boundary");
      auto items = w_.seq((*f)["ipsec_boundary"], bp);
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (auto v = w_.str(items[i], indexPath(bp, i))) {
          ref(RefKind::kHostZoneOrController, items[i], indexPath(bp, i), *v);
          p.ipsec_boundary.push_back(*v);
        }
      }
    }
    if (f->has("antivirus")) {
      std::string ap = keyPath(path, "antivirus");
      if (auto af = w_.map((*f)["antivirus"], ap, kAntivirusKeys)) {
        Antivirus a;
        a.loc = w_.loc((*f)["antivirus"]);
        if (auto v = w_.boolean((*af)["installed"], keyPath(ap, "installed"))) a.installed = *v;
        if (af->has("definitions_age_days"))
          if (auto v = w_.integer((*af)["definitions_age_days"],
                                  keyPath(ap, "definitions_age_days"), 0, 36500))
            a.definitions_age_days = static_cast<int>(*v);
        if (af->has("on_access"))
          if (auto v = w_.enumeration((*af)["on_access"], keyPath(ap, "on_access"), kOnAccess))
            a.on_access = *v;
        if (af->has("scan_remote_drives"))
          if (auto v = w_.boolean((*af)["scan_remote_drives"], keyPath(ap, "scan_remote_drives")))
            a.scan_remote_drives = *v;
        if (af->has("scheduled_window")) {
          const Node sw = (*af)["scheduled_window"];
          if (sw.IsScalar() && validWindow(sw.Scalar()))
            a.scheduled_window = std::string(sw.Scalar());
          else
            w_.error(sw, keyPath(ap, "scheduled_window"),
                     "expected a time window HH:MM-HH:MM, found " + describe(sw));
        }
        p.antivirus = std::move(a);
      }
    }
    if (f->has("last_patched"))
      if (auto v = date((*f)["last_patched"], keyPath(path, "last_patched"))) p.last_patched = *v;
    if (f->has("sql_hardened"))
      if (auto v = w_.boolean((*f)["sql_hardened"], keyPath(path, "sql_hardened")))
        p.sql_hardened = *v;
  }

  void readChannel(const Node& n, const std::string& path) {
    auto f = w_.map(n, path, kChannelKeys);
    if (!f) return;
    ChannelSpec c;
    c.loc = w_.loc(n);
    if (auto v = w_.oneOf((*f)["kind"], keyPath(path, "kind"), catalog_.channelNames()))
      c.kind = *v;
    if (auto v = refField(*f, path, "server", RefKind::kHostOrController)) c.server = *v;
    if (auto v = refField(*f, path, "client", RefKind::kHostOrEndpoint)) c.client = *v;
    auto flag = [&](const char* key, std::optional<bool>& out) {
      if (f->has(key))
        if (auto v = w_.boolean((*f)[key], keyPath(path, key))) out = *v;
    };
    flag("tls", c.tls);
    flag("legacy_tls", c.legacy_tls);
    flag("fallback", c.fallback);
    if (f->has("min_version"))
      if (auto v = w_.oneOf((*f)["min_version"], keyPath(path, "min_version"),
                            {"1.0", "1.1", "1.2", "1.3"}))
        c.min_version = *v;
    if (f->has("port"))
      if (auto v = w_.port((*f)["port"], keyPath(path, "port"))) c.port = *v;
    channel_nodes_.push_back(path);
    m_.channels.push_back(std::move(c));
  }

  void readNat(const Node& n, const std::string& path) {
    auto f = w_.map(n, path, kNatKeys);
    if (!f) return;
    NatRule r;
    r.loc = w_.loc(n);
    std::string bp = keyPath(path, "between");
    auto items = w_.seq((*f)["between"], bp);
    if ((*f)["between"].IsSequence() && items.size() != 2)
      w_.error((*f)["between"], bp,
               "expected two zone names, found " + std::to_string(items.size()));
    for (std::size_t i = 0; i < items.size(); ++i)
      if (auto v = w_.str(items[i], indexPath(bp, i))) {
        ref(RefKind::kZone, items[i], indexPath(bp, i), *v);
        r.between.push_back(*v);
      }
    r.fixups = w_.strList((*f)["fixups"], keyPath(path, "fixups"));
    m_.nat.push_back(std::move(r));
  }

  void readEndpoint(const Node& n, const std::string& path) {
    auto f = w_.map(n, path, kEndpointKeys);
    if (!f) return;
    EndpointGroup e;
    e.loc = w_.loc(n);
    if (auto v = w_.str((*f)["name"], keyPath(path, "name"))) e.name = *v;
    if (auto v = w_.enumeration((*f)["kind"], keyPath(path, "kind"), kEndpointKinds)) e.kind = *v;
    if (auto v = refField(*f, path, "site", RefKind::kSite)) e.site = *v;
    if (auto v = refField(*f, path, "zone", RefKind::kZoneOfSite, e.site)) e.zone = *v;
    if (auto v = w_.integer((*f)["count"], keyPath(path, "count"), 0, 10'000'000))
      e.count = static_cast<int>(*v);
    auto flag = [&](const char* key, std::optional<bool>& out) {
      if (f->has(key))
        if (auto v = w_.boolean((*f)[key], keyPath(path, key))) out = *v;
    };
    flag("srtp", e.srtp);
    flag("pc_voice_vlan_access", e.pc_voice_vlan_access);
    flag("span_to_pc_port", e.span_to_pc_port);
    flag("gratuitous_arp", e.gratuitous_arp);
    if (f->has("device_security"))
      if (auto v = w_.enumeration((*f)["device_security"], keyPath(path, "device_security"),
                                  kDeviceSecurity))
        e.device_security = *v;
    if (f->has("recording"))
      if (auto v = w_.enumeration((*f)["recording"], keyPath(path, "recording"), kRecordings))
        e.recording = *v;
    endpoint_nodes_.push_back({e.loc, keyPath(path, "name")});
    m_.endpoints.push_back(std::move(e));
  }

  void readMedia(const Node& n) {
    auto f = w_.map(n, "media", kMediaKeys);
    if (!f) return;
    Media m;
    m.loc = w_.loc(n);
    if (f->has("ivr")) {
      if (auto ivr = w_.map((*f)["ivr"], "media.ivr", kIvrKeys)) {
        if (auto v = w_.enumeration((*ivr)["platform"], "media.ivr.platform", kIvrPlatforms))
          m.ivr_platform = *v;
        if (ivr->has("codec"))
          if (auto v = w_.enumeration((*ivr)["codec"], "media.ivr.codec", kCodecs))
            m.ivr_codec = *v;
      }
    }
    if (f->has("agent_codec"))
      if (auto v = w_.enumeration((*f)["agent_codec"], "media.agent_codec", kCodecs))
        m.agent_codec = *v;
    if (f->has("whisper_announcement"))
      if (auto v = w_.boolean((*f)["whisper_announcement"], "media.whisper_announcement"))
        m.whisper_announcement = *v;
    if (f->has("outbound_dialer"))
      if (auto v = w_.boolean((*f)["outbound_dialer"], "media.outbound_dialer"))
        m.outbound_dialer = *v;
    if (f->has("anchor")) {
      if (auto a = w_.map((*f)["anchor"], "media.anchor", kAnchorKeys)) {
        auto items = w_.seq((*a)["srtp_for"], "media.anchor.srtp_for");
        for (std::size_t i = 0; i < items.size(); ++i)
          if (auto v = w_.oneOf(items[i], indexPath("media.anchor.srtp_for", i),
                                {"mobile-agent", "dialer", "ivr"}))
            m.anchor_srtp_for.push_back(*v);
      }
    }
    if (f->has("vxml_remote_server")) {
      m.vxml_remote_loc = w_.loc((*f)["vxml_remote_server"]);
      if (auto v =
              w_.map((*f)["vxml_remote_server"], "media.vxml_remote_server", kVxmlRemoteKeys)) {
        if (v->has("tls"))
          if (auto b = w_.boolean((*v)["tls"], "media.vxml_remote_server.tls"))
            m.vxml_remote_tls = *b;
        if (v->has("auth"))
          if (auto s = w_.oneOf((*v)["auth"], "media.vxml_remote_server.auth", {"basic", "none"}))
            m.vxml_remote_auth = *s;
      }
    }
    m_.media = std::move(m);
  }

  void readCollaboration(const Node& n) {
    auto f = w_.map(n, "collaboration", kCollaborationKeys);
    if (!f) return;
    Collaboration c;
    c.loc = w_.loc(n);
    if (auto v = refField(*f, "collaboration", "host", RefKind::kHost)) c.host = *v;
    collab_host_loc_ = w_.loc((*f)["host"]);
    if (f->has("authentication"))
      if (auto v =
              w_.enumeration((*f)["authentication"], "collaboration.authentication", kCollabAuths))
        c.authentication = *v;
    if (f->has("allowed_group"))
      if (auto v = w_.str((*f)["allowed_group"], "collaboration.allowed_group"))
        c.allowed_group = *v;
    c.blocked_urls = w_.strList((*f)["blocked_urls"], "collaboration.blocked_urls");
    m_.collaboration = std::move(c);
  }

  void readAccounts(const Node& n) {
    auto f = w_.map(n, "accounts", kAccountsKeys);
    if (!f) return;
    auto sas = w_.seq((*f)["service_accounts"], "accounts.service_accounts");
    for (std::size_t i = 0; i < sas.size(); ++i) {
      std::string p = indexPath("accounts.service_accounts", i);
      auto af = w_.map(sas[i], p, kServiceAccountKeys);
      if (!af) continue;
      ServiceAccount a;
      a.loc = w_.loc(sas[i]);
      if (auto v = w_.str((*af)["name"], keyPath(p, "name"))) a.name = *v;
      if (auto v = refField(*af, p, "domain", RefKind::kDomain)) a.domain = *v;
      std::string hp = keyPath(p, "hosts");
      auto hs = w_.seq((*af)["hosts"], hp);
      for (std::size_t j = 0; j < hs.size(); ++j)
        if (auto v = w_.str(hs[j], indexPath(hp, j))) {
          ref(RefKind::kHost, hs[j], indexPath(hp, j), *v);
          a.hosts.push_back(*v);
        }
      a.local_groups = w_.strList((*af)["local_groups"], keyPath(p, "local_groups"));
      account_nodes_.push_back({a.loc, keyPath(p, "name")});
      m_.service_accounts.push_back(std::move(a));
    }
    auto us = w_.seq((*f)["users"], "accounts.users");
    for (std::size_t i = 0; i < us.size(); ++i) {
      std::string p = indexPath("accounts.users", i);
      auto uf = w_.map(us[i], p, kUserKeys);
      if (!uf) continue;
      UserAccount u;
      u.loc = w_.loc(us[i]);
      if (auto v = w_.str((*uf)["name"], keyPath(p, "name"))) u.name = *v;
      if (uf->has("setup"))
        if (auto v = w_.boolean((*uf)["setup"], keyPath(p, "setup"))) u.setup = *v;
      if (uf->has("config"))
        if (auto v = w_.boolean((*uf)["config"], keyPath(p, "config"))) u.config = *v;
      u.local_groups = w_.strList((*uf)["local_groups"], keyPath(p, "local_groups"));
      if (auto v = refField(*uf, p, "domain", RefKind::kDomain)) u.domain = *v;
      user_nodes_.push_back({u.loc, keyPath(p, "name")});
      m_.users.push_back(std::move(u));
    }
  }

  void readWaiver(const Node& n, const std::string& path) {
    auto f = w_.map(n, path, kWaiverKeys);
    if (!f) return;
    Waiver wv;
    wv.loc = w_.loc(n);
    if (auto v = w_.str((*f)["rule"], keyPath(path, "rule"))) {
      if (validRuleId(*v))
        wv.rule = *v;
      else
        w_.error(
            (*f)["rule"], keyPath(path, "rule"),
            "expected a rule ID like CCS-TLS-002 (CCS-[A-Z]{2,3}-[0-9]{3}), found " + quote(*v));
    }
    if (auto v = w_.str((*f)["target"], keyPath(path, "target"))) wv.target = *v;
    if (auto v = w_.str((*f)["reason"], keyPath(path, "reason"))) wv.reason = *v;
    if (auto v = w_.str((*f)["owner"], keyPath(path, "owner"))) wv.owner = *v;
    if (f->has("expires"))
      if (auto v = date((*f)["expires"], keyPath(path, "expires"))) wv.expires = *v;
    m_.waivers.push_back(std::move(wv));
  }

  // ---- cross-checks --------------------------------------------------------------------

  struct NameNode {
    SourceLoc loc;
    std::string path;
  };

  template <class T>
  void unique(const std::vector<T>& items, const std::vector<NameNode>& nodes, const char* what,
              std::map<std::string, int>& first) {
    for (std::size_t i = 0; i < items.size() && i < nodes.size(); ++i) {
      const std::string& name = items[i].name;
      if (name.empty()) continue;
      auto [it, inserted] = first.emplace(name, nodes[i].loc.line);
      if (!inserted)
        w_.errorAt(nodes[i].loc, nodes[i].path,
                   std::string("expected a unique ") + what + " name, found " + quote(name) +
                       " again (first at line " + std::to_string(it->second) + ")");
    }
  }

  void checkDuplicates() {
    std::map<std::string, int> sites, zones, hosts, forests, domains, controllers, accounts, users;
    unique(m_.sites, site_nodes_, "site", sites);
    std::vector<Zone> all_zones;
    for (const auto& s : m_.sites)
      for (const auto& z : s.zones) all_zones.push_back(z);
    unique(all_zones, zone_nodes_, "zone", zones);
    // Hosts and endpoint groups share one namespace: a channel client may name either.
    unique(m_.hosts, host_nodes_, "host or endpoint group", hosts);
    unique(m_.endpoints, endpoint_nodes_, "host or endpoint group", hosts);
    unique(m_.directory.forests, forest_nodes_, "forest", forests);
    std::vector<DirectoryDomain> all_domains;
    for (const auto& f : m_.directory.forests)
      for (const auto& d : f.domains) all_domains.push_back(d);
    unique(all_domains, domain_nodes_, "domain", domains);
    unique(m_.directory.controllers, controller_nodes_, "domain controller", controllers);
    unique(m_.service_accounts, account_nodes_, "service account", accounts);
    unique(m_.users, user_nodes_, "user", users);
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (std::size_t i = 0; i < m_.channels.size(); ++i) {
      const auto& c = m_.channels[i];
      if (!seen.emplace(c.kind, c.server, c.client).second)
        w_.errorAt(c.loc, channel_nodes_[i],
                   "expected one entry per kind, server and client, found " +
                       quote(c.kind + ":" + c.server + "<-" + c.client) + " again");
    }
  }

  void unresolved(const Ref& r, const std::string& what, std::vector<std::string> candidates) {
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::string msg = "expected the name of " + what;
    if (!candidates.empty() && candidates.size() <= 12)
      msg += " (" + core::join(candidates, "|") + ")";
    msg += ", found " + quote(r.name);
    std::string hint = core::closestMatch(r.name, candidates);
    if (!hint.empty()) msg += " (did you mean " + quote(hint) + "?)";
    w_.errorAt(r.loc, r.path, std::move(msg));
  }

  void resolveRefs() {
    std::vector<std::string> sites, zones, hosts, endpoints, domains, controllers;
    for (const auto& s : m_.sites) {
      sites.push_back(s.name);
      for (const auto& z : s.zones) zones.push_back(z.name);
    }
    for (const auto& h : m_.hosts) hosts.push_back(h.name);
    for (const auto& e : m_.endpoints) endpoints.push_back(e.name);
    for (const auto& f : m_.directory.forests)
      for (const auto& d : f.domains) domains.push_back(d.name);
    for (const auto& c : m_.directory.controllers) controllers.push_back(c.name);
    std::map<const std::vector<std::string>*, std::set<std::string, std::less<>>> sets;
    for (const auto* v : {&sites, &zones, &hosts, &endpoints, &domains, &controllers})
      sets[v] = std::set<std::string, std::less<>>(v->begin(), v->end());
    auto has = [&sets](const std::vector<std::string>& v, const std::string& n) {
      auto it = sets.find(&v);
      if (it != sets.end()) return it->second.count(n) != 0;
      return std::find(v.begin(), v.end(), n) != v.end();
    };
    auto concat = [](std::vector<std::string> a, const std::vector<std::string>& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    std::map<std::string, std::string, std::less<>> zone_site;
    for (const auto& s : m_.sites)
      for (const auto& z : s.zones) zone_site.emplace(z.name, s.name);
    for (const auto& r : refs_) {
      switch (r.kind) {
        case RefKind::kSite:
          if (!has(sites, r.name)) unresolved(r, "a site", sites);
          break;
        case RefKind::kZone:
          if (!has(zones, r.name)) unresolved(r, "a zone", zones);
          break;
        case RefKind::kZoneOfSite: {
          auto z = zone_site.find(r.name);
          if (z != zone_site.end() && (z->second == r.site || !sets[&sites].count(r.site))) break;
          if (!sets[&sites].count(r.site)) {
            unresolved(r, "a zone", zones);
            break;
          }
          std::vector<std::string> own;
          for (const auto& s : m_.sites)
            if (s.name == r.site)
              for (const auto& zz : s.zones) own.push_back(zz.name);
          unresolved(r, "a zone of site " + quote(r.site), own);
          break;
        }
        case RefKind::kHost:
          if (!has(hosts, r.name)) unresolved(r, "a host", hosts);
          break;
        case RefKind::kHostOrController:
          if (!has(hosts, r.name) && !has(controllers, r.name))
            unresolved(r, "a host or domain controller", concat(hosts, controllers));
          break;
        case RefKind::kHostOrEndpoint:
          if (!has(hosts, r.name) && !has(endpoints, r.name))
            unresolved(r, "a host or endpoint group", concat(hosts, endpoints));
          break;
        case RefKind::kHostZoneOrController:
          if (!has(hosts, r.name) && !has(zones, r.name) && !has(controllers, r.name))
            unresolved(r, "a host, zone or domain controller",
                       concat(concat(hosts, zones), controllers));
          break;
        case RefKind::kDomain:
          if (!has(domains, r.name)) unresolved(r, "a directory domain", domains);
          break;
      }
    }
  }

  struct AddrRef {
    std::size_t index;
    SourceLoc loc;
    std::string path;
  };

  void checkAddresses() {
    std::map<std::string, const Zone*, std::less<>> zones;
    for (const auto& s : m_.sites)
      for (const auto& z : s.zones) zones.emplace(z.name, &z);
    auto zoneOf = [&](const std::string& name) -> const Zone* {
      auto it = zones.find(name);
      return it == zones.end() ? nullptr : it->second;
    };
    for (const auto& a : host_addr_) {
      const Host& h = m_.hosts[a.index];
      const Zone* z = zoneOf(h.zone);
      if (!z || z->site != h.site) continue;  // reported as a dangling reference
      if (!z->cidr.contains(h.address))
        w_.errorAt(a.loc, a.path,
                   "expected an address inside zone " + quote(z->name) + " (" + z->cidr.str() +
                       "), found " + h.address.str());
    }
    for (const auto& a : controller_addr_) {
      const DomainController& c = m_.directory.controllers[a.index];
      const Site* site = nullptr;
      for (const auto& s : m_.sites)
        if (s.name == c.site) site = &s;
      if (!site || site->zones.empty()) continue;
      bool inside = false;
      std::vector<std::string> desc;
      for (const auto& z : site->zones) {
        if (z.kind == ZoneKind::kExternal) continue;
        desc.push_back(z.name + " " + z.cidr.str());
        inside = inside || z.cidr.contains(c.address);
      }
      if (!inside && !desc.empty())
        w_.errorAt(a.loc, a.path,
                   "expected an address inside a zone of site " + quote(c.site) + " (" +
                       core::join(desc, ", ") + "), found " + c.address.str());
    }
  }

  // collaboration.host names the Customer Collaboration Platform: a host with role ccp.
  void checkCollaborationHost() {
    if (!m_.collaboration || m_.collaboration->host.empty()) return;
    for (const auto& h : m_.hosts) {
      if (h.name != m_.collaboration->host) continue;
      if (!h.hasRole("ccp"))
        w_.errorAt(collab_host_loc_, "collaboration.host",
                   "expected a host with role ccp, found " + quote(h.name) +
                       " (roles: " + core::join(h.roles, ", ") + ")");
      return;
    }
  }

  // A channels: entry without `port` must name a server that has a listener for its kind.
  void checkChannels() {
    std::map<std::string, const Host*, std::less<>> hosts;
    for (const auto& h : m_.hosts) hosts.emplace(h.name, &h);
    for (std::size_t i = 0; i < m_.channels.size(); ++i) {
      const auto& c = m_.channels[i];
      if (c.port || c.kind.empty()) continue;
      auto it = hosts.find(c.server);
      const Host* server = it == hosts.end() ? nullptr : it->second;
      if (!server) continue;  // a domain controller (directory) or reported as dangling
      bool listens = false;
      for (const auto& role : server->roles) {
        if (const RoleSpec* spec = catalog_.role(role))
          for (const auto& l : spec->listeners) listens = listens || l.channel == c.kind;
      }
      for (const auto& l : server->listeners) listens = listens || l.channel == c.kind;
      if (!listens)
        w_.errorAt(c.loc, keyPath(channel_nodes_[i], "port"),
                   "expected a port (host " + quote(c.server) + " has no listener for " +
                       quote(c.kind) + "), found none");
    }
  }

  Walker& w_;
  const Catalog& catalog_;
  const std::vector<std::string> role_names_, channel_names_;  // "did you mean" candidates
  Model m_;
  std::vector<Ref> refs_;
  std::vector<NameNode> site_nodes_, zone_nodes_, host_nodes_, endpoint_nodes_, forest_nodes_,
      domain_nodes_, controller_nodes_, account_nodes_, user_nodes_;
  std::vector<std::string> channel_nodes_;
  std::vector<AddrRef> host_addr_, controller_addr_;
  SourceLoc last_ipsec_loc_;   // protection.ipsec of the host being read
  SourceLoc collab_host_loc_;  // collaboration.host
};

LoadResult finish(Walker& w, std::optional<Model> model) {
  LoadResult r;
  r.diagnostics = std::move(w.diagnostics);
  yaml::sortDiagnostics(r.diagnostics, w.aborted());
  r.truncated = w.truncated;
  if (r.diagnostics.empty()) r.model = std::move(model);
  return r;
}

LoadResult single(const std::string& name, int line, int column, std::string key, std::string msg) {
  LoadResult r;
  Diagnostic d;
  d.file = name;
  d.line = line;
  d.column = column;
  d.key_path = std::move(key);
  d.message = std::move(msg);
  r.diagnostics.push_back(std::move(d));
  return r;
}

}  // namespace

LoadResult loadString(std::string_view yaml, const std::string& name, const Catalog& catalog) {
  return loadString(yaml, name, catalog, LoadLimits{});
}

LoadResult loadString(std::string_view yaml, const std::string& name, const Catalog& catalog,
                      const LoadLimits& limits) {
  if (auto bad = yaml::checkText(yaml, name, kMaxFileBytes, kMaxDepth)) {
    LoadResult r;
    r.diagnostics.push_back(std::move(*bad));
    return r;
  }
  yaml::Tree tree;
  try {
    tree = yaml::Tree::parse(yaml);
  } catch (const YAML::DeepRecursion& e) {
    return single(name, e.mark.line + 1, e.mark.column + 1, "(document)",
                  "expected nesting at most " + std::to_string(kMaxDepth) +
                      " levels deep, found deeper nesting");
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    int col = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    return single(name, line, col, "(document)",
                  "expected valid YAML, found a syntax error: " + e.msg);
  }
  const Node root = tree.root();
  if (!root.IsDefined() || root.IsNull())
    return single(
        name, 0, 0, "(document)",
        "expected an inventory (a mapping starting with \"version: 1\"), found an empty document");
  Walker w(name, limits.max_nodes + 2 * yaml.size());
  Loader loader(w, catalog);
  try {
    loader.read(root);
  } catch (const YAML::Exception& e) {
    // The tree throws only on misuse; keep the promise of "a diagnostic, never a crash".
    w.error(root, "(document)", std::string("expected a readable document, found: ") + e.what());
  }
  std::optional<Model> model;
  if (w.diagnostics.empty()) {
    model.emplace(loader.takeModel());
    model->source_file = name;
    model->buildIndexes();
  }
  return finish(w, std::move(model));
}

LoadResult loadFile(const std::string& path, const Catalog& catalog) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec)
    return single(path, 0, 0, "(document)", "expected a readable file, found " + ec.message());
  if (size > kMaxFileBytes)
    return single(path, 0, 0, "(document)",
                  "expected at most " + std::to_string(kMaxFileBytes) + " bytes, found " +
                      std::to_string(size) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in) return single(path, 0, 0, "(document)", "expected a readable file, found it unreadable");
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return loadString(text, path, catalog);
}

const std::vector<AcceptedKeys>& acceptedKeys() {
  static const std::vector<AcceptedKeys> keys = [] {
    const std::vector<std::pair<const char*, const KeyTable*>> tables{
        {"root", &kRootKeys},
        {"deployment", &kDeploymentKeys},
        {"site", &kSiteKeys},
        {"zone", &kZoneKeys},
        {"perimeter", &kPerimeterKeys},
        {"perimeter_allow", &kAllowKeys},
        {"site_link", &kSiteLinkKeys},
        {"directory", &kDirectoryKeys},
        {"forest", &kForestKeys},
        {"domain", &kDomainKeys},
        {"controller", &kControllerKeys},
        {"host", &kHostKeys},
        {"listener", &kListenerKeys},
        {"protection", &kProtectionKeys},
        {"antivirus", &kAntivirusKeys},
        {"certificate", &kCertificateKeys},
        {"channel", &kChannelKeys},
        {"nat", &kNatKeys},
        {"endpoint", &kEndpointKeys},
        {"media", &kMediaKeys},
        {"ivr", &kIvrKeys},
        {"anchor", &kAnchorKeys},
        {"vxml_remote_server", &kVxmlRemoteKeys},
        {"collaboration", &kCollaborationKeys},
        {"accounts", &kAccountsKeys},
        {"service_account", &kServiceAccountKeys},
        {"user", &kUserKeys},
        {"waiver", &kWaiverKeys},
    };
    std::vector<AcceptedKeys> out;
    for (const auto& [name, table] : tables) {
      AcceptedKeys a;
      a.object = name;
      for (const auto& k : *table) {
        a.keys.emplace_back(k.name);
        if (k.required) a.required.emplace_back(k.name);
      }
      out.push_back(std::move(a));
    }
    return out;
  }();
  return keys;
}

}  // namespace ccsec::inventory
