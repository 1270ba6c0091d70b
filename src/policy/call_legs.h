#pragma once
// The call-leg matrix of a deployment's security model: for each leg of a call (caller ↔ ingress
// gateway ↔ CVP ↔ IVR ↔ agent phone / mobile agent / dialer), whether its signaling is TLS and
// its media SRTP, anchored by the ccsec media anchor or not. It is read from what the MED rules
// read (deployment.security_model, media:, endpoints:, the hosts' roles, the graph's sip edges)
// through the same helpers, so the matrix and the CCS-MED findings cannot disagree; `ccsec
// report` shows it.

#include <string>
#include <string_view>
#include <vector>

#include "inventory/graph.h"
#include "inventory/model.h"

namespace ccsec::policy {

/// True when media.anchor.srtp_for names `leg` ("mobile-agent", "dialer") and a host with role
/// media-anchor exists to terminate its SRTP (CCS-MED-003/004).
bool anchorCovers(const inventory::Model& model, std::string_view leg);

/// Protection of one side of a leg.
enum class LegState {
  kProtected,  // TLS signaling / SRTP media
  kAnchored,   // SRTP terminated by the ccsec media anchor
  kMixed,      // some of the leg's edges protected, some not
  kClear,      // plaintext SIP / RTP
  kNotStated,  // the inventory does not say (e.g. endpoints[].srtp missing)
  kNone,       // the leg carries no such traffic (CVP: signaling only)
};
const char* toString(LegState s);

struct CallLeg {
  std::string from;   // "caller", "ingress gateway", …
  std::string to;     // "CVP", "IVR (vvb)", "agent phones east-phones", …
  std::string hosts;  // the inventory hosts / endpoint groups on the leg, comma-separated
  LegState signaling = LegState::kClear;
  std::string signaling_text;  // "TLS (4 of 4 sip edges)", "plain", …
  LegState media = LegState::kClear;
  std::string media_text;  // "SRTP", "RTP in clear", "SRTP terminated by the anchor", …
  std::string rules;       // the rules that judge the leg, "CCS-MED-001, CCS-MED-002"
};

/// The legs of a call under the deployment's model, in call order; one agent leg per endpoint
/// group, a dialer leg when a dialer exists. Deterministic.
std::vector<CallLeg> callLegs(const inventory::Model& model, const inventory::ChannelGraph& graph);

}  // namespace ccsec::policy
