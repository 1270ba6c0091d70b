#include "render/sql_server/sql_server_generator.h"

#include <algorithm>

#include "core/text.h"
#include "render/text_util.h"

namespace ccsec::render {
namespace {

// sp_configure options the hardening turns off (surface area). Each is guarded by its own row
// in sys.configurations, so an option the server version lacks is skipped.
constexpr const char* kSurfaceArea[] = {
    "xp_cmdshell",
    "Ole Automation Procedures",
    "Ad Hoc Distributed Queries",
    "clr enabled",
    "cross db ownership chaining",
    "remote admin connections",
    "scan for startup procs",
    "external scripts enabled",
};

// Extended stored procedures in master whose EXECUTE is revoked from public (file system,
// registry and network discovery from any login).
constexpr const char* kPublicRevokes[] = {
    "xp_availablemedia", "xp_dirtree",     "xp_fileexist", "xp_fixeddrives",
    "xp_getnetname",     "xp_regenumkeys", "xp_regread",   "xp_subdirs",
};

constexpr const char* kServerKey = R"(N'Software\Microsoft\MSSQLServer\MSSQLServer')";
constexpr const char* kNetLibKey =
    R"(N'Software\Microsoft\MSSQLServer\MSSQLServer\SuperSocketNetLib')";
constexpr const char* kNpKey =
    R"(N'Software\Microsoft\MSSQLServer\MSSQLServer\SuperSocketNetLib\Np')";

// T-SQL N'...' literal: the same quoting rule as PowerShell's single quotes ('' for ').
std::string sqlString(std::string_view s) {
  // Appended, not `"N" + psQuote(s)`: GCC 12 at -O3 reports a -Wrestrict false positive
  // (cmake/gcc12_wrestrict.cmake) on operator+(const char*, string&&).
  std::string out = "N";
  out += psQuote(s);
  return out;
}

// One registry value of the instance (xp_instance_regread maps the key to this instance's),
// written only when it differs from `want`; `accept` lists the values left alone.
std::string regDword(const char* key, const char* value, int want, const std::string& accept,
                     const char* why, bool restart) {
  std::string s;
  s += "SET @v = NULL;\n";
  s += "EXEC master.dbo.xp_instance_regread N'HKEY_LOCAL_MACHINE', " + std::string(key) + ", N'" +
       value + "', @v OUTPUT;\n";
  s += "IF ISNULL(@v, -1) NOT IN (" + accept + ")\nBEGIN\n";
  s += "  EXEC master.dbo.xp_instance_regwrite N'HKEY_LOCAL_MACHINE', " + std::string(key) +
       ", N'" + value + "', REG_DWORD, " + std::to_string(want) + ";\n";
  if (restart) s += "  SET @restart = 1;\n";
  s += "  PRINT N'ccsec: " + std::string(why) + "';\n";
  s += "END;\n";
  return s;
}

std::string renderSql(const inventory::Host& h, const std::string& roles,
                      const inventory::Model& m) {
  std::string o = renderedBy(
      "--",
      "ccsec SQL Server hardening for " + h.name + " (site " + h.site + ", roles " + roles + ").",
      inventoryName(m.source_file));
  o += "\n-- Run by " + h.name +
       ".sql-hardening.ps1 (sqlcmd -E -b) as a Windows sysadmin. Idempotent: every change\n"
       "-- is guarded by the state it changes, so a second run changes nothing. Prints\n"
       "-- CCSEC-RESTART-REQUIRED when a setting read at service start changed.\n";
  o += "SET NOCOUNT ON;\nSET XACT_ABORT ON;\nUSE master;\n";
  o += "DECLARE @restart bit = 0;\nDECLARE @v int;\nDECLARE @sql nvarchar(max);\n\n";

  o += "-- 1. Windows authentication only (LoginMode 1: no SQL Server logins).\n";
  o += regDword(kServerKey, "LoginMode", 1, "1", "LoginMode set to Windows authentication only",
                true);

  o += "\n-- 2. The sa login (sid 0x01): disabled, then renamed to " +
       std::string(kDisabledSaName) + ".\n";
  o += "IF EXISTS (SELECT 1 FROM sys.server_principals WHERE sid = 0x01 AND is_disabled = 0)\n"
       "BEGIN\n"
       "  SELECT @sql = N'ALTER LOGIN ' + QUOTENAME(name) + N' DISABLE;' FROM "
       "sys.server_principals WHERE sid = 0x01;\n"
       "  EXEC sys.sp_executesql @sql;\n"
       "  PRINT N'ccsec: sa login disabled';\n"
       "END;\n";
  o += "IF EXISTS (SELECT 1 FROM sys.server_principals WHERE sid = 0x01 AND name <> N'" +
       std::string(kDisabledSaName) +
       "')\n"
       "BEGIN\n"
       "  SELECT @sql = N'ALTER LOGIN ' + QUOTENAME(name) + N' WITH NAME = " +
       "[" + kDisabledSaName +
       "];' FROM sys.server_principals WHERE sid = 0x01;\n"
       "  EXEC sys.sp_executesql @sql;\n"
       "  PRINT N'ccsec: sa login renamed';\n"
       "END;\n";

  o += "\n-- 3. Surface area: every option below off, then 'show advanced options' off again.\n";
  std::string names;
  for (const char* n : kSurfaceArea) names += (names.empty() ? "" : ", ") + sqlString(n);
  o += "IF EXISTS (SELECT 1 FROM sys.configurations WHERE name IN (" + names +
       ", N'show advanced options') AND CAST(value AS int) <> 0)\n"
       "BEGIN\n"
       "  EXEC sys.sp_configure N'show advanced options', 1;\n"
       "  RECONFIGURE;\n";
  for (const char* n : kSurfaceArea) {
    o += "  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = " + sqlString(n) +
         " AND CAST(value AS int) <> 0)\n"
         "  BEGIN\n"
         "    EXEC sys.sp_configure " +
         sqlString(n) +
         ", 0;\n"
         "    PRINT N'ccsec: " +
         std::string(n) +
         " off';\n"
         "  END;\n";
  }
  o += "  RECONFIGURE;\n"
       "  EXEC sys.sp_configure N'show advanced options', 0;\n"
       "  RECONFIGURE;\n"
       "END;\n";

  o += "\n-- 4. Forced encryption (the certificate and Schannel's TLS " +
       m.deployment.tls_min_version +
       " minimum are set by the wrapper)\n--    and named pipes off: read at service start.\n";
  o += regDword(kNetLibKey, "ForceEncryption", 1, "1", "ForceEncryption on", true);
  o += regDword(kNpKey, "Enabled", 0, "0", "named pipes off", true);

  o += "\n-- 5. public loses EXECUTE on file-system, registry and network extended procedures;\n"
       "--    guest loses CONNECT in every user database.\n";
  for (const char* p : kPublicRevokes) {
    o += "IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = "
         "DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys." +
         std::string(p) +
         "') AND type = 'EX' AND state IN ('G', 'W'))\n"
         "BEGIN\n"
         "  REVOKE EXECUTE ON sys." +
         p +
         " FROM public;\n"
         "  PRINT N'ccsec: EXECUTE on " +
         p +
         " revoked from public';\n"
         "END;\n";
  }
  o += "DECLARE @db sysname;\n"
       "DECLARE ccsec_dbs CURSOR LOCAL FAST_FORWARD FOR\n"
       "  SELECT name FROM sys.databases WHERE database_id > 4 AND state = 0 AND "
       "is_read_only = 0 ORDER BY name;\n"
       "OPEN ccsec_dbs;\n"
       "FETCH NEXT FROM ccsec_dbs INTO @db;\n"
       "WHILE @@FETCH_STATUS = 0\n"
       "BEGIN\n"
       "  SET @sql = N'USE ' + QUOTENAME(@db) + N'; IF EXISTS (SELECT 1 FROM "
       "sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N''guest'') "
       "AND type = ''CO'' AND state IN (''G'', ''W'')) BEGIN REVOKE CONNECT FROM guest; PRINT "
       "N''ccsec: guest CONNECT revoked in '' + DB_NAME(); END;';\n"
       "  EXEC sys.sp_executesql @sql;\n"
       "  FETCH NEXT FROM ccsec_dbs INTO @db;\n"
       "END;\n"
       "CLOSE ccsec_dbs;\n"
       "DEALLOCATE ccsec_dbs;\n";

  o += "\n-- 6. Audit of failed logins: the error log (AuditLevel 2 = failed; 3 = both is kept)\n"
       "--    and a server audit to the Windows Application log.\n";
  o += regDword(kServerKey, "AuditLevel", 2, "2, 3", "AuditLevel records failed logins", true);
  o += "IF NOT EXISTS (SELECT 1 FROM sys.server_audits WHERE name = N'ccsec_failed_logins')\n"
       "BEGIN\n"
       "  EXEC (N'CREATE SERVER AUDIT [ccsec_failed_logins] TO APPLICATION_LOG WITH "
       "(ON_FAILURE = CONTINUE);');\n"
       "  PRINT N'ccsec: server audit ccsec_failed_logins created';\n"
       "END;\n"
       "IF NOT EXISTS (SELECT 1 FROM sys.server_audit_specifications WHERE name = "
       "N'ccsec_failed_logins_spec')\n"
       "BEGIN\n"
       "  EXEC (N'CREATE SERVER AUDIT SPECIFICATION [ccsec_failed_logins_spec] FOR SERVER AUDIT "
       "[ccsec_failed_logins] ADD (FAILED_LOGIN_GROUP) WITH (STATE = ON);');\n"
       "  PRINT N'ccsec: audit specification ccsec_failed_logins_spec created';\n"
       "END;\n"
       "IF EXISTS (SELECT 1 FROM sys.server_audit_specifications WHERE name = "
       "N'ccsec_failed_logins_spec' AND is_state_enabled = 0)\n"
       "BEGIN\n"
       "  EXEC (N'ALTER SERVER AUDIT SPECIFICATION [ccsec_failed_logins_spec] WITH (STATE = "
       "ON);');\n"
       "  PRINT N'ccsec: audit specification ccsec_failed_logins_spec enabled';\n"
       "END;\n"
       "IF EXISTS (SELECT 1 FROM sys.server_audits WHERE name = N'ccsec_failed_logins' AND "
       "is_state_enabled = 0)\n"
       "BEGIN\n"
       "  EXEC (N'ALTER SERVER AUDIT [ccsec_failed_logins] WITH (STATE = ON);');\n"
       "  PRINT N'ccsec: server audit ccsec_failed_logins enabled';\n"
       "END;\n";

  o += "\nIF @restart = 1 PRINT N'CCSEC-RESTART-REQUIRED';\n";
  return o;
}

std::string renderWrapper(const inventory::Host& h, const inventory::Model& m) {
  const std::string dns = h.dns_name.value_or(h.name);
  const bool tls13 = m.deployment.tls_min_version == "1.3";
  std::string o = renderedBy("#",
                             "ccsec SQL Server hardening for " + h.name +
                                 ": Schannel, certificate, then " + h.name + ".sql-hardening.sql.",
                             inventoryName(m.source_file));
  o += "\n# Idempotent: each setting is read before it is written; the instance restarts only "
       "when\n# a setting read at service start changed. Schannel changes need a reboot "
       "(reported).\n";
  o += "#Requires -RunAsAdministrator\n";
  o += "param([string]$Instance = 'MSSQLSERVER')\n";
  o += "$ErrorActionPreference = 'Stop'\n";
  o += "$restart = $false\n$reboot = $false\n";
  o += "function Set-CcsecDword([string]$Path, [string]$Name, [int]$Value) {\n"
       "  if (-not (Test-Path -LiteralPath $Path)) { New-Item -Path $Path -Force | Out-Null }\n"
       "  $current = (Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction "
       "SilentlyContinue).$Name\n"
       "  if ($current -ne $Value) {\n"
       "    New-ItemProperty -LiteralPath $Path -Name $Name -PropertyType DWord -Value $Value "
       "-Force | Out-Null\n"
       "    Write-Output \"ccsec: $Path\\$Name = $Value\"\n"
       "    return $true\n"
       "  }\n"
       "  return $false\n"
       "}\n";
  o += "\n# 1. Schannel: TLS " + m.deployment.tls_min_version +
       " minimum (deployment.tls_min_version), older protocols off on both sides.\n";
  o += "$schannel = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\"
       "Protocols'\n";
  std::string off = "'SSL 3.0', 'TLS 1.0', 'TLS 1.1'";
  std::string on = "'TLS 1.2'";
  if (tls13) {
    off += ", 'TLS 1.2'";
    on = "'TLS 1.3'";
  }
  o += "foreach ($protocol in " + off +
       ") {\n"
       "  foreach ($side in 'Server', 'Client') {\n"
       "    if (Set-CcsecDword \"$schannel\\$protocol\\$side\" 'Enabled' 0) { $reboot = $true }\n"
       "    if (Set-CcsecDword \"$schannel\\$protocol\\$side\" 'DisabledByDefault' 1) { $reboot "
       "= $true }\n"
       "  }\n"
       "}\n";
  o += "foreach ($protocol in " + on +
       ") {\n"
       "  foreach ($side in 'Server', 'Client') {\n"
       "    if (Set-CcsecDword \"$schannel\\$protocol\\$side\" 'Enabled' 1) { $reboot = $true }\n"
       "    if (Set-CcsecDword \"$schannel\\$protocol\\$side\" 'DisabledByDefault' 0) { $reboot "
       "= $true }\n"
       "  }\n"
       "}\n";
  o += "\n# 2. The host's certificate (issued by ccsec pki for " + dns +
       ", imported into LocalMachine\\My)\n#    for forced encryption; the SQL Server service "
       "account needs read access to its key.\n";
  o += "$cert = Get-ChildItem -Path Cert:\\LocalMachine\\My | Where-Object { $_.HasPrivateKey "
       "-and ($_.DnsNameList.Unicode -contains " +
       psQuote(dns) +
       ") } |\n"
       "  Sort-Object -Property NotAfter -Descending | Select-Object -First 1\n";
  o += "if (-not $cert) { throw " +
       psQuote("no certificate with a private key for " + dns +
               " in Cert:\\LocalMachine\\My: import the one ccsec pki issued") +
       " }\n";
  o += "$instanceId = (Get-ItemProperty -LiteralPath 'HKLM:\\SOFTWARE\\Microsoft\\Microsoft SQL "
       "Server\\Instance Names\\SQL').$Instance\n";
  o += "if (-not $instanceId) { throw \"SQL Server instance $Instance not found\" }\n";
  o += "$netlib = \"HKLM:\\SOFTWARE\\Microsoft\\Microsoft SQL "
       "Server\\$instanceId\\MSSQLServer\\SuperSocketNetLib\"\n";
  o += "$thumbprint = $cert.Thumbprint.ToLowerInvariant()\n";
  o += "if ((Get-ItemProperty -LiteralPath $netlib -Name Certificate -ErrorAction "
       "SilentlyContinue).Certificate -ne $thumbprint) {\n"
       "  Set-ItemProperty -LiteralPath $netlib -Name Certificate -Value $thumbprint\n"
       "  Write-Output \"ccsec: SQL Server certificate $thumbprint\"\n"
       "  $restart = $true\n"
       "}\n";
  o += "\n# 3. The T-SQL hardening (Windows authentication: the caller must be a sysadmin).\n";
  o += "$server = if ($Instance -eq 'MSSQLSERVER') { '.' } else { \".\\$Instance\" }\n";
  o += "$output = & sqlcmd -S $server -E -b -I -i (Join-Path -Path $PSScriptRoot -ChildPath " +
       psQuote(h.name + ".sql-hardening.sql") + ") 2>&1\n";
  o += "if ($LASTEXITCODE -ne 0) { $output | Write-Error; exit 1 }\n";
  o += "$output | Where-Object { $_ -ne 'CCSEC-RESTART-REQUIRED' } | Write-Output\n";
  o += "if ($output -contains 'CCSEC-RESTART-REQUIRED') { $restart = $true }\n";
  o += "\n# 4. Restart only when a start-time setting changed.\n";
  o += "$service = if ($Instance -eq 'MSSQLSERVER') { 'MSSQLSERVER' } else { \"MSSQL`$$Instance\" "
       "}\n";
  o += "if ($restart) { Restart-Service -Name $service -Force; Write-Output \"ccsec: $service "
       "restarted\" }\n";
  o += "if ($reboot) { Write-Warning 'ccsec: Schannel protocols changed; reboot to apply them' }\n";
  o += "if (-not $restart -and -not $reboot) { Write-Output 'ccsec: nothing to change' }\n";
  return o;
}

}  // namespace

bool runsSqlServer(const inventory::Host& h, const inventory::Catalog& catalog) {
  return std::any_of(h.roles.begin(), h.roles.end(), [&](const std::string& r) {
    const auto* spec = catalog.role(r);
    return spec != nullptr && spec->sql;
  });
}

std::vector<RenderedFile> SqlServerGenerator::render(const RenderInput& in) const {
  std::vector<const inventory::Host*> hosts;
  for (const auto& h : in.model.hosts)
    if (h.os == inventory::Os::kWindows && runsSqlServer(h, in.catalog)) hosts.push_back(&h);
  std::sort(hosts.begin(), hosts.end(),
            [](const auto* a, const auto* b) { return a->name < b->name; });
  std::vector<RenderedFile> out;
  for (const auto* h : hosts) {
    std::vector<std::string> sql_roles;
    for (const auto& r : h->roles) {
      const auto* spec = in.catalog.role(r);
      if (spec != nullptr && spec->sql) sql_roles.push_back(r);
    }
    out.push_back({"hosts/" + h->name + ".sql-hardening.sql",
                   renderSql(*h, core::join(sql_roles, ", "), in.model),
                   {}});
    out.push_back({"hosts/" + h->name + ".sql-hardening.ps1", renderWrapper(*h, in.model), {}});
  }
  return out;
}

}  // namespace ccsec::render
