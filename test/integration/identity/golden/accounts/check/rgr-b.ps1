# ccsec accounts check for rgr-b (generated; run elevated on the host)
# Decoupled authorization: setup users in Administrators, config users and service
# accounts in UcceService, inventory accounts in no other local group.
$ErrorActionPreference = 'Stop'
# ADSecurityGroupUpdate lives under the instance's ICM key: confirm the path for your release.
$RegistryPath = 'HKLM:\SOFTWARE\Cisco Systems, Inc.\ICM\SystemSettings'
$Expected = [ordered]@{
  'Administrators' = @('lab-admin@lab.example.com')
  'UcceService' = @('lab-admin@lab.example.com', 'svc-cce@lab.example.com')
}
$Accounts = @('lab-admin@lab.example.com', 'svc-cce@lab.example.com')
$WantRegistry = 0
function Sid([string]$Upn) {
  (New-Object System.Security.Principal.NTAccount($Upn)).Translate([System.Security.Principal.SecurityIdentifier]).Value
}
$Sids = @{}
foreach ($a in $Accounts) { try { $Sids[$a] = Sid $a } catch { $Sids[$a] = $null } }
$result = [ordered]@{ host = 'rgr-b'; missing = @(); extra = @(); unresolved = @(); fixed = @() }
foreach ($a in $Accounts) { if (-not $Sids[$a]) { $result.unresolved += $a } }
foreach ($g in $Expected.Keys) {
  $have = @(Get-LocalGroupMember -Group $g -ErrorAction SilentlyContinue | ForEach-Object { $_.SID.Value })
  foreach ($a in $Expected[$g]) {
    if ($Sids[$a] -and ($have -notcontains $Sids[$a])) {
      $result.missing += [ordered]@{ account = $a; group = $g }
    }
  }
}
foreach ($lg in Get-LocalGroup) {
  $have = @(Get-LocalGroupMember -Group $lg.Name -ErrorAction SilentlyContinue | ForEach-Object { $_.SID.Value })
  foreach ($a in $Accounts) {
    $want = $Expected.Contains($lg.Name) -and ($Expected[$lg.Name] -contains $a)
    if ($Sids[$a] -and ($have -contains $Sids[$a]) -and -not $want) {
      $result.extra += [ordered]@{ account = $a; group = $lg.Name }
    }
  }
}
$reg = (Get-ItemProperty -Path $RegistryPath -Name ADSecurityGroupUpdate -ErrorAction SilentlyContinue).ADSecurityGroupUpdate
$result.ADSecurityGroupUpdate = [ordered]@{ expected = $WantRegistry; actual = $reg }
# One JSON line per host (feed the collected lines to a report).
$result | ConvertTo-Json -Compress -Depth 4
