# ccsec host firewall for cvp-1 (site main): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from insecure.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-cvp-1-r4' -DisplayName 'ccsec r4 ged-125:cvp-1<-pg-a' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5000 -RemoteAddress 10.50.2.10 -Description 'ged-125 from pg-a; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r5' -DisplayName 'ccsec r5 sip:cvp-1<-cucm-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 10.50.5.10 -Description 'sip from cucm-1; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r6' -DisplayName 'ccsec r6 sip:cvp-1<-vxml-gw' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 203.0.113.20 -Description 'sip from vxml-gw; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r7' -DisplayName 'ccsec r7 vxml-http:cvp-1<-vxml-gw' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 7000 -RemoteAddress 203.0.113.20 -Description 'vxml-http from vxml-gw; inventory line 92' | Out-Null
