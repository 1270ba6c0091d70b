# ccsec host firewall for cvp-east (site east): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from reference.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-cvp-east-r4' -DisplayName 'ccsec r4 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol 50 -RemoteAddress 10.10.2.20,10.110.2.20 -Description 'ESP from IPsec peers; inventory line 171' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r5' -DisplayName 'ccsec r5 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 500 -RemoteAddress 10.10.2.20,10.110.2.20 -Description 'IKE from IPsec peers; inventory line 171' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r6' -DisplayName 'ccsec r6 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 4500 -RemoteAddress 10.10.2.20,10.110.2.20 -Description 'IKE NAT-T from IPsec peers; inventory line 171' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r7' -DisplayName 'ccsec r7 ged-125:cvp-east<-vrupg-a' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5000 -RemoteAddress 10.10.2.20 -Authentication Required -Encryption Required -Description 'ged-125 from vrupg-a; inventory line 161' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r8' -DisplayName 'ccsec r8 ged-125:cvp-east<-vrupg-b' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5000 -RemoteAddress 10.110.2.20 -Authentication Required -Encryption Required -Description 'ged-125 from vrupg-b; inventory line 161' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r9' -DisplayName 'ccsec r9 sip:cvp-east<-cube-east' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 192.0.2.10 -Description 'sip from cube-east; inventory line 161' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r10' -DisplayName 'ccsec r10 sip:cvp-east<-cube-west' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 198.51.100.10 -Description 'sip from cube-west; inventory line 161' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r11' -DisplayName 'ccsec r11 sip:cvp-east<-cucm-east' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 10.10.5.10 -Description 'sip from cucm-east; inventory line 161' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r12' -DisplayName 'ccsec r12 sip:cvp-east<-cucm-west' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 5061 -RemoteAddress 10.110.5.10 -Description 'sip from cucm-west; inventory line 161' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r13' -DisplayName 'ccsec r13 vxml-http:cvp-east<-vvb-east' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 7443 -RemoteAddress 10.10.4.20 -Description 'vxml-http from vvb-east; inventory line 420' | Out-Null
New-NetFirewallRule -Name 'ccsec-cvp-east-r14' -DisplayName 'ccsec r14 vxml-http:cvp-east<-vvb-west' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 7443 -RemoteAddress 10.110.4.20 -Description 'vxml-http from vvb-west; inventory line 421' | Out-Null
