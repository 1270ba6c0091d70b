#include "render/registry.h"

#include "render/antivirus/antivirus_generator.h"
#include "render/asa/asa_generator.h"
#include "render/nftables/nftables_generator.h"
#include "render/postgresql/postgresql_generator.h"
#include "render/sql_server/sql_server_generator.h"
#include "render/strongswan/strongswan_generator.h"
#include "render/windows_firewall/windows_firewall_generator.h"
#include "render/windows_ipsec/windows_ipsec_generator.h"

namespace ccsec::render {

const std::vector<const Generator*>& allGenerators() {
  static const NftablesGenerator nftables;
  static const WindowsFirewallGenerator windows_firewall;
  static const AsaGenerator asa;
  static const StrongswanGenerator strongswan;
  static const WindowsIpsecGenerator windows_ipsec;
  // Hardening artifacts (no policy tables: they render from the model and the catalog).
  static const SqlServerGenerator sql_server;
  static const PostgresqlGenerator postgresql;
  static const AntivirusGenerator antivirus;
  static const std::vector<const Generator*> all = {&nftables,   &windows_firewall, &asa,
                                                    &strongswan, &windows_ipsec,    &sql_server,
                                                    &postgresql, &antivirus};
  return all;
}

std::string renderedFile(const Table& t) {
  for (const Generator* g : allGenerators()) {
    if (auto path = g->fileFor(t); !path.empty()) return path;
  }
  return {};
}

const Generator* findGenerator(std::string_view name) {
  for (const Generator* g : allGenerators()) {
    if (g->name() == name) return g;
  }
  return nullptr;
}

}  // namespace ccsec::render
