# ccsec IPsec for pg-b (Windows, isolation): machine certificates, no pre-shared keys.
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
New-NetIPsecMainModeRule -Name 'ccsec-pg-b-mm' -DisplayName 'ccsec main mode' -Group 'ccsec' -MainModeCryptoSet 'ccsec-ike' -Phase1AuthSet 'ccsec-machine-cert' -LocalAddress 10.1.2.11 -RemoteAddress 10.1.4.10,10.1.2.10,10.1.1.10,10.1.1.11 | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-peer-cvp-1' -DisplayName 'ccsec IPsec cvp-1 (ged-125:cvp-1<-pg-b)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.4.10 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-peer-pg-a' -DisplayName 'ccsec IPsec pg-a (private:pg-a<-pg-b, private:pg-b<-pg-a)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.2.10 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-peer-rgr-a' -DisplayName 'ccsec IPsec rgr-a (dmp:rgr-a<-pg-b)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.1.10 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-peer-rgr-b' -DisplayName 'ccsec IPsec rgr-b (dmp:rgr-b<-pg-b)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.1.11 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-boundary-cucm-1' -DisplayName 'ccsec boundary cucm-1' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.5.10 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-boundary-cvp-1' -DisplayName 'ccsec boundary cvp-1' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.4.10 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-boundary-dc1' -DisplayName 'ccsec boundary dc1 (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.0.5 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-boundary-dc2' -DisplayName 'ccsec boundary dc2 (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.0.6 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-pg-b-boundary-finesse-1' -DisplayName 'ccsec boundary finesse-1' -Group 'ccsec' -Mode Transport -LocalAddress 10.1.2.11 -RemoteAddress 10.1.5.20 -InboundSecurity None -OutboundSecurity None | Out-Null
