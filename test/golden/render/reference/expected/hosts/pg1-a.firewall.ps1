# ccsec host firewall for pg1-a (site east): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from reference.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-pg1-a-r4' -DisplayName 'ccsec r4 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol 50 -RemoteAddress 10.10.1.10,10.10.2.40,10.110.1.10,10.110.2.10,10.110.2.40 -Description 'ESP from IPsec peers; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg1-a-r5' -DisplayName 'ccsec r5 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 500 -RemoteAddress 10.10.1.10,10.10.2.40,10.110.1.10,10.110.2.10,10.110.2.40 -Description 'IKE from IPsec peers; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg1-a-r6' -DisplayName 'ccsec r6 ipsec' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol UDP -LocalPort 4500 -RemoteAddress 10.10.1.10,10.10.2.40,10.110.1.10,10.110.2.10,10.110.2.40 -Description 'IKE NAT-T from IPsec peers; inventory line 92' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg1-a-r7' -DisplayName 'ccsec r7 ged-188:pg1-a<-dialer-a' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 42030 -RemoteAddress 10.10.2.40 -Authentication Required -Encryption Required -Description 'ged-188 from dialer-a; inventory line 81' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg1-a-r8' -DisplayName 'ccsec r8 ged-188:pg1-a<-dialer-b' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 42030 -RemoteAddress 10.110.2.40 -Authentication Required -Encryption Required -Description 'ged-188 from dialer-b; inventory line 81' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg1-a-r9' -DisplayName 'ccsec r9 ged-188:pg1-a<-finesse-a' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 42030 -RemoteAddress 10.10.5.20 -Description 'ged-188 from finesse-a; inventory line 81' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg1-a-r10' -DisplayName 'ccsec r10 ged-188:pg1-a<-finesse-b' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 42030 -RemoteAddress 10.110.5.20 -Description 'ged-188 from finesse-b; inventory line 81' | Out-Null
New-NetFirewallRule -Name 'ccsec-pg1-a-r11' -DisplayName 'ccsec r11 private:pg1-a<-pg1-b' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 43004 -RemoteAddress 10.110.2.10 -Authentication Required -Encryption Required -Description 'private from pg1-b; inventory line 81' | Out-Null
