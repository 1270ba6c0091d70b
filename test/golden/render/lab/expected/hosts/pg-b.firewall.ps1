# ccsec host firewall for pg-b (site lab): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from lab.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-pg-b-r4' -DisplayName 'ccsec r4 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol 50 -RemoteAddress 10.1.1.10,10.1.1.11,10.1.2.10,10.1.4.10 -Description 'ESP from IPsec peers; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg-b-r5' -DisplayName 'ccsec r5 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 500 -RemoteAddress 10.1.1.10,10.1.1.11,10.1.2.10,10.1.4.10 -Description 'IKE from IPsec peers; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg-b-r6' -DisplayName 'ccsec r6 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 4500 -RemoteAddress 10.1.1.10,10.1.1.11,10.1.2.10,10.1.4.10 -Description 'IKE NAT-T from IPsec peers; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg-b-r7' -DisplayName 'ccsec r7 ged-188:pg-b<-finesse-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 43030 -RemoteAddress 10.1.5.20 -Description 'ged-188 from finesse-1; inventory line 81' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg-b-r8' -DisplayName 'ccsec r8 private:pg-b<-pg-a' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 43004 -RemoteAddress 10.1.2.10 -Authentication Required -Encryption Required -Description 'private from pg-a; inventory line 81' | Out-Null
