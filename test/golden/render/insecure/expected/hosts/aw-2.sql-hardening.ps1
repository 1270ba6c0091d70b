# ccsec SQL Server hardening for aw-2: Schannel, certificate, then aw-2.sql-hardening.sql.
# Rendered by ccsec render from insecure.yaml; do not edit: re-render instead.
# Idempotent: each setting is read before it is written; the instance restarts only when
# a setting read at service start changed. Schannel changes need a reboot (reported).
#Requires -RunAsAdministrator
param([string]$Instance = 'MSSQLSERVER')
$ErrorActionPreference = 'Stop'
$restart = $false
$reboot = $false
function Set-CcsecDword([string]$Path, [string]$Name, [int]$Value) {
  if (-not (Test-Path -LiteralPath $Path)) { New-Item -Path $Path -Force | Out-Null }
  $current = (Get-ItemProperty -LiteralPath $Path -Name $Name -ErrorAction SilentlyContinue).$Name
  if ($current -ne $Value) {
    New-ItemProperty -LiteralPath $Path -Name $Name -PropertyType DWord -Value $Value -Force | Out-Null
    Write-Output "ccsec: $Path\$Name = $Value"
    return $true
  }
  return $false
}

# 1. Schannel: TLS 1.2 minimum (deployment.tls_min_version), older protocols off on both sides.
$schannel = 'HKLM:\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols'
foreach ($protocol in 'SSL 3.0', 'TLS 1.0', 'TLS 1.1') {
  foreach ($side in 'Server', 'Client') {
    if (Set-CcsecDword "$schannel\$protocol\$side" 'Enabled' 0) { $reboot = $true }
    if (Set-CcsecDword "$schannel\$protocol\$side" 'DisabledByDefault' 1) { $reboot = $true }
  }
}
foreach ($protocol in 'TLS 1.2') {
  foreach ($side in 'Server', 'Client') {
    if (Set-CcsecDword "$schannel\$protocol\$side" 'Enabled' 1) { $reboot = $true }
    if (Set-CcsecDword "$schannel\$protocol\$side" 'DisabledByDefault' 0) { $reboot = $true }
  }
}

# 2. The host's certificate (issued by ccsec pki for aw-2, imported into LocalMachine\My)
#    for forced encryption; the SQL Server service account needs read access to its key.
$cert = Get-ChildItem -Path Cert:\LocalMachine\My | Where-Object { $_.HasPrivateKey -and ($_.DnsNameList.Unicode -contains 'aw-2') } |
  Sort-Object -Property NotAfter -Descending | Select-Object -First 1
if (-not $cert) { throw 'no certificate with a private key for aw-2 in Cert:\LocalMachine\My: import the one ccsec pki issued' }
$instanceId = (Get-ItemProperty -LiteralPath 'HKLM:\SOFTWARE\Microsoft\Microsoft SQL Server\Instance Names\SQL').$Instance
if (-not $instanceId) { throw "SQL Server instance $Instance not found" }
$netlib = "HKLM:\SOFTWARE\Microsoft\Microsoft SQL Server\$instanceId\MSSQLServer\SuperSocketNetLib"
$thumbprint = $cert.Thumbprint.ToLowerInvariant()
if ((Get-ItemProperty -LiteralPath $netlib -Name Certificate -ErrorAction SilentlyContinue).Certificate -ne $thumbprint) {
  Set-ItemProperty -LiteralPath $netlib -Name Certificate -Value $thumbprint
  Write-Output "ccsec: SQL Server certificate $thumbprint"
  $restart = $true
}

# 3. The T-SQL hardening (Windows authentication: the caller must be a sysadmin).
$server = if ($Instance -eq 'MSSQLSERVER') { '.' } else { ".\$Instance" }
$output = & sqlcmd -S $server -E -b -I -i (Join-Path -Path $PSScriptRoot -ChildPath 'aw-2.sql-hardening.sql') 2>&1
if ($LASTEXITCODE -ne 0) { $output | Write-Error; exit 1 }
$output | Where-Object { $_ -ne 'CCSEC-RESTART-REQUIRED' } | Write-Output
if ($output -contains 'CCSEC-RESTART-REQUIRED') { $restart = $true }

# 4. Restart only when a start-time setting changed.
$service = if ($Instance -eq 'MSSQLSERVER') { 'MSSQLSERVER' } else { "MSSQL`$$Instance" }
if ($restart) { Restart-Service -Name $service -Force; Write-Output "ccsec: $service restarted" }
if ($reboot) { Write-Warning 'ccsec: Schannel protocols changed; reboot to apply them' }
if (-not $restart -and -not $reboot) { Write-Output 'ccsec: nothing to change' }
