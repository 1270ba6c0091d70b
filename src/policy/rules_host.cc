// Host protection rules (seed: "Security Layers" (host firewall, virus protection, patch
// management), "Virus Protection", "Patch Management", "Security Design Elements" (SQL Server
// hardening)). They apply to windows and linux hosts; patch age (HST-003) applies to vos
// appliances too (their patches come from the vendor); antivirus and SQL rules skip vos.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "core/text.h"
#include "policy/checks.h"

namespace ccsec::policy::checks {

using inventory::Host;

namespace {

bool applies(const Host& h) { return h.os != inventory::Os::kVos; }

// True when the window "HH:MM-HH:MM" (may wrap midnight) overlaps the busy window
// [busy_start, busy_end) (which may wrap too; empty when equal); nullopt when malformed.
std::optional<bool> overlapsBusyHours(std::string_view window, int busy_start, int busy_end) {
  auto w = parseWindow(window);
  if (!w) return std::nullopt;
  if (busy_start == busy_end) return false;
  // Spans as [a, b) pieces within one day.
  auto pieces = [](int a, int b) {
    std::vector<std::pair<int, int>> out;
    if (a < b) {
      out.emplace_back(a, b);
    } else if (a > b) {
      out.emplace_back(a, 24 * 60);
      out.emplace_back(0, b);
    }
    return out;
  };
  for (auto [a, b] : pieces(w->first, w->second))
    for (auto [c, d] : pieces(busy_start, busy_end))
      if (a < d && b > c) return true;
  return false;
}

std::string hhmm(int minutes) { return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60); }

}  // namespace

void hostFirewall(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Host& h : ctx.model.hosts) {
    if (!applies(h)) continue;
    if (!h.protection.host_firewall) {
      emitNotStated(rule, out, h.name,
                    fmt::format("host {}: whether its host firewall is on is", h.name), h.loc,
                    "whether the host firewall is on", "hosts[].protection.host_firewall");
    } else if (!*h.protection.host_firewall) {
      emit(rule, out, h.name, fmt::format("host {} has its host firewall disabled", h.name), h.loc);
    }
  }
}

void antivirusCurrent(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  const std::int64_t max_age = ctx.options.threshold("av_definitions_age_days");
  for (const Host& h : ctx.model.hosts) {
    if (!applies(h)) continue;
    const auto& av = h.protection.antivirus;
    if (!av) {
      emitNotStated(rule, out, h.name, fmt::format("host {}: its antivirus is", h.name), h.loc,
                    "the host's antivirus", "hosts[].protection.antivirus");
    } else if (!av->installed) {
      emit(rule, out, h.name, fmt::format("host {} has no antivirus installed", h.name), av->loc);
    } else if (!av->definitions_age_days) {
      emitNotStated(rule, out, h.name,
                    fmt::format("host {}: the age of its antivirus definitions is", h.name),
                    av->loc, "the age of the antivirus definitions",
                    "hosts[].protection.antivirus.definitions_age_days");
    } else if (*av->definitions_age_days > max_age) {
      emit(rule, out, h.name,
           fmt::format("host {} has antivirus definitions {} days old (more than "
                       "av_definitions_age_days={})",
                       h.name, *av->definitions_age_days, max_age),
           av->loc, Severity::kMedium);
    }
  }
}

namespace {

// The update path of the host's platform.
std::string_view patchPath(const Host& h) {
  switch (h.os) {
    case inventory::Os::kVos:
      return "Install the vendor's security patches for the appliance's release (Cisco COP files "
             "or a release upgrade through the OS administration interface) and record "
             "last_patched (--set patch_age_days=N).";
    case inventory::Os::kLinux:
      return "Apply the distribution's security updates and record last_patched (--set "
             "patch_age_days=N).";
    case inventory::Os::kWindows:
      break;
  }
  return "Approve and install the security updates through WSUS in the next maintenance window "
         "(OS, SQL Server and third-party software) and record last_patched (--set "
         "patch_age_days=N).";
}

}  // namespace

void patchesCurrent(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  const std::int64_t max_age = ctx.options.threshold("patch_age_days");
  for (const Host& h : ctx.model.hosts) {
    if (!h.protection.last_patched) {
      emitNotStated(rule, out, h.name, fmt::format("host {}: when it was last patched is", h.name),
                    h.loc, "the date of the last security patches",
                    "hosts[].protection.last_patched");
      continue;
    }
    const std::int64_t age = ctx.options.as_of - *h.protection.last_patched;
    if (age <= max_age) continue;
    emitWith(rule, out, h.name,
             fmt::format("{} host {} was last patched on {}, {} days before {} (more than "
                         "patch_age_days={})",
                         inventory::toString(h.os), h.name, h.protection.last_patched->str(), age,
                         ctx.options.as_of.str(), max_age),
             h.loc, rule.severity, patchPath(h));
  }
}

void sqlHardened(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Host& h : ctx.model.hosts) {
    if (!applies(h) || !ctx.hasSqlRole(h)) continue;
    if (!h.protection.sql_hardened) {
      emitNotStated(rule, out, h.name,
                    fmt::format("host {} runs SQL Server; whether it is hardened is", h.name),
                    h.loc, "whether SQL Server hardening was applied",
                    "hosts[].protection.sql_hardened");
    } else if (!*h.protection.sql_hardened) {
      emit(rule, out, h.name, fmt::format("host {} runs SQL Server without SQL hardening", h.name),
           h.loc);
    }
  }
}

void antivirusGuidance(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Host& h : ctx.model.hosts) {
    if (!applies(h)) continue;
    const auto& av = h.protection.antivirus;
    if (!av || !av->installed) continue;  // CCS-HST-002 reports these
    std::vector<std::string> problems;
    std::vector<std::string> unstated;
    if (!av->on_access)
      unstated.push_back("on_access");
    else if (*av->on_access != inventory::OnAccessScan::kWrites)
      problems.push_back(fmt::format("on-access scanning is \"{}\" instead of writes only",
                                     inventory::toString(*av->on_access)));
    if (!av->scan_remote_drives)
      unstated.push_back("scan_remote_drives");
    else if (*av->scan_remote_drives)
      problems.push_back("scans remote drives");
    if (!av->scheduled_window) {
      unstated.push_back("scheduled_window");
    } else {
      auto busy = overlapsBusyHours(*av->scheduled_window, ctx.options.av_busy_start,
                                    ctx.options.av_busy_end);
      if (!busy) {
        problems.push_back(
            fmt::format("scheduled window \"{}\" is not HH:MM-HH:MM", *av->scheduled_window));
      } else if (*busy) {
        problems.push_back(fmt::format(
            "scheduled scans run in {}, overlapping busy hours {}-{} (av_busy_hours)",
            *av->scheduled_window, hhmm(ctx.options.av_busy_start), hhmm(ctx.options.av_busy_end)));
      }
    }
    if (!problems.empty()) {
      emit(rule, out, h.name,
           fmt::format("host {} antivirus {}", h.name, core::join(problems, "; ")), av->loc);
    } else if (!unstated.empty()) {
      emitNotStated(rule, out, h.name,
                    fmt::format("host {}: antivirus {} {}", h.name, core::join(unstated, ", "),
                                unstated.size() == 1 ? "is" : "are"),
                    av->loc, "the antivirus scan settings",
                    "hosts[].protection.antivirus." + core::join(unstated, ", "));
    }
  }
}

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& hostRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-HST-001", L::kHost, S::kHigh, "Host firewall enabled", "Host-Based Firewall",
       "The host firewall protects servers from unsolicited incoming traffic from malicious users and programs.",
       "Enable the host firewall (Windows Firewall via the Security Wizard; nftables on Linux) with ccsec's rendered rules.",
       hostFirewall,
       "docs/design.md §3 host: host firewall on; §3 scope (windows, linux)",
       "hosts[].protection.host_firewall, hosts[].os"},
      {"CCS-HST-002", L::kHost, S::kHigh, "Antivirus installed with current definitions", "Virus Protection",
       "Run a supported antivirus application with the latest definitions, updated daily, on all VMs.",
       "Install a supported antivirus and schedule daily definition updates (--set av_definitions_age_days=N).",
       antivirusCurrent,
       "docs/design.md §3 host: antivirus with current definitions; §3 scope (not vos)",
       "hosts[].protection.antivirus, hosts[].os"},
      {"CCS-HST-003", L::kHost, S::kHigh, "Security patches are current", "Patch Management",
       "Keep all hosts, VOS appliances included, up to date with operating system, SQL Server, third-party and vendor security patches.",
       "Windows: approve and install the security updates through WSUS in a maintenance window; Linux: the distribution's updates; VOS appliances (Unified CM, Finesse, CUIC, VVB): the vendor's patches for the release. Record last_patched (--set patch_age_days=N).",
       patchesCurrent,
       "docs/design.md §3 host: security patches no older than the threshold; §3 scope (vos too)",
       "hosts[].protection.last_patched, hosts[].os"},
      {"CCS-HST-004", L::kHost, S::kHigh, "SQL Server hardening on SQL hosts", "Security Design Elements",
       "Hosts running SQL Server (logger, aw, hds) get the automated SQL Server hardening.",
       "Apply SQL Server hardening with the Security Wizard and set sql_hardened: true.",
       sqlHardened,
       "docs/design.md §3 host: SQL hardening on SQL hosts; §3 scope (not vos)",
       "hosts[].protection.sql_hardened, hosts[].roles"},
      {"CCS-HST-005", L::kHost, S::kMedium, "Antivirus scanning follows the guidance", "Virus Protection",
       "On-access scanning of reads and remote drives costs performance without protection; full scans belong in low-usage windows.",
       "Scan on access on writes only, do not scan remote drives, and schedule full scans outside the busy hours (default 07:00-19:00, --set av_busy_hours=HH:MM-HH:MM).",
       antivirusGuidance,
       "docs/design.md §3 host: antivirus scanning guidance (busy hours: --set av_busy_hours)",
       "hosts[].protection.antivirus.on_access, .scan_remote_drives, .scheduled_window"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
