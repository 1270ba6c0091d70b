# ccsec host firewall for dialer-1 (site main): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from insecure.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-dialer-1-r4' -DisplayName 'ccsec r4 mr:dialer-1<-mrpg-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 38001 -RemoteAddress 10.50.2.30 -Description 'mr from mrpg-1; inventory line 105' | Out-Null
