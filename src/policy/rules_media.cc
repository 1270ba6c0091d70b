// Media and signaling rules (seed: "Deployment Models", "Media Encryption (SRTP)
// Considerations", the note on whisper announcements under TLS/SRTP).

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/text.h"
#include "policy/call_legs.h"
#include "policy/checks.h"

namespace ccsec::policy::checks {

using inventory::EndpointGroup;
using inventory::EndpointKind;
using inventory::SecurityModel;

namespace {

SecurityModel model(const Context& ctx) { return ctx.model.deployment.security_model; }

// The anchor test of call_legs.h: the matrix in `ccsec report` reads the same.
bool anchorCovers(const Context& ctx, std::string_view leg) {
  return policy::anchorCovers(ctx.model, leg);
}

const char* modelName(const Context& ctx) { return inventory::toString(model(ctx)); }

}  // namespace

void sipTls(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) < SecurityModel::kSignaling) return;
  for (const inventory::Edge& e : ctx.graph.edges) {
    if (e.kind != "sip" || e.tls) continue;
    emit(rule, out, e.id(),
         fmt::format("SIP edge {} (port {}) is not TLS under security model {}", e.id(), e.port,
                     modelName(ctx)),
         e.loc);
  }
}

void phonesSrtp(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) < SecurityModel::kAgentMedia) return;
  for (const EndpointGroup& g : ctx.model.endpoints) {
    if (g.kind == EndpointKind::kMobileAgent) continue;  // CCS-MED-003
    if (!g.srtp) {
      emitNotStated(
          rule, out, g.name,
          fmt::format("endpoint group {}: whether its phones are SRTP-capable is", g.name), g.loc,
          "whether the phones are SRTP-capable", "endpoints[].srtp");
    } else if (!*g.srtp) {
      emit(rule, out, g.name,
           fmt::format("endpoint group {} ({} {}s) is not SRTP-capable under security model {}",
                       g.name, g.count, inventory::toString(g.kind), modelName(ctx)),
           g.loc);
    } else if (g.device_security == inventory::DeviceSecurity::kAuthenticated) {
      // SDES carries the SRTP keys in SIP; authenticated mode signs SIP but does not encrypt it.
      emitWith(rule, out, g.name,
               fmt::format("endpoint group {} uses SRTP with device security authenticated: its "
                           "SRTP keys (SDES) travel in signaling that is not encrypted",
                           g.name),
               g.loc, Severity::kHigh,
               "Set the phones' device security mode to encrypted so that the SRTP keys travel "
               "in encrypted (TLS) signaling.");
    }
  }
}

void mobileAgentsClear(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) < SecurityModel::kAgentMedia) return;
  // An anchor that covers legs must exist: a host with role media-anchor (ccsec media).
  if (ctx.model.media && !ctx.model.media->anchor_srtp_for.empty()) {
    bool any = false;
    for (const inventory::Host& h : ctx.model.hosts) any = any || h.hasRole("media-anchor");
    if (!any) {
      emitWith(rule, out, "media-anchor",
               fmt::format("media.anchor.srtp_for claims an SRTP anchor for {} but no host has "
                           "role media-anchor: those legs stay in clear",
                           core::join(ctx.model.media->anchor_srtp_for, ", ")),
               ctx.model.media->loc, rule.severity,
               "Run ccsec media on a host with role media-anchor (its ng control port and RTP "
               "range are in the catalog), or remove the legs from media.anchor.srtp_for.");
    }
  }
  if (anchorCovers(ctx, "mobile-agent")) return;
  for (const EndpointGroup& g : ctx.model.endpoints) {
    if (g.kind != EndpointKind::kMobileAgent) continue;
    emit(rule, out, g.name,
         fmt::format("mobile agents of endpoint group {} ({} agents) cannot use SRTP: their "
                     "legs stay in clear under security model {}",
                     g.name, g.count, modelName(ctx)),
         g.loc);
  }
}

void dialerNoSrtp(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) < SecurityModel::kAgentMedia || anchorCovers(ctx, "dialer")) return;
  bool any = false;
  for (const inventory::Host& h : ctx.model.hosts) {
    if (!h.hasRole("dialer")) continue;
    any = true;
    emit(rule, out, h.name,
         fmt::format("calls on outbound dialer {} cannot use SRTP while connected to it", h.name),
         h.loc);
  }
  if (!any && ctx.model.media && ctx.model.media->outbound_dialer) {
    emit(rule, out, "outbound-dialer",
         "calls on the outbound dialer cannot use SRTP while connected to it",
         ctx.model.media->loc);
  }
}

void ivrSrtpCapable(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) != SecurityModel::kEndToEnd) return;
  // What is deployed: IOS VXML gateways that carry an IVR leg (the call server sends them the
  // VRU call, or they carry media), and whether a VVB exists at all.
  std::set<std::string, std::less<>> ios_ivr;
  for (const inventory::Edge& e : ctx.graph.edges) {
    if (e.client_is_endpoint) continue;
    const inventory::Host* server = ctx.model.findHost(e.server);
    if (server == nullptr || !server->hasRole("ios-vxml-gateway")) continue;
    if (e.kind == "rtp" || e.kind == "sip") ios_ivr.insert(e.server);
  }
  bool any_vvb = false;
  for (const inventory::Host& h : ctx.model.hosts) any_vvb = any_vvb || h.hasRole("vvb");
  for (const std::string& name : ios_ivr) {
    const inventory::Host* h = ctx.model.findHost(name);
    emit(rule, out, name,
         fmt::format("host {} (ios-vxml-gateway) carries an IVR media leg, which it cannot "
                     "encrypt (no SRTP), under model end-to-end",
                     name),
         h->loc);
  }
  const auto* m = ctx.model.media ? &*ctx.model.media : nullptr;
  if (m != nullptr && m->ivr_platform == inventory::IvrPlatform::kIosVxmlGateway) {
    emit(rule, out, "ivr",
         "the IVR runs on ios-vxml-gateway, which cannot do SRTP, under model end-to-end", m->loc);
    return;
  }
  if (m != nullptr && m->ivr_platform == inventory::IvrPlatform::kVvb && !any_vvb &&
      !ios_ivr.empty()) {
    emit(rule, out, "ivr",
         fmt::format("media.ivr.platform says vvb but the inventory holds no vvb host, and the "
                     "IVR legs run on ios-vxml-gateway ({})",
                     core::join(std::vector<std::string>(ios_ivr.begin(), ios_ivr.end()), ", ")),
         m->loc);
    return;
  }
  if ((m == nullptr || !m->ivr_platform) && ios_ivr.empty() && !any_vvb) {
    emitNotStated(rule, out, "ivr", "the IVR platform (media.ivr.platform) is",
                  m != nullptr ? m->loc : ctx.model.deployment.loc, "the IVR platform",
                  "media.ivr.platform");
  }
}

void whisperTranscoding(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) < SecurityModel::kAgentMedia || !ctx.model.media) return;
  const inventory::Media& m = *ctx.model.media;
  if (!m.whisper_announcement || !m.ivr_codec || !m.agent_codec) return;
  bool g711 =
      *m.ivr_codec == inventory::Codec::kG711Ulaw || *m.ivr_codec == inventory::Codec::kG711Alaw;
  if (!g711 || *m.agent_codec != inventory::Codec::kG729) return;
  emit(rule, out, "whisper-announcement",
       fmt::format("whisper announcement with a {} IVR and {} agents under SRTP needs secure "
                   "transcoding, which is unavailable",
                   inventory::toString(*m.ivr_codec), inventory::toString(*m.agent_codec)),
       m.loc);
}

void unsecuredModel(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) != SecurityModel::kUnsecured) return;
  emit(rule, out, ctx.model.deployment.name,
       fmt::format("deployment {} uses security model unsecured: signaling and media travel in "
                   "clear",
                   ctx.model.deployment.name),
       ctx.model.deployment.loc);
}

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& mediaRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-MED-001", L::kMedia, S::kHigh, "SIP uses TLS under secured signaling", "Deployment Models",
       "From the secured-signaling model up, all SIP call setup is carried over TLS.",
       "Use SIP over TLS (port 5061) on this edge and remove any tls: false override.",
       sipTls,
       "docs/design.md §3 media: SIP over TLS from the signaling model up",
       "deployment.security_model, channels[].tls (sip)"},
      {"CCS-MED-002", L::kMedia, S::kHigh, "Agent phones are SRTP-capable", "Media Encryption (SRTP) Considerations",
       "Secure media on the agent leg needs IP phones compatible with SRTP.",
       "Replace or upgrade the group's phones with SRTP-capable models and set srtp: true.",
       phonesSrtp,
       "docs/design.md §3 media: SRTP-capable agent phones whose keys travel in encrypted signaling",
       "deployment.security_model, endpoints[].srtp, endpoints[].device_security"},
      {"CCS-MED-003", L::kMedia, S::kMedium, "Mobile agent legs stay in clear", "Media Encryption (SRTP) Considerations",
       "Mobile agents cannot use SRTP, so their legs stay in clear under the media-security models.",
       "Terminate their SRTP in the ccsec media anchor (media.anchor.srtp_for: [mobile-agent]) or accept the clear legs with a waiver.",
       mobileAgentsClear,
       "docs/design.md §3 media: mobile agents stay clear unless an existing anchor covers them; §3 scope (media-anchor role)",
       "media.anchor.srtp_for, hosts[].roles (media-anchor), endpoints[].kind"},
      {"CCS-MED-004", L::kMedia, S::kMedium, "No SRTP while a call is on the outbound dialer", "Media Encryption (SRTP) Considerations",
       "Outbound Option dialers do not support SRTP; calls connected to a dialer cannot use SRTP until they leave it.",
       "Anchor the dialer legs (media.anchor.srtp_for: [dialer]) or accept the clear legs with a waiver.",
       dialerNoSrtp,
       "docs/design.md §3 media: no SRTP while a call is on the dialer unless anchored",
       "media.outbound_dialer, media.anchor.srtp_for, hosts[].roles (dialer, media-anchor)"},
      {"CCS-MED-005", L::kMedia, S::kHigh, "End-to-end media security needs an SRTP-capable IVR", "Media Encryption (SRTP) Considerations",
       "The IOS VXML Gateway does not support SRTP; the Virtualized Voice Browser does, for the VRU leg.",
       "Use vvb as the IVR platform (media.ivr.platform: vvb).",
       ivrSrtpCapable,
       "docs/design.md §3 media: end-to-end needs an SRTP-capable IVR, judged on the deployed hosts",
       "deployment.security_model, media.ivr.platform, hosts[].roles (ios-vxml-gateway, vvb)"},
      {"CCS-MED-006", L::kMedia, S::kMedium, "Whisper announcement needs matching codecs under SRTP", "Deployment Models",
       "With CVP and VVB in G.711 and agents in G.729, Unified CM cannot transcode securely on the whisper announcement leg.",
       "Play the whisper announcement from a VVB in G.729 (media.ivr.codec: g729).",
       whisperTranscoding,
       "docs/design.md §3 media: whisper announcement codecs under SRTP",
       "media.whisper_announcement, media.ivr.codec, media.agent_codec"},
      {"CCS-MED-007", L::kMedia, S::kMedium, "Unsecured model: signaling and media in clear", "Deployment Models",
       "The unsecured model keeps earlier releases' behaviour: neither signaling nor media is protected.",
       "Move to security_model signaling or higher (end-to-end where the IVR and phones allow).",
       unsecuredModel,
       "docs/design.md §3 media: the unsecured model is reported",
       "deployment.security_model"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
