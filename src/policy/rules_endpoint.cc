// Endpoint rules (seed: "Unified IP Phone Device Authentication", "IP Phone Hardening").
// PC voice VLAN access and span to PC port default to enabled unless the inventory says
// otherwise (findings resting on that default are marked assumed); gratuitous ARP has no stated
// default, so an omitted setting is "not stated".

#include <fmt/format.h>

#include "core/text.h"
#include "policy/checks.h"

namespace ccsec::policy::checks {

using inventory::EndpointGroup;
using inventory::EndpointKind;

void phoneDeviceSecurity(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (ctx.model.deployment.security_model < inventory::SecurityModel::kSignaling) return;
  for (const EndpointGroup& g : ctx.model.endpoints) {
    if (g.kind != EndpointKind::kIpPhone) continue;
    if (!g.device_security) {
      emitNotStated(rule, out, g.name,
                    fmt::format("endpoint group {}: its device security mode is", g.name), g.loc,
                    "the phones' device security mode", "endpoints[].device_security");
    } else if (*g.device_security == inventory::DeviceSecurity::kNone) {
      emit(rule, out, g.name,
           fmt::format("phones of endpoint group {} ({} phones) use no device security under "
                       "security model {}",
                       g.name, g.count, inventory::toString(ctx.model.deployment.security_model)),
           g.loc);
    }
  }
}

void gratuitousArpOff(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const EndpointGroup& g : ctx.model.endpoints) {
    if (g.kind != EndpointKind::kIpPhone) continue;
    if (!g.gratuitous_arp) {
      // The seed names Disabled as the hardened setting and states no product default.
      emitNotStated(rule, out, g.name,
                    fmt::format("endpoint group {}: whether its phones learn MAC addresses from "
                                "gratuitous ARP is",
                                g.name),
                    g.loc, "the phones' Gratuitous ARP setting", "endpoints[].gratuitous_arp");
    } else if (*g.gratuitous_arp) {
      emit(rule, out, g.name,
           fmt::format("phones of endpoint group {} learn MAC addresses from gratuitous ARP",
                       g.name),
           g.loc);
    }
  }
}

void recordingConflict(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const EndpointGroup& g : ctx.model.endpoints) {
    if (g.kind != EndpointKind::kIpPhone || g.recording != inventory::Recording::kDesktop) continue;
    std::vector<std::string> off;
    if (!g.pc_voice_vlan_access.value_or(true)) off.push_back("PC voice VLAN access");
    if (!g.span_to_pc_port.value_or(true)) off.push_back("span to PC port");
    if (off.empty()) continue;
    emit(rule, out, g.name,
         fmt::format("endpoint group {} records at the desktop but disables {}, which breaks "
                     "desktop recording",
                     g.name, core::join(off, " and ")),
         g.loc);
    out.back().assumed = !g.pc_voice_vlan_access || !g.span_to_pc_port;
  }
}

void spanNeedsVoiceVlan(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const EndpointGroup& g : ctx.model.endpoints) {
    if (g.kind != EndpointKind::kIpPhone) continue;
    if (!g.span_to_pc_port.value_or(true) || g.pc_voice_vlan_access.value_or(true)) continue;
    emit(rule, out, g.name,
         fmt::format("endpoint group {} enables span to PC port but disables PC voice VLAN "
                     "access, which it requires{}",
                     g.name, g.span_to_pc_port ? "" : " (span to PC port is on by default)"),
         g.loc);
    out.back().assumed = !g.span_to_pc_port;
  }
}

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& endpointRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-END-001", L::kEndpoint, S::kHigh, "Phones use device authentication", "Unified IP Phone Device Authentication",
       "Authenticated or encrypted device security gives phones X.509 mutual authentication and signaling integrity.",
       "Set the phones' device security mode to authenticated or encrypted in Unified CM.",
       phoneDeviceSecurity,
       "docs/design.md §3 endpoint: phones authenticate with certificates",
       "endpoints[].device_security, deployment.security_model"},
      {"CCS-END-002", L::kEndpoint, S::kMedium, "Gratuitous ARP disabled on phones", "IP Phone Hardening",
       "Phones that learn MAC addresses from gratuitous ARP are open to man-in-the-middle attacks.",
       "Disable Gratuitous ARP in the phones' device configuration and set gratuitous_arp: false.",
       gratuitousArpOff,
       "docs/design.md §3 endpoint: gratuitous ARP off; §3 scope (no stated default: not stated)",
       "endpoints[].gratuitous_arp"},
      {"CCS-END-003", L::kEndpoint, S::kMedium, "Phone hardening does not break desktop recording", "IP Phone Hardening",
       "Disabling PC voice VLAN access or span to PC port disables desktop-based monitoring and recording.",
       "Keep PC voice VLAN access and span to PC port enabled for desktop recording, or record in the network (recording: network).",
       recordingConflict,
       "docs/design.md §3 endpoint: phone hardening vs desktop recording; §2 phone defaults",
       "endpoints[].recording, endpoints[].pc_voice_vlan_access, endpoints[].span_to_pc_port"},
      {"CCS-END-004", L::kEndpoint, S::kMedium, "Span to PC port needs PC voice VLAN access", "IP Phone Hardening",
       "Span to PC port only works when PC voice VLAN access is enabled.",
       "Enable PC voice VLAN access or disable span to PC port.",
       spanNeedsVoiceVlan,
       "docs/design.md §3 endpoint: span to PC port needs PC voice VLAN access; §2 phone defaults",
       "endpoints[].span_to_pc_port, endpoints[].pc_voice_vlan_access"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
