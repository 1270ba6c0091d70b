# ccsec host firewall for vrupg-b (site west): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from reference.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-vrupg-b-r4' -DisplayName 'ccsec r4 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol 50 -RemoteAddress 10.10.1.10,10.10.4.10,10.110.1.10,10.110.4.10 -Description 'ESP from IPsec peers; inventory line 74' | Out-Null
New-NetFirewallRule -Name 'ccsec-vrupg-b-r5' -DisplayName 'ccsec r5 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 500 -RemoteAddress 10.10.1.10,10.10.4.10,10.110.1.10,10.110.4.10 -Description 'IKE from IPsec peers; inventory line 74' | Out-Null
New-NetFirewallRule -Name 'ccsec-vrupg-b-r6' -DisplayName 'ccsec r6 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 4500 -RemoteAddress 10.10.1.10,10.10.4.10,10.110.1.10,10.110.4.10 -Description 'IKE NAT-T from IPsec peers; inventory line 74' | Out-Null
