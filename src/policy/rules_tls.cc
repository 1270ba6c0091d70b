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
    emit(rule, out, "deployment",
         fmt::format("deployment tls_min_version is {}", deployment_min),
         ctx.model.deployment.loc);
  }
  for (const Edge& e : ctx.graph.edges) {
    if (!e.tls) continue;
    const std::string& v = e.min_version.empty() ? deployment_min : e.min_version;
    if (v >= "1.2") continue;
    if (e.legacy_tls) {
      emit(rule, out, e.id(),
           fmt::format("edge {} accepts TLS {} under legacy_tls (allowed, still reported)",
                       e.id(), v),
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
    emit(rule, out, e.id(),
         fmt::format("edge {} allows fallback to plaintext", e.id()), e.loc);
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
    for (const auto* g : groups) parts.push_back("shares its certificate with " + others(*g, h.name));
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
  if (!m.vxml_remote_tls) unstated.push_back("tls");
  else if (!*m.vxml_remote_tls) problems.push_back("does not use TLS");
  if (!m.vxml_remote_auth) unstated.push_back("auth");
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

}  // namespace ccsec::policy::checks
