#pragma once
// Target "antivirus": antivirus configuration following the design's guidance (seed "Virus
// Protection", CCS-HST-002/005) for every Linux and Windows host (VOS appliances get their
// antivirus from the vendor):
//   Linux   hosts/<host>.clamd.conf            ClamAV daemon + on-access (clamonacc): files
//                                              arriving in the write locations, no other file
//                                              systems (remote drives), heuristics only on DMZ
//                                              hosts (entry points from untrusted networks),
//                                              ccsec's state and the store's data excluded;
//           hosts/<host>.freshclam.conf        definitions checked twice a day (never older
//                                              than a day);
//           hosts/<host>.clamav-scan.service   the scheduled scan (clamdscan, idle I/O class)
//           hosts/<host>.clamav-scan.timer     daily at the scan time;
//   Windows hosts/<host>.defender.ps1          Microsoft Defender: real-time scanning of incoming
//                                              (written) files, no network files or mapped drives,
//                                              definitions every 12 hours, a daily scan at the
//                                              scan time, SQL Server data files excluded on SQL
//                                              hosts (Set-MpPreference / Add-MpPreference).
// The scan time is the start of the host's protection.antivirus.scheduled_window when that
// window lies outside deployment.busy_hours, else the middle of the quiet hours (the
// complement of busy_hours); the file says which.

#include <string>

#include "render/generator.h"

namespace ccsec::render {

class AntivirusGenerator final : public Generator {
 public:
  std::string_view name() const override { return "antivirus"; }
  FeatureSet features() const override { return {}; }
  std::vector<RenderedFile> render(const RenderInput& in) const override;
};

/// The scan time "HH:MM" for a host and why ("scheduled_window ..." or "middle of the quiet
/// hours ..."). `busy` and `window` are "HH:MM-HH:MM" (validated by the loader); `window` may be
/// empty.
struct ScanTime {
  std::string hhmm;
  std::string reason;
};
ScanTime scanTime(const std::string& busy, const std::string& window);

}  // namespace ccsec::render
