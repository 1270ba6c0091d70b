// TLS rules (seed: "Secured PII in Transit", "Security Layers" (Data Security, TLS 1.2 note),
// "Secure Signaling and Media Design and Configuration").

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/cert_identity.h"
#include "core/text.h"
#include "inventory/host_identity.h"
#include "policy/checks.h"

namespace ccsec::policy::checks {

using inventory::Edge;
using inventory::Host;

namespace {

bool isPersonalDataKind(std::string_view kind) {
  return kind == "ged-188" || kind == "ged-125" || kind == "ged-145" || kind == "mr";
}

}  // namespace

void personalDataTls(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Edge& e : ctx.graph.edges) {
    if (e.tls || !(e.personal_data || isPersonalDataKind(e.kind))) continue;
    emit(rule, out, e.id(),
         fmt::format("personal-data edge {} (port {}) does not use TLS{}", e.id(), e.port,
                     e.ipsec ? " (IPsec alone does not satisfy the PII-in-transit design)" : ""),
         e.loc);
  }
}

void tlsMinimumVersion(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  const std::string& deployment_min = ctx.model.deployment.tls_min_version;
  if (deployment_min < "1.2") {
    emit(rule, out, "deployment", fmt::format("deployment tls_min_version is {}", deployment_min),
         ctx.model.deployment.loc);
  }
  for (const Edge& e : ctx.graph.edges) {
    if (!e.tls) continue;
    const std::string& v = e.min_version.empty() ? deployment_min : e.min_version;
    if (v >= "1.2") continue;
    if (e.legacy_tls) {
      emit(rule, out, e.id(),
           fmt::format("edge {} accepts TLS {} under legacy_tls (allowed, still reported)", e.id(),
                       v),
           e.loc, Severity::kMedium);
    } else {
      emit(rule, out, e.id(),
           fmt::format("edge {} accepts TLS {} below 1.2 without legacy_tls", e.id(), v), e.loc);
    }
  }
}

void noPlaintextFallback(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Edge& e : ctx.graph.edges) {
    if (!e.fallback) continue;
    emit(rule, out, e.id(), fmt::format("edge {} allows fallback to plaintext", e.id()), e.loc);
  }
}

namespace {

// "a, b, c" naming at most kShown of `hosts` other than `self`, then "and N more". Stops after
// kShown names, so a certificate shared by thousands of hosts stays linear overall.
std::string others(const std::set<std::string>& hosts, const std::string& self) {
  constexpr std::size_t kShown = 5;
  std::vector<std::string> names;
  for (const std::string& h : hosts) {
    if (names.size() == kShown) break;
    if (h != self) names.push_back(h);
  }
  const std::size_t total = hosts.size() - (hosts.contains(self) ? 1 : 0);
  std::string s = core::join(names, ", ");
  if (total > names.size()) s += fmt::format(" and {} more", total - names.size());
  return s;
}

}  // namespace

void uniqueCertificates(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  // identity (certificate fingerprint, public key) → hosts using it
  std::map<std::string, std::set<std::string>, std::less<>> by_cert;
  std::map<std::string, std::set<std::string>, std::less<>> by_key;
  for (const auto& [host, facts] : ctx.certificates) {
    if (facts.info) {
      by_cert[facts.info->fingerprint_sha256].insert(host);
      by_key[facts.info->public_key_sha256].insert(host);
    }
    if (facts.fingerprint &&
        (!facts.info || *facts.fingerprint != facts.info->fingerprint_sha256)) {
      by_cert[*facts.fingerprint].insert(host);
    }
  }
  for (const Host& h : ctx.model.hosts) {
    auto it = ctx.certificates.find(h.name);
    if (it == ctx.certificates.end()) continue;
    const CertificateFacts& facts = it->second;
    std::vector<std::string> parts;
    // The certificate read from the file and a declared fingerprint name one group each (the
    // same group unless the fingerprint names another certificate).
    std::vector<const std::set<std::string>*> groups;
    auto add_group = [&](const std::string& id) {
      const auto& group = by_cert[id];
      if (group.size() > 1 && std::find(groups.begin(), groups.end(), &group) == groups.end()) {
        groups.push_back(&group);
      }
    };
    if (facts.info) add_group(facts.info->fingerprint_sha256);
    if (facts.fingerprint) add_group(*facts.fingerprint);
    for (const auto* g : groups)
      parts.push_back("shares its certificate with " + others(*g, h.name));
    if (facts.info && groups.empty()) {
      const auto& group = by_key[facts.info->public_key_sha256];
      if (group.size() > 1) parts.push_back("shares its private key with " + others(group, h.name));
    }
    if (parts.empty()) continue;
    emit(rule, out, h.name, fmt::format("host {} {}", h.name, core::join(parts, " and ")),
         h.certificate ? h.certificate->loc : h.loc);
  }
}

void certificatesValid(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  const std::int64_t warn = ctx.options.threshold("cert_warn_days");
  std::set<std::string, std::less<>> tls_servers;
  for (const Edge& e : ctx.graph.edges) {
    if (e.tls) tls_servers.insert(e.server);
  }
  for (const Host& h : ctx.model.hosts) {
    auto it = ctx.certificates.find(h.name);
    if (it == ctx.certificates.end()) {
      if (tls_servers.contains(h.name)) {
        emitNotStated(rule, out, h.name,
                      fmt::format("host {} serves TLS but its certificate is", h.name), h.loc,
                      "the host's certificate", "hosts[].certificate");
      }
      continue;
    }
    const CertificateFacts& facts = it->second;
    inventory::SourceLoc loc = h.certificate ? h.certificate->loc : h.loc;
    if (!facts.error.empty()) {
      emit(rule, out, h.name,
           fmt::format("host {}: certificate cannot be read: {}", h.name, facts.error), loc);
      continue;
    }
    if (!facts.info) continue;  // fingerprint only: nothing to validate offline
    const core::CertificateInfo& c = *facts.info;
    std::vector<std::string> problems;
    Severity sev = Severity::kLow;
    const std::int64_t left = c.not_after - ctx.options.as_of;
    if (left < 0) {
      problems.push_back(fmt::format("expired on {}", c.not_after.str()));
      sev = Severity::kHigh;
    } else if (left <= warn) {
      problems.push_back(fmt::format("expires on {} (in {} days, within cert_warn_days={})",
                                     c.not_after.str(), left, warn));
      sev = std::max(sev, Severity::kMedium);
    }
    if (c.not_before > ctx.options.as_of) {
      problems.push_back(fmt::format("not valid before {}", c.not_before.str()));
      sev = Severity::kHigh;
    }
    if (auto p = core::certificateNameProblem(c, inventory::certificateIdentity(h))) {
      problems.push_back(p->message);  // the one rule, shared with `pki verify` and the gateway
      sev = std::max(sev, Severity::kMedium);
    }
    if (problems.empty()) continue;
    emit(rule, out, h.name,
         fmt::format("host {} certificate {}", h.name, core::join(problems, "; ")), loc, sev);
  }
}

void desktopTls(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  for (const Edge& e : ctx.graph.edges) {
    if (e.kind != "desktop-https" || e.tls) continue;
    emit(rule, out, e.id(),
         fmt::format("agent desktop edge {} (port {}) does not use TLS", e.id(), e.port), e.loc);
  }
}

void vxmlRemoteServer(const Rule& rule, const Context& ctx, std::vector<Finding>& out) {
  if (!ctx.model.media) return;
  const inventory::Media& m = *ctx.model.media;
  if (m.vxml_remote_loc.line == 0 && !m.vxml_remote_tls && !m.vxml_remote_auth) return;
  std::vector<std::string> problems;
  std::vector<std::string> unstated;
  if (!m.vxml_remote_tls)
    unstated.push_back("tls");
  else if (!*m.vxml_remote_tls)
    problems.push_back("does not use TLS");
  if (!m.vxml_remote_auth)
    unstated.push_back("auth");
  else if (*m.vxml_remote_auth != "basic")
    problems.push_back("authenticates with \"" + *m.vxml_remote_auth +
                       "\" instead of a user name and password");
  if (!problems.empty()) {
    emit(rule, out, "vxml-remote-server",
         "the VXML server's remote-server connection " + core::join(problems, " and "),
         m.vxml_remote_loc);
  } else if (!unstated.empty()) {
    emitNotStated(rule, out, "vxml-remote-server",
                  "media.vxml_remote_server." + core::join(unstated, " and ") + " is",
                  m.vxml_remote_loc, "the remote server connection's settings",
                  "media.vxml_remote_server." + core::join(unstated, ", "));
  }
}

// The area's rules, in catalogue order: each entry beside its check (docs/adding-a-rule.md).
// Fields: ID, layer, severity, title, seed section, rationale, remediation, check, the
// docs/design.md section it rests on, the inventory keys it reads.
const std::vector<Rule>& tlsRules() {
  using L = Layer;
  using S = Severity;
  // clang-format off
  static const std::vector<Rule> kRules = {
      {"CCS-TLS-001", L::kTls, S::kCritical, "Personal-data channels use TLS", "Secured PII in Transit",
       "GED-188, GED-125, GED-145 and MR carry personally identifiable information; the solution protects them with TLS.",
       "Enable TLS on the channel (the listener's TLS port) and remove any tls: false override.",
       personalDataTls,
       "docs/design.md §3 tls: personal-data channels use TLS; §2 defaults",
       "channels[].tls"},
      {"CCS-TLS-002", L::kTls, S::kHigh, "TLS minimum version is 1.2", "Security Layers",
       "The solution uses TLS 1.2 by default; older versions are enabled only where a component needs them.",
       "Raise min_version to 1.2; where a legacy peer forces an older version, set legacy_tls: true and plan its upgrade.",
       tlsMinimumVersion,
       "docs/design.md §3 tls: TLS 1.2 minimum, legacy only where declared",
       "deployment.tls_min_version, channels[].min_version, channels[].legacy_tls"},
      {"CCS-TLS-003", L::kTls, S::kHigh, "No fallback to plaintext", "Secured PII in Transit",
       "A channel that falls back to plaintext when the handshake fails gives an attacker a downgrade to clear text.",
       "Set fallback: false so that a failed handshake closes the connection.",
       noPlaintextFallback,
       "docs/design.md §3 tls: no plaintext fallback",
       "channels[].fallback"},
      {"CCS-TLS-004", L::kTls, S::kHigh, "One certificate per host", "Secured PII in Transit",
       "A certificate or key shared between hosts lets one compromised host impersonate the others and defeats peer pinning.",
       "Issue each host its own key and certificate (ccsec pki issue).",
       uniqueCertificates,
       "docs/design.md §3 tls: one certificate per host",
       "hosts[].certificate"},
      {"CCS-TLS-005", L::kTls, S::kHigh, "Host certificates are valid and name the host", "Secured PII in Transit",
       "An expired certificate or one whose names do not match the host breaks TLS or trains people to ignore verification.",
       "Renew the certificate before it expires (--set cert_warn_days=N for the warning window) with the host's dns_name (or its name when none is stated) as a subjectAltName DNS entry, and its address among any IP entries.",
       certificatesValid,
       "docs/design.md §3 tls: certificates valid and naming the host",
       "hosts[].certificate, hosts[].dns_name, hosts[].address"},
      {"CCS-TLS-006", L::kTls, S::kHigh, "Agent desktop channels use TLS", "Security Layers",
       "The solution supports TLS for agent desktops to protect customer-sensitive information from eavesdropping.",
       "Serve the agent desktop over HTTPS only and remove any tls: false override.",
       desktopTls,
       "docs/design.md §3 tls: agent desktops over HTTPS",
       "channels[].tls (desktop-https)"},
      {"CCS-TLS-007", L::kTls, S::kHigh, "VXML remote server uses TLS and password authentication", "Secure Signaling and Media Design and Configuration",
       "The VXML server's connection to a custom remote server supports TLS for RPC and HTTP calls and user name/password authentication.",
       "Set media.vxml_remote_server to tls: true and auth: basic.",
       vxmlRemoteServer,
       "docs/design.md §3 tls: the VXML server's remote-server connection uses TLS and a password",
       "media.vxml_remote_server.tls, media.vxml_remote_server.auth"},
  };
  // clang-format on
  return kRules;
}

}  // namespace ccsec::policy::checks
