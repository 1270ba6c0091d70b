# ccsec directory provision: lab.example.com from lab.yaml
# Idempotent: creates only what is missing; run on a domain member with the ActiveDirectory module.
#Requires -Modules ActiveDirectory
$ErrorActionPreference = 'Stop'
function Ensure-OU([string]$Name, [string]$Path) {
  $dn = "OU=$Name,$Path"
  if (-not (Get-ADOrganizationalUnit -Filter "DistinguishedName -eq '$dn'")) {
    New-ADOrganizationalUnit -Name $Name -Path $Path -ProtectedFromAccidentalDeletion $true
    Write-Output "created $dn"
  }
}
function Ensure-Group([string]$Name, [string]$Path, [string]$Description) {
  $g = Get-ADGroup -Filter "SamAccountName -eq '$Name'"
  if (-not $g) {
    New-ADGroup -Name $Name -SamAccountName $Name -GroupScope DomainLocal -GroupCategory Security -Path $Path -Description $Description
    Write-Output "created group $Name"
  } elseif ($g.GroupScope -ne 'DomainLocal') {
    throw "group $Name exists with scope $($g.GroupScope), not DomainLocal"
  }
}
Ensure-OU -Name 'CCE' -Path 'DC=lab,DC=example,DC=com'
Ensure-OU -Name 'lab' -Path 'OU=CCE,DC=lab,DC=example,DC=com'
Ensure-OU -Name 'Servers' -Path 'OU=CCE,DC=lab,DC=example,DC=com'
Ensure-OU -Name 'Groups' -Path 'OU=lab,OU=CCE,DC=lab,DC=example,DC=com'
Ensure-Group -Name 'lab_Config' -Path 'OU=Groups,OU=lab,OU=CCE,DC=lab,DC=example,DC=com' -Description 'ccsec: lab config users (local UcceService on core hosts)'
Ensure-Group -Name 'lab_Service' -Path 'OU=Groups,OU=lab,OU=CCE,DC=lab,DC=example,DC=com' -Description 'ccsec: lab service accounts (local UcceService on core hosts)'
Ensure-Group -Name 'lab_Setup' -Path 'OU=Groups,OU=lab,OU=CCE,DC=lab,DC=example,DC=com' -Description 'ccsec: lab setup users (local Administrators on core hosts)'
