# ccsec IPsec for cvp-east (Windows, isolation): machine certificates, no pre-shared keys.
# Rendered by ccsec render from reference.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the group 'ccsec' and the ccsec-* sets.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetIPsecRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetIPsecRule
Get-NetIPsecMainModeRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetIPsecMainModeRule
Remove-NetIPsecPhase1AuthSet -Name 'ccsec-machine-cert' -ErrorAction SilentlyContinue
Remove-NetIPsecMainModeCryptoSet -Name 'ccsec-ike' -ErrorAction SilentlyContinue
Remove-NetIPsecQuickModeCryptoSet -Name 'ccsec-esp-gcm' -ErrorAction SilentlyContinue
$cert = New-NetIPsecAuthProposal -Machine -Cert -Authority 'CN=ccsec reference CA' -AuthorityType Root
New-NetIPsecPhase1AuthSet -Name 'ccsec-machine-cert' -DisplayName 'ccsec machine certificate' -Proposal $cert | Out-Null
$mm = New-NetIPsecMainModeCryptoProposal -Encryption AES256 -Hash SHA384 -KeyExchange DH20
New-NetIPsecMainModeCryptoSet -Name 'ccsec-ike' -DisplayName 'ccsec IKE AES-256/SHA-384/ECP-384' -Proposal $mm | Out-Null
$qm = New-NetIPsecQuickModeCryptoProposal -Encapsulation ESP -Encryption AESGCM256 -ESPHash AESGMAC256
New-NetIPsecQuickModeCryptoSet -Name 'ccsec-esp-gcm' -DisplayName 'ccsec ESP AES-256-GCM' -Proposal $qm -PerfectForwardSecrecyGroup DH20 | Out-Null
New-NetIPsecMainModeRule -Name 'ccsec-cvp-east-mm' -DisplayName 'ccsec main mode' -Group 'ccsec' -MainModeCryptoSet 'ccsec-ike' -Phase1AuthSet 'ccsec-machine-cert' -LocalAddress 10.10.4.10 -RemoteAddress 10.10.2.20,10.110.2.20 | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-peer-vrupg-a' -DisplayName 'ccsec IPsec vrupg-a (ged-125:cvp-east<-vrupg-a)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.10.2.20 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-peer-vrupg-b' -DisplayName 'ccsec IPsec vrupg-b (ged-125:cvp-east<-vrupg-b)' -Group 'ccsec' -Mode Tunnel -LocalTunnelEndpoint 10.10.4.10 -RemoteTunnelEndpoint 10.110.2.20 -LocalAddress 10.10.4.10 -RemoteAddress 10.110.2.20 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-cube-east' -DisplayName 'ccsec boundary cube-east' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 192.0.2.10 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-cube-west' -DisplayName 'ccsec boundary cube-west' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 198.51.100.10 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-cucm-east' -DisplayName 'ccsec boundary cucm-east' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.10.5.10 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-cucm-west' -DisplayName 'ccsec boundary cucm-west' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.110.5.10 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-dc1-east' -DisplayName 'ccsec boundary dc1-east (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.10.0.5 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-dc1-west' -DisplayName 'ccsec boundary dc1-west (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.110.0.5 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-dc2-east' -DisplayName 'ccsec boundary dc2-east (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.10.0.6 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-dc2-west' -DisplayName 'ccsec boundary dc2-west (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.110.0.6 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-vvb-east' -DisplayName 'ccsec boundary vvb-east' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.10.4.20 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvp-east-boundary-vvb-west' -DisplayName 'ccsec boundary vvb-west' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.4.10 -RemoteAddress 10.110.4.20 -InboundSecurity None -OutboundSecurity None | Out-Null
