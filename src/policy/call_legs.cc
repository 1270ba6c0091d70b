#include "policy/call_legs.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/text.h"

namespace ccsec::policy {

using inventory::EndpointKind;
using inventory::SecurityModel;

bool anchorCovers(const inventory::Model& model, std::string_view leg) {
  if (!model.media) return false;
  const auto& f = model.media->anchor_srtp_for;
  if (std::find(f.begin(), f.end(), leg) == f.end()) return false;
  return std::any_of(model.hosts.begin(), model.hosts.end(),
                     [](const inventory::Host& h) { return h.hasRole("media-anchor"); });
}

const char* toString(LegState s) {
  switch (s) {
    case LegState::kProtected:
      return "protected";
    case LegState::kAnchored:
      return "anchored";
    case LegState::kMixed:
      return "mixed";
    case LegState::kClear:
      return "clear";
    case LegState::kNotStated:
      return "not-stated";
    case LegState::kNone:
      return "none";
  }
  return "clear";
}

namespace {

bool hostHasAny(const inventory::Model& m, std::string_view name,
                std::initializer_list<std::string_view> roles) {
  const inventory::Host* h = m.findHost(name);
  if (h == nullptr) return false;
  return std::any_of(roles.begin(), roles.end(), [&](std::string_view r) { return h->hasRole(r); });
}

std::vector<std::string> hostsWith(const inventory::Model& m,
                                   std::initializer_list<std::string_view> roles) {
  std::vector<std::string> out;
  for (const auto& h : m.hosts)
    if (hostHasAny(m, h.name, roles)) out.push_back(h.name);
  return out;
}

// Signaling of the sip edges between hosts with roles `a` and the other end `b` (a host with
// one of `b_roles`, or the endpoint group `group`): TLS, plain or mixed; without any such edge
// the model's default (TLS from the signaling model up), as the graph would derive it.
void sipState(const inventory::Model& m, const inventory::ChannelGraph& g,
              std::initializer_list<std::string_view> a_roles,
              std::initializer_list<std::string_view> b_roles, std::string_view group,
              CallLeg& leg) {
  int total = 0, tls = 0;
  for (const inventory::Edge& e : g.edges) {
    if (e.kind != "sip") continue;
    const bool server_a = hostHasAny(m, e.server, a_roles);
    bool match = false;
    if (!group.empty()) {
      match = server_a && e.client_is_endpoint && e.client == group;
    } else if (!e.client_is_endpoint) {
      match = (server_a && hostHasAny(m, e.client, b_roles)) ||
              (hostHasAny(m, e.client, a_roles) && hostHasAny(m, e.server, b_roles));
    }
    if (!match) continue;
    ++total;
    if (e.tls) ++tls;
  }
  if (total == 0) {
    const bool tls_default = m.deployment.security_model >= SecurityModel::kSignaling;
    leg.signaling = tls_default ? LegState::kProtected : LegState::kClear;
    leg.signaling_text = fmt::format("{} (model default; no sip edge in the graph)",
                                     tls_default ? "TLS" : "plain SIP");
    return;
  }
  if (tls == total) {
    leg.signaling = LegState::kProtected;
    leg.signaling_text = fmt::format("TLS ({} sip edge{})", total, total == 1 ? "" : "s");
  } else if (tls == 0) {
    leg.signaling = LegState::kClear;
    leg.signaling_text = fmt::format("plain SIP ({} sip edge{})", total, total == 1 ? "" : "s");
  } else {
    leg.signaling = LegState::kMixed;
    leg.signaling_text = fmt::format("mixed: {} of {} sip edges TLS", tls, total);
  }
}

CallLeg makeLeg(std::string from, std::string to, std::string hosts) {
  CallLeg l;
  l.from = std::move(from);
  l.to = std::move(to);
  l.hosts = std::move(hosts);
  return l;
}

}  // namespace

std::vector<CallLeg> callLegs(const inventory::Model& m, const inventory::ChannelGraph& g) {
  const SecurityModel model = m.deployment.security_model;
  const bool media_model = model >= SecurityModel::kAgentMedia;
  const std::string model_name = inventory::toString(model);
  const auto ingress = hostsWith(m, {"ingress-gateway"});
  const std::string ingress_text = ingress.empty() ? "(none)" : core::join(ingress, ", ");
  std::vector<CallLeg> legs;

  {  // caller ↔ ingress gateway: the carrier trunk, as the perimeter exceptions open it.
    CallLeg leg = makeLeg("caller", "ingress gateway", ingress_text);
    bool tls = false, plain = false;
    for (const auto& s : m.sites) {
      if (!s.perimeter) continue;
      for (const auto& a : s.perimeter->allow) {
        if (!hostHasAny(m, a.to, {"ingress-gateway"})) continue;
        if (a.port == 5061) tls = true;
        if (a.port == 5060) plain = true;
      }
    }
    leg.signaling = tls && !plain   ? LegState::kProtected
                    : plain && !tls ? LegState::kClear
                    : tls           ? LegState::kMixed
                                    : LegState::kNotStated;
    leg.signaling_text = tls && !plain   ? "SIP over TLS (perimeter opens 5061)"
                         : plain && !tls ? "plain SIP (perimeter opens 5060)"
                         : tls           ? "both 5060 and 5061 open at the perimeter"
                                         : "no SIP trunk exception at the perimeter";
    leg.media = model == SecurityModel::kEndToEnd ? LegState::kProtected : LegState::kClear;
    leg.media_text = model == SecurityModel::kEndToEnd
                         ? "SRTP (end-to-end), where the carrier offers it"
                         : "RTP in clear under model " + model_name;
    leg.rules = "CCS-NET-008";
    legs.push_back(std::move(leg));
  }
  {  // ingress gateway ↔ CVP: signaling only.
    const auto cvp = hostsWith(m, {"call-server"});
    CallLeg leg = makeLeg("ingress gateway", "CVP call server",
                          cvp.empty() ? "(none)" : core::join(cvp, ", "));
    sipState(m, g, {"ingress-gateway"}, {"call-server"}, {}, leg);
    leg.media = LegState::kNone;
    leg.media_text = "none (CVP carries signaling only)";
    leg.rules = "CCS-MED-001";
    legs.push_back(std::move(leg));
  }
  {  // ingress gateway ↔ IVR (VVB or IOS VXML gateway): the VRU leg.
    const auto vvb = hostsWith(m, {"vvb"});
    const auto ios = hostsWith(m, {"ios-vxml-gateway"});
    std::vector<std::string> ivr = vvb;
    ivr.insert(ivr.end(), ios.begin(), ios.end());
    const bool platform_ios =
        m.media && m.media->ivr_platform == inventory::IvrPlatform::kIosVxmlGateway;
    const std::string what =
        platform_ios || (vvb.empty() && !ios.empty()) ? "IVR (IOS VXML gateway)" : "IVR (VVB)";
    CallLeg leg = makeLeg("ingress gateway", what, ivr.empty() ? "(none)" : core::join(ivr, ", "));
    sipState(m, g, {"ingress-gateway"}, {"vvb", "ios-vxml-gateway"}, {}, leg);
    if (model != SecurityModel::kEndToEnd) {
      leg.media = LegState::kClear;
      leg.media_text = "RTP in clear (the IVR leg is encrypted only under end-to-end)";
    } else if (platform_ios || !ios.empty()) {
      leg.media = LegState::kClear;
      leg.media_text = "RTP in clear: the IOS VXML gateway cannot do SRTP";
    } else {
      leg.media = LegState::kProtected;
      leg.media_text = "SRTP (VVB)";
    }
    leg.rules = "CCS-MED-001, CCS-MED-005";
    legs.push_back(std::move(leg));
  }
  for (const inventory::EndpointGroup& grp : m.endpoints) {  // agent legs, one per group
    const bool mobile = grp.kind == EndpointKind::kMobileAgent;
    CallLeg leg =
        makeLeg("ingress gateway",
                fmt::format("{} {}", mobile ? "mobile agents" : "agent phones", grp.name),
                fmt::format("{} ({} {})", grp.name, grp.count, inventory::toString(grp.kind)));
    sipState(m, g, {"cucm", "ingress-gateway"}, {}, grp.name, leg);
    if (!media_model) {
      leg.media = LegState::kClear;
      leg.media_text = "RTP in clear under model " + model_name;
    } else if (mobile) {
      const bool anchored = anchorCovers(m, "mobile-agent");
      leg.media = anchored ? LegState::kAnchored : LegState::kClear;
      leg.media_text = anchored ? "SRTP terminated by the ccsec media anchor"
                                : "RTP in clear: mobile agents cannot use SRTP";
    } else if (!grp.srtp) {
      leg.media = LegState::kNotStated;
      leg.media_text = "not stated (endpoints[].srtp)";
    } else if (!*grp.srtp) {
      leg.media = LegState::kClear;
      leg.media_text = "RTP in clear: the phones are not SRTP-capable";
    } else if (grp.device_security == inventory::DeviceSecurity::kAuthenticated) {
      leg.media = LegState::kMixed;
      leg.media_text = "SRTP, keys (SDES) in signaling that is not encrypted";
    } else {
      leg.media = LegState::kProtected;
      leg.media_text = "SRTP";
    }
    leg.rules = mobile ? "CCS-MED-001, CCS-MED-003" : "CCS-MED-001, CCS-MED-002, CCS-END-001";
    legs.push_back(std::move(leg));
  }
  const auto dialers = hostsWith(m, {"dialer"});
  if (!dialers.empty() || (m.media && m.media->outbound_dialer)) {
    CallLeg leg = makeLeg("ingress gateway", "outbound dialer",
                          dialers.empty() ? "outbound-dialer" : core::join(dialers, ", "));
    sipState(m, g, {"ingress-gateway", "cucm"}, {"dialer"}, {}, leg);
    const bool anchored = anchorCovers(m, "dialer");
    if (!media_model) {
      leg.media = LegState::kClear;
      leg.media_text = "RTP in clear under model " + model_name;
    } else {
      leg.media = anchored ? LegState::kAnchored : LegState::kClear;
      leg.media_text = anchored ? "SRTP terminated by the ccsec media anchor"
                                : "RTP in clear while the call is on the dialer";
    }
    leg.rules = "CCS-MED-001, CCS-MED-004";
    legs.push_back(std::move(leg));
  }
  return legs;
}

}  // namespace ccsec::policy
