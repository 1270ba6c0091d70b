# ccsec IPsec for cvprpt-west (Windows, isolation): machine certificates, no pre-shared keys.
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
New-NetIPsecRule -Name 'ccsec-cvprpt-west-boundary-dc1-east' -DisplayName 'ccsec boundary dc1-east (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.110.4.30 -RemoteAddress 10.10.0.5 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvprpt-west-boundary-dc1-west' -DisplayName 'ccsec boundary dc1-west (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.110.4.30 -RemoteAddress 10.110.0.5 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvprpt-west-boundary-dc2-east' -DisplayName 'ccsec boundary dc2-east (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.110.4.30 -RemoteAddress 10.10.0.6 -InboundSecurity None -OutboundSecurity None | Out-Null
New-NetIPsecRule -Name 'ccsec-cvprpt-west-boundary-dc2-west' -DisplayName 'ccsec boundary dc2-west (domain controller)' -Group 'ccsec' -Mode Transport -LocalAddress 10.110.4.30 -RemoteAddress 10.110.0.6 -InboundSecurity None -OutboundSecurity None | Out-Null
