# ccsec IPsec for hds-east (Windows, isolation): machine certificates, no pre-shared keys.
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
New-NetIPsecMainModeRule -Name 'ccsec-hds-east-mm' -DisplayName 'ccsec main mode' -Group 'ccsec' -MainModeCryptoSet 'ccsec-ike' -Phase1AuthSet 'ccsec-machine-cert' -LocalAddress 10.10.3.20 -RemoteAddress 10.10.1.10,10.110.1.10 | Out-Null
New-NetIPsecRule -Name 'ccsec-hds-east-peer-rgr-a' -DisplayName 'ccsec IPsec rgr-a (replication:rgr-a<-hds-east, sql:rgr-a<-hds-east)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.3.20 -RemoteAddress 10.10.1.10 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-hds-east-peer-rgr-b' -DisplayName 'ccsec IPsec rgr-b (replication:rgr-b<-hds-east, sql:rgr-b<-hds-east)' -Group 'ccsec' -Mode Tunnel -LocalTunnelEndpoint 10.10.3.20 -RemoteTunnelEndpoint 10.110.1.10 -LocalAddress 10.10.3.20 -RemoteAddress 10.110.1.10 -InboundSecurity Require -OutboundSecurity Require -Phase1AuthSet 'ccsec-machine-cert' -QuickModeCryptoSet 'ccsec-esp-gcm' | Out-Null
New-NetIPsecRule -Name 'ccsec-hds-east-boundary-cuic-east' -DisplayName 'ccsec boundary cuic-east' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.3.20 -RemoteAddress 10.10.5.30 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-hds-east-boundary-dc1-east' -DisplayName 'ccsec boundary dc1-east (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.3.20 -RemoteAddress 10.10.0.5 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-hds-east-boundary-dc1-west' -DisplayName 'ccsec boundary dc1-west (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.3.20 -RemoteAddress 10.110.0.5 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-hds-east-boundary-dc2-east' -DisplayName 'ccsec boundary dc2-east (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.3.20 -RemoteAddress 10.10.0.6 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-hds-east-boundary-dc2-west' -DisplayName 'ccsec boundary dc2-west (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.10.3.20 -RemoteAddress 10.110.0.6 -InboundSecurity None -OutboundSecurity None | Out-Null
