#include "report/graph_dot.h"

#include <fmt/format.h>

#include <map>
#include <sstream>

namespace ccsec::report {

std::string portText(const inventory::Edge& e) {
  if (e.port == 0) return "-";
  std::string s = std::to_string(e.port);
  if (e.port_end != e.port) s += "-" + std::to_string(e.port_end);
  return s;
}

std::string protectionText(const inventory::Edge& e) {
  std::vector<std::string> parts;
  if (e.tls) parts.push_back("tls" + e.min_version + (e.legacy_tls ? "(legacy)" : ""));
  if (e.ipsec) parts.push_back("ipsec");
  if (e.fallback) parts.push_back("fallback");
  if (parts.empty()) return "plaintext";
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "+") + p;
  return s;
}

Protection protectionOf(const inventory::Edge& e) {
  if (e.tls && e.ipsec) return Protection::kBoth;
  if (e.tls) return Protection::kTls;
  if (e.ipsec) return Protection::kIpsec;
  return Protection::kPlaintext;
}

const char* toString(Protection p) {
  switch (p) {
    case Protection::kBoth:
      return "tls+ipsec";
    case Protection::kTls:
      return "tls";
    case Protection::kIpsec:
      return "ipsec";
    case Protection::kPlaintext:
      return "plaintext";
  }
  return "plaintext";
}

const char* colourOf(Protection p) {
  switch (p) {
    case Protection::kBoth:
      return "#6a1b9a";
    case Protection::kTls:
      return "#2e7d32";
    case Protection::kIpsec:
      return "#1565c0";
    case Protection::kPlaintext:
      return "#c62828";
  }
  return "#c62828";
}

namespace {

// A DOT string literal: quotes and backslashes escaped; newlines dropped. Graphviz writes the
// text XML-escaped into the SVG.
std::string dotId(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n' || c == '\r') continue;
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string plainDot(const inventory::Model& m, const inventory::ChannelGraph& g) {
  std::ostringstream out;
  out << "digraph ccsec {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
  for (const auto& h : m.hosts) out << "  " << dotId(h.name) << " [shape=box];\n";
  for (const auto& e : m.endpoints) out << "  " << dotId(e.name) << " [shape=ellipse];\n";
  for (const auto& c : m.directory.controllers)
    if (!m.findHost(c.name)) out << "  " << dotId(c.name) << " [shape=box, style=dashed];\n";
  for (const auto& e : g.edges) {
    std::string label = e.kind + " " + portText(e) + " " + protectionText(e);
    std::string style = (e.tls || e.ipsec) ? "solid" : "dashed";
    out << "  " << dotId(e.client) << " -> " << dotId(e.server) << " [label=" << dotId(label)
        << ", style=" << style << (e.personal_data ? ", color=red" : "") << "];\n";
  }
  out << "}\n";
  return out.str();
}

std::string topologyDot(const inventory::Model& m, const inventory::ChannelGraph& g,
                        const std::vector<policy::Finding>& findings) {
  // Unwaived findings per target name.
  std::map<std::string, int, std::less<>> marks;
  for (const auto& f : findings)
    if (!f.waived) ++marks[f.target];
  auto marked = [&](const std::string& name) {
    auto it = marks.find(name);
    return it == marks.end() ? 0 : it->second;
  };
  std::ostringstream out;
  out << "digraph topology {\n"
         "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=11, nodesep=0.12, ranksep=1.2,"
         " newrank=true, bgcolor=\"transparent\"];\n"
         "  node [fontname=\"Helvetica\", fontsize=9, shape=box, style=\"rounded,filled\","
         " fillcolor=\"#ffffff\", color=\"#607d8b\", height=0.3];\n"
         "  edge [arrowsize=0.4, penwidth=0.8];\n";
  auto node = [&](std::ostream& o, const std::string& id, const std::string& name,
                  const std::string& detail, const char* shape, bool dashed) {
    const int n = marked(name);
    std::string label = n > 0 ? fmt::format("{} ⚠{}", name, n) : name;
    o << "      " << dotId(name) << " [id=" << dotId(id) << ", label=" << dotId(label)
      << ", tooltip=" << dotId(detail) << ", shape=" << shape;
    if (n > 0) o << ", color=\"#c62828\", penwidth=2.2, fillcolor=\"#ffebee\"";
    if (dashed) o << ", style=\"rounded,dashed\"";
    o << "];\n";
  };
  int site_n = 0;
  for (const auto& site : m.sites) {
    out << "  subgraph " << dotId("cluster_site_" + std::to_string(site_n)) << " {\n"
        << "    label=" << dotId("site " + site.name)
        << "; style=\"rounded\"; color=\"#90a4ae\";\n";
    int zone_n = 0;
    for (const auto& zone : site.zones) {
      std::ostringstream body;
      bool any = false;
      for (std::size_t i = 0; i < m.hosts.size(); ++i) {
        const auto& h = m.hosts[i];
        if (h.site != site.name || h.zone != zone.name) continue;
        any = true;
        std::string roles;
        for (const auto& r : h.roles) roles += (roles.empty() ? "" : ", ") + r;
        node(body, "host-" + std::to_string(i), h.name, h.address.str() + " — " + roles, "box",
             false);
      }
      for (std::size_t i = 0; i < m.endpoints.size(); ++i) {
        const auto& e = m.endpoints[i];
        if (e.site != site.name || e.zone != zone.name) continue;
        any = true;
        node(body, "group-" + std::to_string(i), e.name,
             fmt::format("{} {}", e.count, inventory::toString(e.kind)), "ellipse", false);
      }
      if (any) {
        out << "    subgraph "
            << dotId("cluster_zone_" + std::to_string(site_n) + "_" + std::to_string(zone_n))
            << " {\n      label=" << dotId(zone.name + " (" + inventory::toString(zone.kind) + ")")
            << "; style=\"rounded,filled\"; fillcolor=\""
            << (zone.kind == inventory::ZoneKind::kDmz        ? "#fff8e1"
                : zone.kind == inventory::ZoneKind::kExternal ? "#fce4ec"
                                                              : "#f5f7f8")
            << "\"; color=\"#b0bec5\";\n"
            << body.str() << "    }\n";
      }
      ++zone_n;
    }
    out << "  }\n";
    ++site_n;
  }
  for (std::size_t i = 0; i < m.directory.controllers.size(); ++i) {
    const auto& c = m.directory.controllers[i];
    if (!m.findHost(c.name))
      node(out, "dc-" + std::to_string(i), c.name, "domain controller " + c.domain, "box", true);
  }
  for (std::size_t i = 0; i < g.edges.size(); ++i) {
    const auto& e = g.edges[i];
    const Protection p = protectionOf(e);
    const int n = marked(e.id());
    out << "  " << dotId(e.client) << " -> " << dotId(e.server)
        << " [id=" << dotId("edge-" + std::to_string(i)) << ", tooltip="
        << dotId(fmt::format("{} {} {}{}", e.id(), portText(e), protectionText(e),
                             n > 0 ? fmt::format(" — {} finding(s)", n) : ""))
        << ", color=" << dotId(colourOf(p));
    if (p == Protection::kPlaintext) out << ", style=dashed";
    if (n > 0) out << ", penwidth=2.5";
    out << "];\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace ccsec::report
