#pragma once
// `ccsec directory check`: reads the live directory (Active Directory layout: the configuration
// naming context's partitions and sites, computer and user objects, foreign security principals)
// and reports drift against the inventory and the design as CCS-DIR-* findings, each message
// carrying the observed evidence. Read-only; one connection from the pool (own site first).

#include <string>
#include <vector>

#include "core/result.h"
#include "identity/ldap.h"
#include "inventory/model.h"
#include "policy/finding.h"

namespace ccsec::identity {

struct DirectoryCheckOptions {
  std::vector<Server> servers;  // own site first
  TlsOptions tls;
  std::string bind_dn;  // simple bind over TLS (with password), or
  std::string password;
  bool sasl_external = false;  // SASL EXTERNAL with tls.cert_file/key_file
  /// Naming contexts; empty: read from the root DSE (defaultNamingContext,
  /// configurationNamingContext, rootDomainNamingContext).
  std::string domain_nc, config_nc, root_nc;
  std::int64_t now_filetime = 0;  // 100 ns since 1601 (accountExpires); 0: the clock
};

/// Findings sorted by rule, then target; no waivers applied. Errors: the directory could not be
/// reached, the bind failed, or a naming context is unknown (runtime).
core::Result<std::vector<policy::Finding>> checkDirectory(const inventory::Model& model,
                                                          const DirectoryCheckOptions& options);

}  // namespace ccsec::identity
