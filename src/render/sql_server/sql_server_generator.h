#pragma once
// Target "sql-server": the SQL Server hardening of the design's security utility (seed "SQL
// Server Hardening", CCS-HST-004) for every Windows host holding a catalog role with
// `sql: true` (logger, aw, hds):
//   hosts/<host>.sql-hardening.sql  T-SQL: Windows authentication only, `sa` disabled and
//                                   renamed, xp_cmdshell and the other surface-area options
//                                   off, forced encryption, named pipes off, public/guest
//                                   revokes, failed-login audit;
//   hosts/<host>.sql-hardening.ps1  PowerShell wrapper: Schannel TLS 1.2 only (TLS 1.3 too when
//                                   deployment.tls_min_version is 1.3), the host certificate for
//                                   forced encryption, runs the T-SQL with sqlcmd -E and
//                                   restarts the instance only when a start-time setting changed.
// Idempotent: every statement is guarded by the state it changes (IF EXISTS / IF NOT EXISTS,
// registry reads before writes), so a second run changes nothing and prints no change.
// A SQL role on a Linux host gets nothing from this target (SQL Server on Linux is hardened
// through mssql-conf, which is not rendered; CCS-HST-004 still reports it until sql_hardened).
// It is not an error, so that rendering every target of an all-Linux lab still works.

#include "render/generator.h"

namespace ccsec::render {

/// The name the `sa` login (sid 0x01) is renamed to.
inline constexpr const char* kDisabledSaName = "ccsec_disabled_sa";

class SqlServerGenerator final : public Generator {
 public:
  std::string_view name() const override { return "sql-server"; }
  FeatureSet features() const override { return {}; }
  std::vector<RenderedFile> render(const RenderInput& in) const override;
};

/// True when one of the host's roles is a SQL Server role in the catalog.
bool runsSqlServer(const inventory::Host& h, const inventory::Catalog& catalog);

}  // namespace ccsec::render
