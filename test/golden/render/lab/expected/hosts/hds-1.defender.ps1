# ccsec antivirus for hds-1 (site lab): Microsoft Defender preferences.
# Rendered by ccsec render from lab.yaml; do not edit: re-render instead.
# Idempotent: Set-MpPreference sets values, Add-MpPreference adds an exclusion once.
#Requires -RunAsAdministrator
$ErrorActionPreference = 'Stop'
# Real-time scanning of incoming (written) files only; never network files or mapped drives.
Set-MpPreference -DisableRealtimeMonitoring $false -RealTimeScanDirection Incoming -DisableScanningNetworkFiles $true -DisableScanningMappedNetworkDrivesForFullScan $true
# Daily definitions: checked every 12 hours (never older than a day, CCS-HST-002).
Set-MpPreference -SignatureUpdateInterval 12
# scan time: start of protection.antivirus.scheduled_window 02:00-04:00 (outside busy hours 06:00-22:00)
Set-MpPreference -ScanScheduleDay Everyday -ScanScheduleTime 02:00:00 -ScanParameters FullScan -ScanOnlyIfIdleEnabled $true
# SQL Server data, log and secondary data files (scanning them costs I/O and risks corruption).
Add-MpPreference -ExclusionExtension 'mdf', 'ldf', 'ndf'
Get-MpPreference | Select-Object RealTimeScanDirection, DisableScanningNetworkFiles, SignatureUpdateInterval, ScanScheduleDay, ScanScheduleTime, ExclusionExtension
