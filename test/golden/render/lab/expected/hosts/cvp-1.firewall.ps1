# ccsec host firewall for cvp-1 (site lab): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from lab.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-cvp-1-r4' -DisplayName 'ccsec r4 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol 50 -RemoteAddress 10.1.2.10,10.1.2.11 -Description 'ESP from IPsec peers; inventory line 127' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r5' -DisplayName 'ccsec r5 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 500 -RemoteAddress 10.1.2.10,10.1.2.11 -Description 'IKE from IPsec peers; inventory line 127' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r6' -DisplayName 'ccsec r6 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 4500 -RemoteAddress 10.1.2.10,10.1.2.11 -Description 'IKE NAT-T from IPsec peers; inventory line 127' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r7' -DisplayName 'ccsec r7 ged-125:cvp-1<-pg-a' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5000 -RemoteAddress 10.1.2.10 -Authentication Required -Encryption Required -Description 'ged-125 from pg-a; inventory line 117' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r8' -DisplayName 'ccsec r8 ged-125:cvp-1<-pg-b' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5000 -RemoteAddress 10.1.2.11 -Authentication Required -Encryption Required -Description 'ged-125 from pg-b; inventory line 117' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r9' -DisplayName 'ccsec r9 sip:cvp-1<-cube-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 192.0.2.10 -Description 'sip from cube-1; inventory line 117' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r10' -DisplayName 'ccsec r10 sip:cvp-1<-cucm-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 10.1.5.10 -Description 'sip from cucm-1; inventory line 117' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-1-r11' -DisplayName 'ccsec r11 vxml-http:cvp-1<-vvb-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 7443 -RemoteAddress 10.1.4.20 -Description 'vxml-http from vvb-1; inventory line 173' | Out-Null
