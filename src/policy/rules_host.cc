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

// Minutes since midnight of "HH:MM"; -1 when malformed.
int minutes(std::string_view hhmm) {
  if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (hhmm[i] < '0' || hhmm[i] > '9') return -1;
  }
  int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
  int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  if (h > 23 || m > 59) return -1;
  return h * 60 + m;
}

// Business hours during which a full disk scan competes with the application: 07:00-19:00.
constexpr int kBusyStart = 7 * 60;
constexpr int kBusyEnd = 19 * 60;

// True when the window "HH:MM-HH:MM" (may wrap midnight) overlaps business hours; nullopt when
// malformed.
std::optional<bool> overlapsBusyHours(std::string_view window) {
  if (window.size() != 11 || window[5] != '-') return std::nullopt;
  int start = minutes(window.substr(0, 5));
  int end = minutes(window.substr(6, 5));
  if (start < 0 || end < 0) return std::nullopt;
  auto overlaps = [](int a, int b) { return a < kBusyEnd && b > kBusyStart; };
  if (start <= end) return overlaps(start, end);
  return overlaps(start, 24 * 60) || overlaps(0, end);
}

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
      auto busy = overlapsBusyHours(*av->scheduled_window);
      if (!busy) {
        problems.push_back(
            fmt::format("scheduled window \"{}\" is not HH:MM-HH:MM", *av->scheduled_window));
      } else if (*busy) {
        problems.push_back(
            fmt::format("scheduled scans run in {}, overlapping business hours "
                        "07:00-19:00",
                        *av->scheduled_window));
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

}  // namespace ccsec::policy::checks
