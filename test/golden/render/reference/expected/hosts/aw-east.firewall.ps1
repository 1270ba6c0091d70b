# ccsec host firewall for aw-east (site east): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from reference.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-aw-east-r4' -DisplayName 'ccsec r4 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol 50 -RemoteAddress 10.10.1.10,10.110.1.10 -Description 'ESP from IPsec peers; inventory line 145' | Out-Null
New-NetFirewallRule -Name 'ccsec-aw-east-r5' -DisplayName 'ccsec r5 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 500 -RemoteAddress 10.10.1.10,10.110.1.10 -Description 'IKE from IPsec peers; inventory line 145' | Out-Null
New-NetFirewallRule -Name 'ccsec-aw-east-r6' -DisplayName 'ccsec r6 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 4500 -RemoteAddress 10.10.1.10,10.110.1.10 -Description 'IKE NAT-T from IPsec peers; inventory line 145' | Out-Null
New-NetFirewallRule -Name 'ccsec-aw-east-r7' -DisplayName 'ccsec r7 sql:aw-east<-adm-east' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 1433 -RemoteAddress 10.20.5.10 -Description 'sql from adm-east; inventory line 135' | Out-Null
New-NetFirewallRule -Name 'ccsec-aw-east-r8' -DisplayName 'ccsec r8 sql:aw-east<-cuic-east' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 1433 -RemoteAddress 10.10.5.30 -Description 'sql from cuic-east; inventory line 135' | Out-Null
