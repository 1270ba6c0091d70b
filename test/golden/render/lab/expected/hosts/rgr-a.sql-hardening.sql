-- ccsec SQL Server hardening for rgr-a (site lab, roles logger).
-- Rendered by ccsec render from lab.yaml; do not edit: re-render instead.
-- Run by rgr-a.sql-hardening.ps1 (sqlcmd -E -b) as a Windows sysadmin. Idempotent: every change
-- is guarded by the state it changes, so a second run changes nothing. Prints
-- CCSEC-RESTART-REQUIRED when a setting read at service start changed.
SET NOCOUNT ON;
SET XACT_ABORT ON;
USE master;
DECLARE @restart bit = 0;
DECLARE @v int;
DECLARE @sql nvarchar(max);

-- 1. Windows authentication only (LoginMode 1: no SQL Server logins).
SET @v = NULL;
EXEC master.dbo.xp_instance_regread N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer', N'LoginMode', @v OUTPUT;
IF ISNULL(@v, -1) NOT IN (1)
BEGIN
  EXEC master.dbo.xp_instance_regwrite N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer', N'LoginMode', REG_DWORD, 1;
  SET @restart = 1;
  PRINT N'ccsec: LoginMode set to Windows authentication only';
END;

-- 2. The sa login (sid 0x01): disabled, then renamed to ccsec_disabled_sa.
IF EXISTS (SELECT 1 FROM sys.server_principals WHERE sid = 0x01 AND is_disabled = 0)
BEGIN
  SELECT @sql = N'ALTER LOGIN ' + QUOTENAME(name) + N' DISABLE;' FROM sys.server_principals WHERE sid = 0x01;
  EXEC sys.sp_executesql @sql;
  PRINT N'ccsec: sa login disabled';
END;
IF EXISTS (SELECT 1 FROM sys.server_principals WHERE sid = 0x01 AND name <> N'ccsec_disabled_sa')
BEGIN
  SELECT @sql = N'ALTER LOGIN ' + QUOTENAME(name) + N' WITH NAME = [ccsec_disabled_sa];' FROM sys.server_principals WHERE sid = 0x01;
  EXEC sys.sp_executesql @sql;
  PRINT N'ccsec: sa login renamed';
END;

-- 3. Surface area: every option below off, then 'show advanced options' off again.
IF EXISTS (SELECT 1 FROM sys.configurations WHERE name IN (N'xp_cmdshell', N'Ole Automation Procedures', N'Ad Hoc Distributed Queries', N'clr enabled', N'cross db ownership chaining', N'remote admin connections', N'scan for startup procs', N'external scripts enabled', N'show advanced options') AND CAST(value AS int) <> 0)
BEGIN
  EXEC sys.sp_configure N'show advanced options', 1;
  RECONFIGURE;
  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = N'xp_cmdshell' AND CAST(value AS int) <> 0)
  BEGIN
    EXEC sys.sp_configure N'xp_cmdshell', 0;
    PRINT N'ccsec: xp_cmdshell off';
  END;
  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = N'Ole Automation Procedures' AND CAST(value AS int) <> 0)
  BEGIN
    EXEC sys.sp_configure N'Ole Automation Procedures', 0;
    PRINT N'ccsec: Ole Automation Procedures off';
  END;
  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = N'Ad Hoc Distributed Queries' AND CAST(value AS int) <> 0)
  BEGIN
    EXEC sys.sp_configure N'Ad Hoc Distributed Queries', 0;
    PRINT N'ccsec: Ad Hoc Distributed Queries off';
  END;
  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = N'clr enabled' AND CAST(value AS int) <> 0)
  BEGIN
    EXEC sys.sp_configure N'clr enabled', 0;
    PRINT N'ccsec: clr enabled off';
  END;
  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = N'cross db ownership chaining' AND CAST(value AS int) <> 0)
  BEGIN
    EXEC sys.sp_configure N'cross db ownership chaining', 0;
    PRINT N'ccsec: cross db ownership chaining off';
  END;
  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = N'remote admin connections' AND CAST(value AS int) <> 0)
  BEGIN
    EXEC sys.sp_configure N'remote admin connections', 0;
    PRINT N'ccsec: remote admin connections off';
  END;
  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = N'scan for startup procs' AND CAST(value AS int) <> 0)
  BEGIN
    EXEC sys.sp_configure N'scan for startup procs', 0;
    PRINT N'ccsec: scan for startup procs off';
  END;
  IF EXISTS (SELECT 1 FROM sys.configurations WHERE name = N'external scripts enabled' AND CAST(value AS int) <> 0)
  BEGIN
    EXEC sys.sp_configure N'external scripts enabled', 0;
    PRINT N'ccsec: external scripts enabled off';
  END;
  RECONFIGURE;
  EXEC sys.sp_configure N'show advanced options', 0;
  RECONFIGURE;
END;

-- 4. Forced encryption (the certificate and Schannel's TLS 1.2 minimum are set by the wrapper)
--    and named pipes off: read at service start.
SET @v = NULL;
EXEC master.dbo.xp_instance_regread N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer\SuperSocketNetLib', N'ForceEncryption', @v OUTPUT;
IF ISNULL(@v, -1) NOT IN (1)
BEGIN
  EXEC master.dbo.xp_instance_regwrite N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer\SuperSocketNetLib', N'ForceEncryption', REG_DWORD, 1;
  SET @restart = 1;
  PRINT N'ccsec: ForceEncryption on';
END;
SET @v = NULL;
EXEC master.dbo.xp_instance_regread N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer\SuperSocketNetLib\Np', N'Enabled', @v OUTPUT;
IF ISNULL(@v, -1) NOT IN (0)
BEGIN
  EXEC master.dbo.xp_instance_regwrite N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer\SuperSocketNetLib\Np', N'Enabled', REG_DWORD, 0;
  SET @restart = 1;
  PRINT N'ccsec: named pipes off';
END;

-- 5. public loses EXECUTE on file-system, registry and network extended procedures;
--    guest loses CONNECT in every user database.
IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys.xp_availablemedia') AND type = 'EX' AND state IN ('G', 'W'))
BEGIN
  REVOKE EXECUTE ON sys.xp_availablemedia FROM public;
  PRINT N'ccsec: EXECUTE on xp_availablemedia revoked from public';
END;
IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys.xp_dirtree') AND type = 'EX' AND state IN ('G', 'W'))
BEGIN
  REVOKE EXECUTE ON sys.xp_dirtree FROM public;
  PRINT N'ccsec: EXECUTE on xp_dirtree revoked from public';
END;
IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys.xp_fileexist') AND type = 'EX' AND state IN ('G', 'W'))
BEGIN
  REVOKE EXECUTE ON sys.xp_fileexist FROM public;
  PRINT N'ccsec: EXECUTE on xp_fileexist revoked from public';
END;
IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys.xp_fixeddrives') AND type = 'EX' AND state IN ('G', 'W'))
BEGIN
  REVOKE EXECUTE ON sys.xp_fixeddrives FROM public;
  PRINT N'ccsec: EXECUTE on xp_fixeddrives revoked from public';
END;
IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys.xp_getnetname') AND type = 'EX' AND state IN ('G', 'W'))
BEGIN
  REVOKE EXECUTE ON sys.xp_getnetname FROM public;
  PRINT N'ccsec: EXECUTE on xp_getnetname revoked from public';
END;
IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys.xp_regenumkeys') AND type = 'EX' AND state IN ('G', 'W'))
BEGIN
  REVOKE EXECUTE ON sys.xp_regenumkeys FROM public;
  PRINT N'ccsec: EXECUTE on xp_regenumkeys revoked from public';
END;
IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys.xp_regread') AND type = 'EX' AND state IN ('G', 'W'))
BEGIN
  REVOKE EXECUTE ON sys.xp_regread FROM public;
  PRINT N'ccsec: EXECUTE on xp_regread revoked from public';
END;
IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N'public') AND major_id = OBJECT_ID(N'sys.xp_subdirs') AND type = 'EX' AND state IN ('G', 'W'))
BEGIN
  REVOKE EXECUTE ON sys.xp_subdirs FROM public;
  PRINT N'ccsec: EXECUTE on xp_subdirs revoked from public';
END;
DECLARE @db sysname;
DECLARE ccsec_dbs CURSOR LOCAL FAST_FORWARD FOR
  SELECT name FROM sys.databases WHERE database_id > 4 AND state = 0 AND is_read_only = 0 ORDER BY name;
OPEN ccsec_dbs;
FETCH NEXT FROM ccsec_dbs INTO @db;
WHILE @@FETCH_STATUS = 0
BEGIN
  SET @sql = N'USE ' + QUOTENAME(@db) + N'; IF EXISTS (SELECT 1 FROM sys.database_permissions WHERE grantee_principal_id = DATABASE_PRINCIPAL_ID(N''guest'') AND type = ''CO'' AND state IN (''G'', ''W'')) BEGIN REVOKE CONNECT FROM guest; PRINT N''ccsec: guest CONNECT revoked in '' + DB_NAME(); END;';
  EXEC sys.sp_executesql @sql;
  FETCH NEXT FROM ccsec_dbs INTO @db;
END;
CLOSE ccsec_dbs;
DEALLOCATE ccsec_dbs;

-- 6. Audit of failed logins: the error log (AuditLevel 2 = failed; 3 = both is kept)
--    and a server audit to the Windows Application log.
SET @v = NULL;
EXEC master.dbo.xp_instance_regread N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer', N'AuditLevel', @v OUTPUT;
IF ISNULL(@v, -1) NOT IN (2, 3)
BEGIN
  EXEC master.dbo.xp_instance_regwrite N'HKEY_LOCAL_MACHINE', N'Software\Microsoft\MSSQLServer\MSSQLServer', N'AuditLevel', REG_DWORD, 2;
  SET @restart = 1;
  PRINT N'ccsec: AuditLevel records failed logins';
END;
IF NOT EXISTS (SELECT 1 FROM sys.server_audits WHERE name = N'ccsec_failed_logins')
BEGIN
  EXEC (N'CREATE SERVER AUDIT [ccsec_failed_logins] TO APPLICATION_LOG WITH (ON_FAILURE = CONTINUE);');
  PRINT N'ccsec: server audit ccsec_failed_logins created';
END;
IF NOT EXISTS (SELECT 1 FROM sys.server_audit_specifications WHERE name = N'ccsec_failed_logins_spec')
BEGIN
  EXEC (N'CREATE SERVER AUDIT SPECIFICATION [ccsec_failed_logins_spec] FOR SERVER AUDIT [ccsec_failed_logins] ADD (FAILED_LOGIN_GROUP) WITH (STATE = ON);');
  PRINT N'ccsec: audit specification ccsec_failed_logins_spec created';
END;
IF EXISTS (SELECT 1 FROM sys.server_audit_specifications WHERE name = N'ccsec_failed_logins_spec' AND is_state_enabled = 0)
BEGIN
  EXEC (N'ALTER SERVER AUDIT SPECIFICATION [ccsec_failed_logins_spec] WITH (STATE = ON);');
  PRINT N'ccsec: audit specification ccsec_failed_logins_spec enabled';
END;
IF EXISTS (SELECT 1 FROM sys.server_audits WHERE name = N'ccsec_failed_logins' AND is_state_enabled = 0)
BEGIN
  EXEC (N'ALTER SERVER AUDIT [ccsec_failed_logins] WITH (STATE = ON);');
  PRINT N'ccsec: server audit ccsec_failed_logins enabled';
END;

IF @restart = 1 PRINT N'CCSEC-RESTART-REQUIRED';
