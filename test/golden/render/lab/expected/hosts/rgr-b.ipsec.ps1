# ccsec IPsec for rgr-b (Windows, isolation): machine certificates, no pre-shared keys.
# Rendered by ccsec render from lab.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the group 'ccsec' and the ccsec-* sets.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetIPsecRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetIPsecRule
Get-NetIPsecMainModeRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetIPsecMainModeRule
Remove-NetIPsecPhase1AuthSet -Name 'ccsec-machine-cert' -ErrorAction SilentlyContinue
Remove-NetIPsecMainModeCryptoSet -Name 'ccsec-ike' -ErrorAction SilentlyContinue
Remove-NetIPsecQuickModeCryptoSet -Name 'ccsec-esp-gcm' -ErrorAction SilentlyContinue
$cert = New-NetIPsecAuthProposal -Machine -Cert -Authority 'CN=ccsec lab CA' -AuthorityType Root
New-NetIPsecPhase1AuthSet -Name 'ccsec-machine-cert' -DisplayName 'ccsec machine certificate' -Proposal $cert | Out-Null
$mm = New-NetIPsecMainModeCryptoProposal -Encryption AES256 -Hash SHA384 -KeyExchange DH20
New-NetIPsecMainModeCryptoSet -Name 'ccsec-ike' -DisplayName 'ccsec IKE AES-256/SHA-384/ECP-384' -Proposal $mm | Out-Null
$qm = New-NetIPsecQuickModeCryptoProposal -Encapsulation ESP -Encryption AESGCM256 -ESPHash AESGMAC256
New-NetIPsecQuickModeCryptoSet -Name 'ccsec-esp-gcm' -DisplayName 'ccsec ESP AES-256-GCM' -Proposal $qm -PerfectForwardSecrecyGroup DH20 | Out-Null
New-NetIPsecMainModeRule -Name 'ccsec-rgr-b-mm' -DisplayName 'ccsec main mode' -Group 'ccsec' -MainModeCryptoSet 'ccsec-ike' -Phase1AuthSet 'ccsec-machine-cert' -LocalAddress 10.1.1.11 -RemoteAddress 10.1.3.10,10.1.3.11,10.1.2.10,10.1.2.11,10.1.1.10 | Out-Null
New-NetIPsecRule -Name 'ccsec-rgr-b-peer-aw-1' -DisplayName 'ccsec IPsec aw-1 (replication:rgr-b<-aw-1, sql:rgr-b<-aw-1)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.1.11 -RemoteAddress 10.1.3.10 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-rgr-b-peer-hds-1' -DisplayName 'ccsec IPsec hds-1 (replication:rgr-b<-hds-1, sql:rgr-b<-hds-1)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.1.11 -RemoteAddress 10.1.3.11 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-rgr-b-peer-pg-a' -DisplayName 'ccsec IPsec pg-a (dmp:rgr-b<-pg-a)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.1.11 -RemoteAddress 10.1.2.10 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-rgr-b-peer-pg-b' -DisplayName 'ccsec IPsec pg-b (dmp:rgr-b<-pg-b)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.1.11 -RemoteAddress 10.1.2.11 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-rgr-b-peer-rgr-a' -DisplayName 'ccsec IPsec rgr-a (private:rgr-a<-rgr-b, private:rgr-b<-rgr-a)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.1.11 -RemoteAddress 10.1.1.10 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-rgr-b-boundary-dc1' -DisplayName 'ccsec boundary dc1 (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.1.11 -RemoteAddress 10.1.0.5 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-rgr-b-boundary-dc2' -DisplayName 'ccsec boundary dc2 (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.1.11 -RemoteAddress 10.1.0.6 -InboundSecurity None -OutboundSecurity None | Out-Null
