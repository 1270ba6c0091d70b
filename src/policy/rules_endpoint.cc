// Endpoint rules (seed: "Unified IP Phone Device Authentication", "IP Phone Hardening").
// Phone settings default as the seed states: PC voice VLAN access, span to PC port and
// gratuitous ARP are enabled unless the inventory says otherwise.

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
                    fmt::format("endpoint group {}: its device security mode is", g.name), g.loc);
    } else if (*g.device_security == inventory::DeviceSecurity::kNone) {
      emit(rule, out, g.name,
           fmt::format("phones of endpoint group {} ({} phones) use no device security under "
                       "security model {}",
                       g.name, g.count,
                       inventory::toString(ctx.model.deployment.security_model)),
           g.loc);
    }
  }
}

void gratuitousArpOff(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const EndpointGroup& g : ctx.model.endpoints) {
    if (g.kind != EndpointKind::kIpPhone || !g.gratuitous_arp.value_or(true)) continue;
    emit(rule, out, g.name,
         fmt::format("phones of endpoint group {} learn MAC addresses from gratuitous ARP{}",
                     g.name, g.gratuitous_arp ? "" : " (the default when not stated)"),
         g.loc);
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
  }
}

void spanNeedsVoiceVlan(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const EndpointGroup& g : ctx.model.endpoints) {
    if (g.kind != EndpointKind::kIpPhone) continue;
    if (!g.span_to_pc_port.value_or(true) || g.pc_voice_vlan_access.value_or(true)) continue;
    emit(rule, out, g.name,
         fmt::format("endpoint group {} enables span to PC port but disables PC voice VLAN "
                     "access, which it requires",
                     g.name),
         g.loc);
  }
}

}  // namespace ccsec::policy::checks
