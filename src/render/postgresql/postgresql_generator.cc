#include "render/postgresql/postgresql_generator.h"

#include <algorithm>

#include "render/text_util.h"

namespace ccsec::render {
namespace {

constexpr const char* kStoreRole = "ccsec-store";
constexpr const char* kStoreChannel = "store";

std::uint16_t storePort(const inventory::Host& h, const RenderInput& in) {
  for (const inventory::Edge* e : in.graph.into(h.name))
    if (e->kind == kStoreChannel) return e->port;
  if (const auto* role = in.catalog.role(kStoreRole))
    for (const auto& l : role->listeners)
      if (l.channel == kStoreChannel) return l.portFor(h.side, in.model.deployment.instance, true);
  return 5432;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string hbaLine(const std::string& type, const std::string& db, const std::string& user,
                    const std::string& address, const std::string& method) {
  std::string s = pad(type, 10) + pad(db, 10) + pad(user, 10);
  if (!address.empty() || type != "local")
    s += pad(address, 24);
  else
    s += pad("", 24);
  s += method;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s + "\n";
}

RenderedFile renderConf(const inventory::Host& h, const RenderInput& in) {
  const std::string v = in.model.deployment.tls_min_version == "1.3" ? "TLSv1.3" : "TLSv1.2";
  std::string o = renderedBy("#",
                             "ccsec PostgreSQL hardening for " + h.name + " (store host, site " +
                                 h.site + "): include from postgresql.conf.",
                             inventoryName(in.model.source_file));
  o += "\n# Install ccsec pki's hosts/" + h.name + ".pem as server.crt and hosts/" + h.name +
       ".key as server.key (owner postgres, 0600)\n"
       "# in the data directory and " +
       h.name + ".pg_hba.conf as the cluster's pg_hba.conf; then `include '" + h.name +
       ".postgresql.conf'`\n# at the end of postgresql.conf and restart.\n";
  o += "listen_addresses = '" + h.address.str() + "'\n";
  o += "port = " + std::to_string(storePort(h, in)) + "\n";
  o += "ssl = on\n";
  o += "ssl_cert_file = 'server.crt'\n";
  o += "ssl_key_file = 'server.key'\n";
  o += "ssl_min_protocol_version = '" + v + "'    # deployment.tls_min_version\n";
  o += "ssl_prefer_server_ciphers = on\n";
  o += "password_encryption = scram-sha-256\n";
  return {"hosts/" + h.name + ".postgresql.conf", std::move(o), {}};
}

RenderedFile renderHba(const inventory::Host& h, const RenderInput& in) {
  RenderedFile f;
  f.path = "hosts/" + h.name + ".pg_hba.conf";
  std::string o = renderedBy(
      "#",
      "ccsec pg_hba.conf for " + h.name + ": TLS and SCRAM only, from the store's clients only.",
      inventoryName(in.model.source_file));
  o += "\n# First match wins. Clients are the `store` edges into " + h.name +
       " (channels: entries).\n";
  o += hbaLine("# TYPE", "DATABASE", "USER", "ADDRESS", "METHOD");
  o += hbaLine("local", "all", "postgres", "", "peer");
  int n = 0;
  if (const Table* t = in.policy.hostTable(h.name)) {
    for (const auto& r : t->rules) {
      if (r.note != kStoreChannel || r.origin.rfind(std::string(kStoreChannel) + ":", 0) != 0)
        continue;
      if (r.port_lo != r.port_hi) continue;  // never for store edges; keeps one line per client
      std::string comment = "# " + r.origin;
      if (r.line > 0) comment += " (inventory line " + std::to_string(r.line) + ")";
      o += comment + "\n";
      for (const auto& c : r.src) o += hbaLine("hostssl", "all", "all", c.str(), "scram-sha-256");
      f.rules.push_back(RuleRef{"hba" + std::to_string(++n), r.origin, r.line});
    }
  }
  o += "# Everything else, with or without TLS.\n";
  o += hbaLine("host", "all", "all", "all", "reject");
  f.content = std::move(o);
  return f;
}

}  // namespace

std::vector<CheckError> PostgresqlGenerator::checkTarget(const RenderInput& in) const {
  std::vector<CheckError> errs;
  for (const auto& h : in.model.hosts)
    if (h.hasRole(kStoreRole) && h.os != inventory::Os::kLinux)
      errs.push_back({"postgresql", "store host not Linux", "host " + h.name, h.loc.line,
                      "the PostgreSQL hardening is rendered for Linux store hosts (os: linux)"});
  return errs;
}

std::vector<RenderedFile> PostgresqlGenerator::render(const RenderInput& in) const {
  std::vector<const inventory::Host*> hosts;
  for (const auto& h : in.model.hosts)
    if (h.hasRole(kStoreRole) && h.os == inventory::Os::kLinux) hosts.push_back(&h);
  std::sort(hosts.begin(), hosts.end(),
            [](const auto* a, const auto* b) { return a->name < b->name; });
  std::vector<RenderedFile> out;
  for (const auto* h : hosts) {
    out.push_back(renderConf(*h, in));
    out.push_back(renderHba(*h, in));
  }
  return out;
}

}  // namespace ccsec::render
