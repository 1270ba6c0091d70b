# ccsec host firewall for rgr-a (site main): Windows Defender Firewall, inbound blocked by default.
# Rendered by ccsec render from insecure.yaml; do not edit: re-render instead.
# Idempotent: every run removes and re-creates the rule group 'ccsec'.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
Get-NetFirewallRule -Group 'ccsec' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True -DefaultInboundAction Block -DefaultOutboundAction Allow
New-NetFirewallRule -Name 'ccsec-rgr-a-r4' -DisplayName 'ccsec r4 dmp:rgr-a<-mrpg-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 40002 -RemoteAddress 10.50.2.30 -Description 'dmp from mrpg-1; inventory line 47' | Out-Null
New-NetFirewallRule -Name 'ccsec-rgr-a-r5' -DisplayName 'ccsec r5 dmp:rgr-a<-pg-a' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 40002 -RemoteAddress 10.50.2.10 -Description 'dmp from pg-a; inventory line 47' | Out-Null
New-NetFirewallRule -Name 'ccsec-rgr-a-r6' -DisplayName 'ccsec r6 private:rgr-a<-rgr-b' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 41004 -RemoteAddress 10.80.1.10 -Description 'private from rgr-b; inventory line 47' | Out-Null
New-NetFirewallRule -Name 'ccsec-rgr-a-r7' -DisplayName 'ccsec r7 replication:rgr-a<-aw-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 40026 -RemoteAddress 10.50.3.11 -Description 'replication from aw-1; inventory line 47' | Out-Null
New-NetFirewallRule -Name 'ccsec-rgr-a-r8' -DisplayName 'ccsec r8 replication:rgr-a<-aw-2' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 40026 -RemoteAddress 10.50.3.12 -Description 'replication from aw-2; inventory line 47' | Out-Null
New-NetFirewallRule -Name 'ccsec-rgr-a-r9' -DisplayName 'ccsec r9 replication:rgr-a<-aw-3' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 40026 -RemoteAddress 10.60.3.13 -Description 'replication from aw-3; inventory line 47' | Out-Null
New-NetFirewallRule -Name 'ccsec-rgr-a-r10' -DisplayName 'ccsec r10 sql:rgr-a<-aw-1' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 1433 -RemoteAddress 10.50.3.11 -Description 'sql from aw-1; inventory line 47' | Out-Null
New-NetFirewallRule -Name 'ccsec-rgr-a-r11' -DisplayName 'ccsec r11 sql:rgr-a<-aw-2' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 1433 -RemoteAddress 10.50.3.12 -Description 'sql from aw-2; inventory line 47' | Out-Null
New-NetFirewallRule -Name 'ccsec-rgr-a-r12' -DisplayName 'ccsec r12 sql:rgr-a<-aw-3' -Group 'ccsec' -Direction Inbound -Action Allow -Protocol TCP -LocalPort 1433 -RemoteAddress 10.60.3.13 -Description 'sql from aw-3; inventory line 47' | Out-Null
