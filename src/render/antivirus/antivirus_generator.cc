#include "render/antivirus/antivirus_generator.h"

#include <algorithm>
#include <cstdio>

#include "render/sql_server/sql_server_generator.h"
#include "render/text_util.h"

namespace ccsec::render {
namespace {

constexpr int kDay = 24 * 60;

int minutes(const std::string& s, std::size_t at) {
  return ((s[at] - '0') * 10 + (s[at + 1] - '0')) * 60 + (s[at + 3] - '0') * 10 + (s[at + 4] - '0');
}

// [from, to) in minutes of the day, wrapping midnight when to <= from.
bool inside(int m, int from, int to) {
  return from < to ? (m >= from && m < to) : (m >= from || m < to);
}

std::string hhmm(int m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", (m / 60) % 24, m % 60);
  return buf;
}

bool isDmz(const inventory::Host& h, const inventory::Model& m) {
  const auto* z = m.findZone(h.zone);
  return z != nullptr && z->kind == inventory::ZoneKind::kDmz;
}

std::string header(const inventory::Host& h, const inventory::Model& m, const std::string& what) {
  return renderedBy("#", "ccsec antivirus for " + h.name + " (site " + h.site + "): " + what,
                    inventoryName(m.source_file)) +
         "\n";
}

std::vector<RenderedFile> renderLinux(const inventory::Host& h, const RenderInput& in,
                                      const ScanTime& t) {
  const auto& m = in.model;
  std::vector<RenderedFile> out;
  const bool dmz = isDmz(h, m);
  std::string c =
      header(h, m, "ClamAV daemon and on-access scanning; install as /etc/clamav/clamd.conf.");
  c += "LocalSocket /run/clamav/clamd.ctl\n"
       "FixStaleSocket yes\n"
       "LocalSocketGroup clamav\n"
       "LocalSocketMode 666\n"
       "User clamav\n"
       "LogSyslog yes\n"
       "LogTime yes\n"
       "DatabaseDirectory /var/lib/clamav\n"
       "# Only local file systems: never descend into other (network, remote) mounts.\n"
       "CrossFilesystems no\n"
       "ExcludePath ^/proc/\n"
       "ExcludePath ^/sys/\n"
       "ExcludePath ^/dev/\n"
       "ExcludePath ^/run/\n"
       "# ccsec's own state (findings and audit store), written continuously, no executable "
       "content.\n"
       "ExcludePath ^/var/lib/ccsec/\n";
  if (h.hasRole("ccsec-store"))
    c += "# The PostgreSQL store's data files.\nExcludePath ^/var/lib/postgresql/\n";
  c += std::string("# Heuristics cost more: only at entry points from untrusted networks (") +
       (dmz ? "this host is in a DMZ zone" : "this host is not in a DMZ zone") + ").\n";
  c += std::string("HeuristicAlerts ") + (dmz ? "yes" : "no") + "\n";
  c += "# On-access (clamonacc): the locations where files arrive, scanned when a file is\n"
       "# created or moved there (OnAccessExtraScanning); no other paths, so reads of the\n"
       "# product's data are not scanned. No network mounts are watched.\n"
       "OnAccessIncludePath /home\n"
       "OnAccessIncludePath /srv\n"
       "OnAccessIncludePath /tmp\n"
       "OnAccessIncludePath /var/tmp\n"
       "OnAccessExcludePath /var/lib/ccsec\n"
       "OnAccessExtraScanning yes\n"
       "OnAccessPrevention no\n"
       "OnAccessExcludeUname clamav\n"
       "OnAccessMaxFileSize 25M\n";
  out.push_back({"hosts/" + h.name + ".clamd.conf", std::move(c), {}});

  std::string f = header(h, m, "ClamAV definitions; install as /etc/clamav/freshclam.conf.");
  f += "DatabaseOwner clamav\n"
       "DatabaseDirectory /var/lib/clamav\n"
       "UpdateLogFile /var/log/clamav/freshclam.log\n"
       "LogTime yes\n"
       "LogSyslog yes\n"
       "DatabaseMirror database.clamav.net\n"
       "# Daily definitions: checked twice a day, so one failed check still leaves them less\n"
       "# than a day old (CCS-HST-002).\n"
       "Checks 2\n"
       "NotifyClamd /etc/clamav/clamd.conf\n";
  out.push_back({"hosts/" + h.name + ".freshclam.conf", std::move(f), {}});

  std::string s = header(h, m, "the scheduled scan; install as ccsec-clamav-scan.service.");
  s += "[Unit]\n"
       "Description=ccsec scheduled ClamAV scan of the local file systems\n"
       "Requires=clamav-daemon.service\n"
       "After=clamav-daemon.service\n"
       "\n"
       "[Service]\n"
       "Type=oneshot\n"
       "Nice=19\n"
       "IOSchedulingClass=idle\n"
       "# From / down, this file system only (clamd.conf: CrossFilesystems no).\n"
       "ExecStart=/usr/bin/clamdscan --fdpass --multiscan --infected /\n";
  out.push_back({"hosts/" + h.name + ".clamav-scan.service", std::move(s), {}});

  std::string tm = header(h, m, "the scan schedule; install as ccsec-clamav-scan.timer.");
  tm += "# " + t.reason + "\n";
  tm +=
      "[Unit]\n"
      "Description=ccsec daily ClamAV scan at " +
      t.hhmm + " (outside busy hours " + m.deployment.busy_hours +
      ")\n"
      "\n"
      "[Timer]\n"
      "OnCalendar=*-*-* " +
      t.hhmm +
      ":00\n"
      "Unit=ccsec-clamav-scan.service\n"
      "\n"
      "[Install]\n"
      "WantedBy=timers.target\n";
  out.push_back({"hosts/" + h.name + ".clamav-scan.timer", std::move(tm), {}});
  return out;
}

RenderedFile renderWindows(const inventory::Host& h, const RenderInput& in, const ScanTime& t) {
  const auto& m = in.model;
  std::string o = renderedBy(
      "#",
      "ccsec antivirus for " + h.name + " (site " + h.site + "): Microsoft Defender preferences.",
      inventoryName(m.source_file));
  o += "\n# Idempotent: Set-MpPreference sets values, Add-MpPreference adds an exclusion once.\n";
  o += "#Requires -RunAsAdministrator\n";
  o += "$ErrorActionPreference = 'Stop'\n";
  o += "# Real-time scanning of incoming (written) files only; never network files or mapped "
       "drives.\n";
  o += "Set-MpPreference -DisableRealtimeMonitoring $false -RealTimeScanDirection Incoming "
       "-DisableScanningNetworkFiles $true -DisableScanningMappedNetworkDrivesForFullScan $true\n";
  o += "# Daily definitions: checked every 12 hours (never older than a day, CCS-HST-002).\n";
  o += "Set-MpPreference -SignatureUpdateInterval 12\n";
  o += "# " + t.reason + "\n";
  o += "Set-MpPreference -ScanScheduleDay Everyday -ScanScheduleTime " + t.hhmm +
       ":00 -ScanParameters FullScan -ScanOnlyIfIdleEnabled $true\n";
  if (runsSqlServer(h, in.catalog)) {
    o += "# SQL Server data, log and secondary data files (scanning them costs I/O and risks "
         "corruption).\n";
    o += "Add-MpPreference -ExclusionExtension 'mdf', 'ldf', 'ndf'\n";
  }
  o += "Get-MpPreference | Select-Object RealTimeScanDirection, DisableScanningNetworkFiles, "
       "SignatureUpdateInterval, ScanScheduleDay, ScanScheduleTime, ExclusionExtension\n";
  return {"hosts/" + h.name + ".defender.ps1", std::move(o), {}};
}

}  // namespace

ScanTime scanTime(const std::string& busy, const std::string& window) {
  const int b0 = minutes(busy, 0), b1 = minutes(busy, 6);
  if (!window.empty()) {
    const int w0 = minutes(window, 0), w1 = minutes(window, 6);
    bool overlaps = false;
    for (int mi = 0; mi < kDay && !overlaps; ++mi)
      overlaps = inside(mi, w0, w1) && inside(mi, b0, b1);
    if (!overlaps)
      return {hhmm(w0), "scan time: start of protection.antivirus.scheduled_window " + window +
                            " (outside busy hours " + busy + ")"};
  }
  const int quiet = (b0 - b1 + kDay) % kDay;  // length of [b1, b0)
  const int mid = (b1 + quiet / 2) % kDay;
  std::string reason = "scan time: middle of the quiet hours (outside busy hours " + busy + ")";
  if (!window.empty()) reason += "; scheduled_window " + window + " overlaps the busy hours";
  return {hhmm(mid), reason};
}

std::vector<RenderedFile> AntivirusGenerator::render(const RenderInput& in) const {
  std::vector<const inventory::Host*> hosts;
  for (const auto& h : in.model.hosts)
    if (h.os != inventory::Os::kVos) hosts.push_back(&h);
  std::sort(hosts.begin(), hosts.end(),
            [](const auto* a, const auto* b) { return a->name < b->name; });
  std::vector<RenderedFile> out;
  for (const auto* h : hosts) {
    std::string window;
    if (h->protection.antivirus && h->protection.antivirus->scheduled_window)
      window = *h->protection.antivirus->scheduled_window;
    const ScanTime t = scanTime(in.model.deployment.busy_hours, window);
    if (h->os == inventory::Os::kLinux) {
      for (auto& f : renderLinux(*h, in, t)) out.push_back(std::move(f));
    } else {
      out.push_back(renderWindows(*h, in, t));
    }
  }
  return out;
}

}  // namespace ccsec::render
