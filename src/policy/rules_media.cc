// Media and signaling rules (seed: "Deployment Models", "Media Encryption (SRTP)
// Considerations", the note on whisper announcements under TLS/SRTP).

#include <algorithm>

#include <fmt/format.h>

#include "core/text.h"
#include "policy/checks.h"

namespace ccsec::policy::checks {

using inventory::EndpointGroup;
using inventory::EndpointKind;
using inventory::SecurityModel;

namespace {

SecurityModel model(const Context& ctx) { return ctx.model.deployment.security_model; }

bool anchorCovers(const Context& ctx, std::string_view leg) {
  if (!ctx.model.media) return false;
  const auto& f = ctx.model.media->anchor_srtp_for;
  return std::find(f.begin(), f.end(), leg) != f.end();
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
      emitNotStated(rule, out, g.name,
                    fmt::format("endpoint group {}: whether its phones are SRTP-capable is",
                                g.name),
                    g.loc);
    } else if (!*g.srtp) {
      emit(rule, out, g.name,
           fmt::format("endpoint group {} ({} {}s) is not SRTP-capable under security model {}",
                       g.name, g.count, inventory::toString(g.kind), modelName(ctx)),
           g.loc);
    }
  }
}

void mobileAgentsClear(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) < SecurityModel::kAgentMedia || anchorCovers(ctx, "mobile-agent")) return;
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
         fmt::format("calls on outbound dialer {} cannot use SRTP while connected to it",
                     h.name),
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
  const auto* m = ctx.model.media ? &*ctx.model.media : nullptr;
  if (m != nullptr && m->ivr_platform == inventory::IvrPlatform::kIosVxmlGateway) {
    emit(rule, out, "ivr",
         "the IVR runs on ios-vxml-gateway, which cannot do SRTP, under model end-to-end",
         m->loc);
    return;
  }
  if (m == nullptr || !m->ivr_platform) {
    emitNotStated(rule, out, "ivr", "the IVR platform (media.ivr.platform) is",
                  m != nullptr ? m->loc : ctx.model.deployment.loc);
  }
}

void whisperTranscoding(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (model(ctx) < SecurityModel::kAgentMedia || !ctx.model.media) return;
  const inventory::Media& m = *ctx.model.media;
  if (!m.whisper_announcement || !m.ivr_codec || !m.agent_codec) return;
  bool g711 = *m.ivr_codec == inventory::Codec::kG711Ulaw ||
              *m.ivr_codec == inventory::Codec::kG711Alaw;
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

}  // namespace ccsec::policy::checks
