# ccsec host firewall for dialer-b (site west): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from reference.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-dialer-b-r4' -DisplayName 'ccsec r4 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol 50 -RemoteAddress 10.10.2.10,10.10.2.30,10.110.2.10,10.110.2.30 -Description 'ESP from IPsec peers; inventory line 296' | Out-Null
New-NetFirewallRule -Name 'ccsec-dialer-b-r5' -DisplayName 'ccsec r5 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 500 -RemoteAddress 10.10.2.10,10.10.2.30,10.110.2.10,10.110.2.30 -Description 'IKE from IPsec peers; inventory line 296' | Out-Null
New-NetFirewallRule -Name 'ccsec-dialer-b-r6' -DisplayName 'ccsec r6 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 4500 -RemoteAddress 10.10.2.10,10.10.2.30,10.110.2.10,10.110.2.30 -Description 'IKE NAT-T from IPsec peers; inventory line 296' | Out-Null
New-NetFirewallRule -Name 'ccsec-dialer-b-r7' -DisplayName 'ccsec r7 mr:dialer-b<-mrpg-a' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 38001 -RemoteAddress 10.10.2.30 -Authentication Required -Encryption Required -Description 'mr from mrpg-a; inventory line 285' | Out-Null
New-NetFirewallRule -Name 'ccsec-dialer-b-r8' -DisplayName 'ccsec r8 mr:dialer-b<-mrpg-b' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 38001 -RemoteAddress 10.110.2.30 -Authentication Required -Encryption Required -Description 'mr from mrpg-b; inventory line 285' | Out-Null
