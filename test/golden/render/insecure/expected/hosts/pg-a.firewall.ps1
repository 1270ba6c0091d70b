# ccsec host firewall for pg-a (site main): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from insecure.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-pg-a-r4' -DisplayName 'ccsec r4 ged-188:pg-a<-crm-legacy' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 42030 -RemoteAddress 10.60.9.9 -Description 'ged-188 from crm-legacy; inventory line 104' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg-a-r5' -DisplayName 'ccsec r5 ged-188:pg-a<-dialer-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 42030 -RemoteAddress 10.50.2.40 -Description 'ged-188 from dialer-1; inventory line 103' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg-a-r6' -DisplayName 'ccsec r6 ged-188:pg-a<-finesse-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 42027 -RemoteAddress 10.50.5.20 -Description 'ged-188 from finesse-1; inventory line 102' | Out-Null
