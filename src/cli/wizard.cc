#include "cli/wizard.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/command.h"
#include "cli/policy_args.h"
#include "core/ip.h"
#include "core/text.h"
#include "inventory/graph.h"
#include "inventory/loader.h"
#include "policy/engine.h"
#include "policy/output.h"
#include "render/bundle.h"
#include "render/policy_model.h"
#include "render/registry.h"

namespace ccsec::cli::wizard {
namespace {

namespace fs = std::filesystem;
using Validator = std::function<std::optional<std::string>(const std::string&)>;

std::string trim(std::string s) {
  auto sp = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && sp(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && sp(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::vector<std::string> splitList(const std::string& s, const std::string& seps) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (seps.find(c) != std::string::npos) {
      if (auto t = trim(cur); !t.empty()) out.push_back(t);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (auto t = trim(cur); !t.empty()) out.push_back(t);
  return out;
}

bool validName(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
  });
}

std::optional<std::string> nameError(const std::string& what, const std::string& s) {
  if (validName(s)) return std::nullopt;
  return what + " \"" + s + "\": expected 1-63 letters, digits, '-', '_' or '.'";
}

Validator oneOf(std::vector<std::string> choices) {
  return [choices](const std::string& v) -> std::optional<std::string> {
    if (std::find(choices.begin(), choices.end(), v) != choices.end()) return std::nullopt;
    std::string hint = core::closestMatch(v, choices);
    return "expected one of " + core::join(choices, "|") + ", found \"" + v + "\"" +
           (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)");
  };
}

const Validator kYesNo = oneOf({"yes", "no"});

bool validWindow(const std::string& s) {
  if (s.size() != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':') return false;
  auto two = [&](std::size_t at, int max) {
    return std::isdigit(static_cast<unsigned char>(s[at])) &&
           std::isdigit(static_cast<unsigned char>(s[at + 1])) &&
           (s[at] - '0') * 10 + (s[at + 1] - '0') <= max;
  };
  return two(0, 23) && two(3, 59) && two(6, 23) && two(9, 59) && s.substr(0, 5) != s.substr(6);
}

// OS a role runs on when the CSV does not say: the VOS appliances, ccsec's own components on
// Linux, Windows for the rest (the schema's default).
std::string defaultOs(const std::vector<std::string>& roles) {
  static const std::set<std::string> vos = {"cucm", "finesse",         "cuic",
                                            "vvb",  "ingress-gateway", "ios-vxml-gateway"};
  static const std::set<std::string> on_linux = {"media-anchor", "ccsec-store", "ccp"};
  for (const auto& r : roles)
    if (vos.count(r)) return "vos";
  for (const auto& r : roles)
    if (on_linux.count(r)) return "linux";
  return "windows";
}

std::string yamlQuote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o.push_back('\\');
    o.push_back(c);
  }
  return o + "\"";
}

// Every key the walk-through may ask; site keys are site.<name>.<one of kSiteKeys>.
const std::vector<std::string> kKeys = {
    "name",      "security_model", "tls_min_version", "busy_hours", "sites",
    "hosts_csv", "host_firewall",  "ipsec",           "site_link",  "sql_hardening",
    "out",       "overwrite",      "render",          "render_dir", "ca_subject"};
const std::vector<std::string> kSiteKeys = {"physical_access", "zones", "perimeter"};

class Asker {
 public:
  Asker(const Answers* answers, const Input& input, std::ostream& out, std::ostream& err)
      : answers_(answers), input_(input), out_(out), err_(err) {}

  bool scripted() const { return answers_ != nullptr; }

  /// The answer to `key`, validated; nullopt when a scripted answer is invalid or input ended.
  std::optional<std::string> ask(const std::string& key, const std::string& question,
                                 const std::string& def, const Validator& validate) {
    const std::string prompt = question + " [" + def + "]: ";
    if (scripted()) {
      std::string v = def;
      int line = 0;
      if (auto it = answers_->values.find(key); it != answers_->values.end()) {
        v = trim(it->second);
        line = answers_->lines.at(key);
        if (v.empty()) v = def;
      }
      out_ << prompt << v << "\n";
      if (auto e = validate(v)) {
        err_ << answers_->file << ":" << line << ": " << key << ": " << *e
             << (line == 0 ? " (the default; answer it in the file)" : "") << "\n";
        return std::nullopt;
      }
      return v;
    }
    for (;;) {
      auto line = input_(prompt);
      if (!line) {
        err_ << "\nccsec wizard: input ended before " << key << " was answered; nothing written\n";
        return std::nullopt;
      }
      std::string v = trim(*line);
      if (v.empty()) v = def;
      if (auto e = validate(v)) {
        out_ << "  ! " << *e << "\n";
        continue;
      }
      return v;
    }
  }

 private:
  const Answers* answers_;
  const Input& input_;
  std::ostream& out_;
  std::ostream& err_;
};

std::optional<std::string> zonesError(const std::string& v, std::set<std::string>& taken,
                                      std::vector<ZoneSpec>* out) {
  std::vector<ZoneSpec> zones;
  std::set<std::string> here;
  for (const auto& item : splitList(v, ",")) {
    auto parts = splitList(item, ":");
    if (parts.size() != 3 || item.find("::") != std::string::npos)
      return "zone \"" + item +
             "\": expected NAME:KIND:CIDR (e.g. east-dc:datacenter:10.10.0.0/16)";
    if (auto e = nameError("zone", parts[0])) return e;
    if (auto e = oneOf({"datacenter", "dmz", "corporate", "agent", "external"})(parts[1]))
      return "zone " + parts[0] + ": kind " + *e;
    if (!core::Cidr::parse(parts[2]))
      return "zone " + parts[0] + ": \"" + parts[2] +
             "\" is not a network prefix (host bits must be zero, e.g. 10.10.0.0/16)";
    if (taken.count(parts[0]) || here.count(parts[0]))
      return "zone name " + parts[0] + " is already used";
    here.insert(parts[0]);
    zones.push_back({parts[0], parts[1], core::Cidr::parse(parts[2])->str()});
  }
  if (zones.empty()) return "at least one zone is needed";
  if (out) {
    *out = std::move(zones);
    taken.insert(here.begin(), here.end());
  }
  return std::nullopt;
}

std::vector<std::string> csvFields(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      f.push_back(trim(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  f.push_back(trim(cur));
  return f;
}

}  // namespace

const char* securityModelHelp() {
  return "Security models (the design's deployment models 1-4):\n"
         "  unsecured    signaling and media in clear; zero impact on an existing solution;\n"
         "               ccsec check reports it (CCS-MED-007).\n"
         "  signaling    SIP over TLS for call setup: everything exchanged before audio is\n"
         "               heard is protected; media (RTP) stays in clear.\n"
         "  agent-media  signaling plus SRTP between caller and agent: agent phones must be\n"
         "               SRTP-capable; mobile agents cannot use SRTP; no SRTP while a call is on\n"
         "               the outbound dialer (unless ccsec media anchors those legs).\n"
         "  end-to-end   agent-media plus SRTP on the IVR leg: needs VVB (the IOS VXML gateway\n"
         "               has no SRTP); a G.711 IVR with G.729 agents cannot securely transcode\n"
         "               the whisper announcement (use a G.729 VVB for it).\n";
}

core::Result<Answers> loadAnswers(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::makeError("cannot read answers file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  Answers a;
  a.file = path;
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".yaml" || ext == ".yml") {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      return core::makeError(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (root.IsNull()) return a;
    if (!root.IsMap()) return core::makeError(path + ":1: expected a mapping of answers");
    for (const auto& kv : root) {
      const int line = kv.first.Mark().line + 1;
      const std::string key = kv.first.as<std::string>("");
      std::string value;
      if (kv.second.IsScalar()) {
        value = kv.second.Scalar();
      } else if (kv.second.IsSequence()) {
        std::vector<std::string> items;
        for (const auto& item : kv.second) {
          if (!item.IsScalar())
            return core::makeError(path + ":" + std::to_string(item.Mark().line + 1) + ": " + key +
                                   ": expected a scalar");
          items.push_back(item.Scalar());
        }
        value = core::join(items, ", ");
      } else if (!kv.second.IsNull()) {
        return core::makeError(path + ":" + std::to_string(line) + ": " + key +
                               ": expected a scalar or a list");
      }
      if (a.values.count(key))
        return core::makeError(path + ":" + std::to_string(line) + ": " + key + " answered twice");
      a.values[key] = value;
      a.lines[key] = line;
    }
    return a;
  }
  std::istringstream lines(text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto eq = t.find('=');
    if (eq == std::string::npos)
      return core::makeError(path + ":" + std::to_string(n) + ": expected key = value");
    const std::string key = trim(t.substr(0, eq));
    if (a.values.count(key))
      return core::makeError(path + ":" + std::to_string(n) + ": " + key + " answered twice");
    a.values[key] = trim(t.substr(eq + 1));
    a.lines[key] = n;
  }
  return a;
}

core::Result<std::vector<HostRow>> importHosts(const std::string& path,
                                               const std::vector<SiteSpec>& sites,
                                               const inventory::Catalog& catalog) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::makeError("cannot read " + path);
  std::vector<std::string> role_names;
  for (const auto& r : catalog.roles()) role_names.push_back(r.name);
  std::vector<HostRow> rows;
  std::vector<std::string> errors;
  std::set<std::string> names;
  std::string line;
  bool first = true;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto f = csvFields(t);
    if (first && !f.empty() && f[0] == "name") {
      first = false;
      continue;  // header
    }
    first = false;
    auto bad = [&](const std::string& msg) {
      errors.push_back(path + ":" + std::to_string(n) + ": " + msg);
    };
    if (f.size() < 3 || f.size() > 5) {
      bad("expected name,address,roles[,os[,side]], found " + std::to_string(f.size()) + " fields");
      continue;
    }
    HostRow h;
    h.line = n;
    h.name = f[0];
    if (auto e = nameError("host name", h.name)) {
      bad(*e);
      continue;
    }
    if (!names.insert(h.name).second) {
      bad("host " + h.name + " is listed twice");
      continue;
    }
    auto addr = core::IpAddress::parse(f[1]);
    if (!addr) {
      bad("host " + h.name + ": \"" + f[1] + "\" is not an IP address");
      continue;
    }
    h.address = addr->str();
    bool roles_ok = true;
    for (const auto& r : splitList(f[2], "; ")) {
      if (catalog.role(r) == nullptr) {
        std::string hint = core::closestMatch(r, role_names);
        bad("host " + h.name + ": unknown role \"" + r + "\"" +
            (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
        roles_ok = false;
      } else if (r == "custom") {
        bad("host " + h.name +
            ": role custom needs listeners; add that host to the inventory by hand");
        roles_ok = false;
      } else {
        h.roles.push_back(r);
      }
    }
    if (!roles_ok) continue;
    if (h.roles.empty()) {
      bad("host " + h.name + ": no roles");
      continue;
    }
    h.os = f.size() > 3 && !f[3].empty() ? f[3] : defaultOs(h.roles);
    if (auto e = oneOf({"windows", "linux", "vos"})(h.os)) {
      bad("host " + h.name + ": os " + *e);
      continue;
    }
    if (f.size() > 4 && !f[4].empty()) {
      h.side = f[4];
      if (h.side != "a" && h.side != "b") {
        bad("host " + h.name + ": side must be a or b, found \"" + h.side + "\"");
        continue;
      }
    }
    int best = -1;
    for (const auto& s : sites)
      for (const auto& z : s.zones) {
        if (z.kind == "external") continue;
        auto c = core::Cidr::parse(z.cidr);
        if (c && c->contains(*addr) && c->prefix() > best) {
          best = c->prefix();
          h.site = s.name;
          h.zone = z.name;
        }
      }
    if (best < 0) {
      std::vector<std::string> zs;
      for (const auto& s : sites)
        for (const auto& z : s.zones)
          if (z.kind != "external") zs.push_back(z.name + " " + z.cidr);
      bad("host " + h.name + ": address " + h.address + " is in no zone (" + core::join(zs, ", ") +
          ")");
      continue;
    }
    rows.push_back(std::move(h));
  }
  if (!errors.empty())
    return core::makeError(std::to_string(errors.size()) + " bad host row(s) in " + path,
                           core::join(errors, "\n"));
  if (rows.empty()) return core::makeError(path + ": no hosts");
  return rows;
}

std::string inventoryYaml(const Plan& p,
                          const std::map<std::string, std::vector<std::string>>& boundaries) {
  const auto& catalog = inventory::Catalog::builtin();
  std::string o = "# Written by ccsec wizard (docs/wizard.md); review it, then ccsec check it.\n";
  o += "version: 1\ndeployment:\n";
  o += "  name: " + yamlQuote(p.name) + "\n";
  o += "  security_model: " + p.security_model + "\n";
  o += "  tls_min_version: \"" + p.tls_min_version + "\"\n";
  o += "  busy_hours: \"" + p.busy_hours + "\"\n";
  o += "sites:\n";
  for (const auto& s : p.sites) {
    o += "  - name: " + s.name + "\n";
    o += "    physical_access: " + s.physical_access + "\n";
    o += "    zones:\n";
    for (const auto& z : s.zones)
      o += "      - {name: " + z.name + ", kind: " + z.kind + ", cidr: " + z.cidr + "}\n";
    if (s.perimeter != "none") o += "    perimeter: {vendor: " + s.perimeter + "}\n";
  }
  if (p.sites.size() > 1) {
    o += "site_links:\n";
    for (std::size_t i = 0; i < p.sites.size(); ++i)
      for (std::size_t j = i + 1; j < p.sites.size(); ++j)
        o += "  - {a: " + p.sites[i].name + ", b: " + p.sites[j].name +
             ", protection: " + p.site_link + "}\n";
  }
  o += "hosts:\n";
  for (const auto& h : p.hosts) {
    o += "  - name: " + h.name + "\n";
    o += "    site: " + h.site + "\n";
    o += "    zone: " + h.zone + "\n";
    o += "    address: " + h.address + "\n";
    o += "    os: " + h.os + "\n";
    if (!h.side.empty()) o += "    side: " + h.side + "\n";
    o += "    roles: [" + core::join(h.roles, ", ") + "]\n";
    if (h.os == "vos") continue;
    bool core_role = false;
    for (const auto& r : h.roles)
      if (const auto* spec = catalog.role(r); spec && spec->core) core_role = true;
    std::vector<std::string> prot;
    if (p.host_firewall) prot.push_back("host_firewall: true");
    // IPsec for core hosts: Windows Network Isolation (the design's utility) or peer mode.
    const bool ipsec = core_role && p.ipsec != "none" && h.os == "windows";
    if (ipsec) prot.push_back("ipsec: " + p.ipsec);
    if (auto it = boundaries.find(h.name); ipsec && it != boundaries.end() && !it->second.empty())
      prot.push_back("ipsec_boundary: [" + core::join(it->second, ", ") + "]");
    if (!prot.empty()) o += "    protection: {" + core::join(prot, ", ") + "}\n";
  }
  return o;
}

int run(const Options& opts, const Input& input, std::ostream& out, std::ostream& err) {
  const auto& catalog = inventory::Catalog::builtin();
  std::optional<Answers> answers;
  if (!opts.answers_file.empty()) {
    auto a = loadAnswers(opts.answers_file);
    if (!a) {
      err << "ccsec wizard: " << a.error().message << "\n";
      return kExitUsage;
    }
    answers = std::move(*a);
    // Unknown keys first: a typo must not silently fall back to a default.
    std::vector<std::string> all = kKeys;
    for (const auto& [key, value] : answers->values) {
      (void)value;
      if (std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end()) continue;
      const auto dot = key.rfind('.');
      if (key.rfind("site.", 0) == 0 && dot > 5 &&
          std::find(kSiteKeys.begin(), kSiteKeys.end(), key.substr(dot + 1)) != kSiteKeys.end())
        continue;
      std::string hint = core::closestMatch(key, all);
      err << answers->file << ":" << answers->lines.at(key) << ": unknown answer key \"" << key
          << "\"" << (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)")
          << "; keys: " << core::join(kKeys, ", ") << ", site.<SITE>.{"
          << core::join(kSiteKeys, ",") << "}\n";
      return kExitUsage;
    }
  }
  Asker ask(answers ? &*answers : nullptr, input, out, err);
  Plan p;
  out << "ccsec wizard: a deployment inventory in a few questions. Enter accepts [the "
         "default].\n\n";

  auto v = ask.ask("name", "Deployment name", p.name,
                   [](const std::string& s) { return nameError("deployment name", s); });
  if (!v) return kExitUsage;
  p.name = *v;

  out << "\n" << securityModelHelp();
  if (!(v = ask.ask("security_model", "Security model", p.security_model,
                    oneOf({"unsecured", "signaling", "agent-media", "end-to-end"}))))
    return kExitUsage;
  p.security_model = *v;
  if (!(v = ask.ask("tls_min_version", "Minimum TLS version", p.tls_min_version,
                    oneOf({"1.2", "1.3"}))))
    return kExitUsage;
  p.tls_min_version = *v;
  if (!(v = ask.ask("busy_hours", "Busy hours (scans are scheduled outside them), HH:MM-HH:MM",
                    p.busy_hours, [](const std::string& s) -> std::optional<std::string> {
                      if (validWindow(s)) return std::nullopt;
                      return "expected a non-empty window HH:MM-HH:MM, found \"" + s + "\"";
                    })))
    return kExitUsage;
  p.busy_hours = *v;

  out << "\nSites and zones. A zone is NAME:KIND:CIDR; kinds: datacenter (core servers), dmz,\n"
         "corporate, agent, external. Core servers belong in datacenter zones (CCS-NET-002).\n";
  if (!(v = ask.ask("sites", "Site names, comma separated", "main",
                    [](const std::string& s) -> std::optional<std::string> {
                      auto names = splitList(s, ", ");
                      if (names.empty()) return "at least one site is needed";
                      std::set<std::string> seen;
                      for (const auto& n : names) {
                        if (auto e = nameError("site", n)) return e;
                        if (!seen.insert(n).second) return "site " + n + " is listed twice";
                      }
                      return std::nullopt;
                    })))
    return kExitUsage;
  std::set<std::string> zone_names;
  int index = 0;
  for (const auto& name : splitList(*v, ", ")) {
    SiteSpec s;
    s.name = name;
    const std::string k = "site." + name + ".";
    if (!(v = ask.ask(k + "physical_access", "Site " + name + ": physical access",
                      s.physical_access, oneOf({"controlled", "uncontrolled"}))))
      return kExitUsage;
    s.physical_access = *v;
    const std::string def = name + "-dc:datacenter:10." + std::to_string(10 + 2 * index) +
                            ".0.0/16, " + name + "-agents:agent:10." +
                            std::to_string(11 + 2 * index) + ".0.0/16";
    if (!(v = ask.ask(k + "zones", "Site " + name + ": zones", def,
                      [&](const std::string& z) { return zonesError(z, zone_names, nullptr); })))
      return kExitUsage;
    zonesError(*v, zone_names, &s.zones);
    if (!(v = ask.ask(k + "perimeter", "Site " + name + ": perimeter firewall (none|nftables|asa)",
                      s.perimeter, oneOf({"none", "nftables", "asa"}))))
      return kExitUsage;
    s.perimeter = *v;
    p.sites.push_back(std::move(s));
    ++index;
  }

  out << "\nHosts come from a CSV file: name,address,roles[,os[,side]] per line (roles separated\n"
         "by ';'), e.g. rgr-a,10.10.1.10,router;logger,windows,a. The address picks the zone.\n";
  if (!(v = ask.ask("hosts_csv", "Host CSV file", "hosts.csv",
                    [&](const std::string& path) -> std::optional<std::string> {
                      auto rows = importHosts(path, p.sites, catalog);
                      if (rows) {
                        p.hosts = std::move(*rows);
                        return std::nullopt;
                      }
                      return rows.error().message +
                             (rows.error().detail.empty() ? "" : ":\n" + rows.error().detail);
                    })))
    return kExitUsage;
  out << "  imported " << p.hosts.size() << " host(s)\n";

  out << "\nFirewall and isolation.\n"
         "  Host firewalls: inbound blocked except the derived channels (render: nftables,\n"
         "  windows-firewall).\n";
  if (!(v = ask.ask("host_firewall", "Host firewall on every server (yes|no)", "yes", kYesNo)))
    return kExitUsage;
  p.host_firewall = *v == "yes";
  out << "  IPsec for the Windows core servers:\n"
         "    isolation  Network Isolation: core servers accept each other only over IPsec;\n"
         "               domain controllers and non-isolated peers become boundaries (listed\n"
         "               for you); costs scalability on hosts with many agents (CCS-IPS-004).\n"
         "    peer       IPsec only on the edges you list under channels: (edit later).\n"
         "    none       TLS only: plaintext core links (DMP, private) are reported\n"
         "               (CCS-IPS-001, CCS-IPS-002).\n";
  if (!(v = ask.ask("ipsec", "IPsec for core servers (isolation|peer|none)", p.ipsec,
                    oneOf({"isolation", "peer", "none"}))))
    return kExitUsage;
  p.ipsec = *v;
  if (p.sites.size() > 1) {
    if (!(v = ask.ask("site_link", "Links between sites (ipsec|none)", p.site_link,
                      oneOf({"ipsec", "none"}))))
      return kExitUsage;
    p.site_link = *v;
  }

  std::vector<std::string> sql_hosts;
  for (const auto& h : p.hosts) {
    bool sql = false;
    for (const auto& r : h.roles)
      if (const auto* spec = catalog.role(r); spec && spec->sql) sql = true;
    if (sql) sql_hosts.push_back(h.name);
  }
  out << "\nSQL Server hardening (Windows authentication only, sa disabled and renamed,\n"
         "xp_cmdshell off, forced encryption, named pipes off, failed-login audit) for the\n"
         "database hosts: "
      << (sql_hosts.empty() ? "(none)" : core::join(sql_hosts, ", ")) << "\n";
  if (!(v = ask.ask("sql_hardening", "Render the SQL Server hardening (yes|no)", "yes", kYesNo)))
    return kExitUsage;
  p.sql_hardening = *v == "yes";

  // The inventory: a first pass to derive the graph, then the isolation boundaries.
  std::string path = opts.out;
  for (;;) {
    if (path.empty()) {
      if (!(v = ask.ask("out", "Write the inventory to", "inventory.yaml",
                        [](const std::string& s) -> std::optional<std::string> {
                          if (s.empty()) return "a file name is needed";
                          return std::nullopt;
                        })))
        return kExitUsage;
      path = *v;
    }
    if (!fs::exists(path)) break;
    if (!(v = ask.ask("overwrite", path + " exists; overwrite it (yes|no)",
                      opts.assume_yes ? "yes" : "no", kYesNo)))
      return kExitUsage;
    if (*v == "yes") break;
    if (ask.scripted() || !opts.out.empty()) {
      err << "ccsec wizard: " << path << " exists and overwrite is not yes; nothing written\n";
      return kExitUsage;
    }
    path.clear();
  }

  std::map<std::string, std::vector<std::string>> boundaries;
  std::string yaml = inventoryYaml(p, boundaries);
  auto loaded = inventory::loadString(yaml, path, catalog);
  if (!loaded.ok()) {
    err << "ccsec wizard: internal error, the generated inventory does not load:\n";
    for (const auto& d : loaded.diagnostics) err << d.str() << "\n";
    return kExitRuntime;
  }
  if (p.ipsec == "isolation") {
    auto graph = inventory::deriveGraph(*loaded.model, catalog);
    auto isolated = [&](const std::string& n) {
      const auto* h = loaded.model->findHost(n);
      return h != nullptr && h->protection.ipsec == inventory::IpsecMode::kIsolation;
    };
    for (const auto& e : graph.edges) {
      if (e.client_is_endpoint) continue;
      for (const auto& [self, peer] :
           {std::pair{e.server, e.client}, std::pair{e.client, e.server}}) {
        const auto* ph = loaded.model->findHost(peer);
        if (!isolated(self) || ph == nullptr || isolated(peer) || ph->hasRole("domain-controller"))
          continue;
        auto& b = boundaries[self];
        if (std::find(b.begin(), b.end(), peer) == b.end()) b.push_back(peer);
      }
    }
    for (auto& [h, b] : boundaries) std::sort(b.begin(), b.end());
    yaml = inventoryYaml(p, boundaries);
    loaded = inventory::loadString(yaml, path, catalog);
    if (!loaded.ok()) {
      err << "ccsec wizard: internal error, the generated inventory does not load:\n";
      for (const auto& d : loaded.diagnostics) err << d.str() << "\n";
      return kExitRuntime;
    }
  }
  {
    const std::string tmp = path + ".tmp";
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << yaml;
    f.close();
    std::error_code ec;
    if (!f || (fs::rename(tmp, path, ec), ec)) {
      err << "ccsec wizard: cannot write " << path << "\n";
      return kExitRuntime;
    }
  }
  out << "\nwrote " << path << " (" << p.sites.size() << " site(s), " << p.hosts.size()
      << " host(s))\n";

  // ccsec check on what was written, with the defaults `ccsec check` uses.
  auto popts = parsePolicyOptions("", {});
  if (!popts) return kExitUsage;
  policy::Report report = policy::checkReport(*loaded.model, catalog, *popts);
  std::map<std::string, int> by;
  for (const auto& f : report.findings) ++by[std::string(policy::toString(f.severity))];
  out << "\nccsec check " << path << ": " << report.findings.size() << " finding(s)";
  if (!by.empty()) {
    std::vector<std::string> parts;
    for (const char* s : {"critical", "high", "medium", "low", "info"})
      if (by.count(s)) parts.push_back(std::to_string(by[s]) + " " + s);
    out << " (" << core::join(parts, ", ") << ")";
  }
  out << "\n";
  for (const auto& f : report.findings)
    if (!f.waived)
      out << "  " << f.rule << " " << policy::toString(f.severity) << " " << f.target << "\n";

  if (!(v = ask.ask("render", "Render the enforcement bundle now (yes|no)", "yes", kYesNo)))
    return kExitUsage;
  if (*v == "no") {
    out << "done. Later: ccsec render " << path << " --out bundle\n";
    return kExitClean;
  }
  std::string dir;
  if (!(v = ask.ask("render_dir", "Bundle directory", "bundle",
                    [](const std::string& s) -> std::optional<std::string> {
                      if (s.empty()) return "a directory is needed";
                      return std::nullopt;
                    })))
    return kExitUsage;
  dir = *v;
  render::RenderOptions ro;
  bool windows_ipsec = false;
  for (const auto& h : loaded.model->hosts)
    windows_ipsec = windows_ipsec || (h.os == inventory::Os::kWindows &&
                                      h.protection.ipsec != inventory::IpsecMode::kNone);
  if (windows_ipsec) {
    if (!(v = ask.ask("ca_subject", "Issuing CA of the hosts' IPsec certificates (ccsec pki's)",
                      "CN=ccsec CA", [](const std::string& s) -> std::optional<std::string> {
                        if (s.find('=') == std::string::npos)
                          return "expected a distinguished name such as CN=ccsec CA";
                        return std::nullopt;
                      })))
      return kExitUsage;
    ro.ca_subject = *v;
  }
  std::vector<std::string> targets;
  for (const auto* g : render::allGenerators())
    if (p.sql_hardening || g->name() != "sql-server") targets.emplace_back(g->name());
  auto graph = inventory::deriveGraph(*loaded.model, catalog);
  auto policy = render::buildPolicy(*loaded.model, catalog, graph);
  auto bundle = render::renderBundle(*loaded.model, catalog, graph, policy, targets, ro);
  if (!bundle) {
    err << "ccsec wizard: render: " << bundle.error().message << "\n"
        << bundle.error().detail << "\n";
    return kExitUsage;
  }
  if (auto w = render::writeBundle(*bundle, dir); !w) {
    err << "ccsec wizard: render: " << w.error().message << "\n";
    return kExitRuntime;
  }
  out << "rendered " << bundle->files.size() << " files to " << dir << "\n";
  return kExitClean;
}

}  // namespace ccsec::cli::wizard
