#include "probe/verdicts.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/cert_identity.h"
#include "policy/registry.h"

namespace ccsec::probe {

namespace {

using policy::Finding;
using policy::Severity;

const policy::Rule& rule(std::string_view id) {
  const policy::Rule* r = policy::findRule(id);
  return *r;  // ids below are all in probeRules()
}

int versionRank(std::string_view v) {
  if (v == "TLSv1.0" || v == "1.0") return 10;
  if (v == "TLSv1.1" || v == "1.1") return 11;
  if (v == "TLSv1.2" || v == "1.2") return 12;
  if (v == "TLSv1.3" || v == "1.3") return 13;
  return 0;
}

bool isAead(std::string_view suite) {
  if (suite.rfind("TLS_", 0) == 0) return true;  // every TLS 1.3 suite is AEAD
  return suite.find("GCM") != std::string_view::npos ||
         suite.find("CHACHA20") != std::string_view::npos ||
         (suite.find("CCM") != std::string_view::npos);
}

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ") {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

}  // namespace

std::vector<Finding> judge(const std::vector<Observation>& observations,
                           const policy::Options& options) {
  std::vector<Finding> out;
  auto emit = [&](std::string_view id, std::string target, std::string what, const Target& t,
                  std::optional<Severity> sev = std::nullopt) {
    policy::emit(rule(id), out, std::move(target), what, t.loc, sev);
  };
  const std::int64_t warn_days = options.threshold("cert_warn_days");
  // fingerprint → hosts, public key → hosts (one certificate per VM, proven from the wire)
  std::map<std::string, std::set<std::string>> by_cert, by_key;
  std::map<std::string, const Target*> first_target;

  for (const Observation& o : observations) {
    const Target& t = o.target;
    const std::string id = t.id();
    switch (t.purpose) {
      case Purpose::kListener:
        if (o.reach == Reach::kRefused || o.reach == Reach::kFiltered) {
          emit("CCS-PRB-012", id,
               fmt::format("{} ({}) is declared by the inventory but {} ({})", id, t.kind,
                           o.reach == Reach::kRefused ? "refuses connections"
                                                      : "does not answer (filtered)",
                           o.reach_detail),
               t);
        }
        break;
      case Purpose::kPlainClosed:
        if (o.reach == Reach::kOpen) {
          emit(
              "CCS-PRB-005", id,
              fmt::format(
                  "{} is the plaintext variant of the secured {} channel{} and accepts connections",
                  id, t.kind, t.personal_data ? " (personal data)" : ""),
              t, t.personal_data ? std::nullopt : std::optional<Severity>(Severity::kMedium));
        }
        break;
      case Purpose::kUndeclared:
        if (o.reach == Reach::kOpen) {
          emit("CCS-PRB-013", id,
               fmt::format(
                   "{} accepts connections, but the port belongs to a role {} does not declare", id,
                   t.host),
               t);
        }
        break;
      case Purpose::kPerimeter:
        if (o.reach == Reach::kOpen) {
          emit("CCS-PRB-014", id, fmt::format("{} is reachable from the external zone", id), t);
        } else if (o.reach == Reach::kOpenOrFiltered) {
          emit("CCS-PRB-014", id,
               fmt::format("{} did not answer from the external zone: UDP open|filtered (no ICMP "
                           "unreachable); "
                           "it cannot be shown closed",
                           id),
               t, Severity::kLow);
        }
        break;
    }
    if (t.purpose != Purpose::kListener || o.reach != Reach::kOpen) continue;

    // LDAP in clear (389/3268): StartTLS offered, simple bind in clear refused.
    if (o.ldap.attempted) {
      std::vector<std::string> problems;
      if (o.ldap.starttls.has_value() && !*o.ldap.starttls)
        problems.emplace_back("StartTLS is not offered");
      if (o.ldap.clear_bind_refused.has_value() && !*o.ldap.clear_bind_refused)
        problems.emplace_back(
            fmt::format("a simple bind in clear is processed (result {}, not "
                        "confidentialityRequired)",
                        o.ldap.bind_result));
      if (!problems.empty())
        emit("CCS-PRB-015", id,
             fmt::format("{}: {} ({})", id, join(problems, "; "), o.ldap.evidence), t);
    }

    if (!o.tls.attempted) continue;
    const TlsFacts& f = o.tls;
    // Plaintext answered on a TLS port (whether or not TLS handshakes complete there too).
    if (o.plaintext.answered) {
      emit("CCS-PRB-004", id,
           fmt::format("{} answered a plaintext request: {}", id, o.plaintext.evidence), t);
    }

    if (f.versions.empty() && !f.handshake) {
      if (t.ldap)
        emit("CCS-PRB-015", id,
             fmt::format("{}: LDAPS is not served (no TLS handshake: {})", id, f.handshake_error),
             t);
      else
        emit("CCS-PRB-011", id,
             fmt::format("{} ({}) completes no TLS handshake ({})", id, t.kind,
                         f.handshake_error.empty() ? "no version accepted" : f.handshake_error),
             t);
      continue;
    }
    // Versions below the minimum.
    std::vector<std::string> old;
    int min_rank = versionRank(t.min_version.empty() ? "1.2" : t.min_version);
    for (const auto& v : f.versions)
      if (versionRank(v) < min_rank || versionRank(v) < 12) old.push_back(v);
    if (!old.empty()) {
      emit("CCS-PRB-001", id,
           fmt::format("{} accepts {} (minimum {}{})", id, join(old),
                       t.min_version.empty() ? "1.2" : t.min_version,
                       t.legacy_tls ? "; legacy_tls declared" : ""),
           t, t.legacy_tls ? std::optional<Severity>(Severity::kMedium) : std::nullopt);
    }
    // Non-AEAD suites.
    std::vector<std::string> weak;
    for (const auto& [v, suites] : f.suites)
      for (const auto& s : suites)
        if (!isAead(s)) weak.push_back(v + " " + s);
    if (!weak.empty()) {
      emit("CCS-PRB-002", id, fmt::format("{} accepts non-AEAD suites: {}", id, join(weak)), t);
    }
    // Mutual TLS on personal-data channels.
    if (t.mutual_tls && !f.client_cert_required) {
      emit("CCS-PRB-003", id,
           fmt::format("{} ({}) completes a session without a client certificate ({})", id, t.kind,
                       f.client_cert_evidence),
           t);
    }
    // Certificate.
    if (f.cert) {
      const CertFacts& c = *f.cert;
      if (c.chain_checked && !c.chains) {
        emit("CCS-PRB-007", id,
             fmt::format("{} serves a certificate ({}, issuer {}) that does not chain to the "
                         "deployment CA: {}",
                         id, c.info.subject, c.info.issuer, c.chain_error),
             t);
      }
      // The one name rule of ccsec (core/cert_identity.h), as check and pki verify apply it.
      core::HostIdentity who{t.host, std::nullopt, std::nullopt};
      if (!t.dns_name.empty() && t.dns_name != t.host) who.dns_name = t.dns_name;
      if (!t.address.empty()) who.address = t.address;
      if (auto problem = core::certificateNameProblem(c.info, who)) {
        emit("CCS-PRB-008", id,
             fmt::format("{} serves a certificate that {}", id, problem->message), t);
      }
      core::Date as_of = options.as_of;
      if (c.info.not_after < as_of) {
        emit("CCS-PRB-009", id,
             fmt::format("{} serves a certificate that expired on {} (as of {})", id,
                         c.info.not_after.str(), as_of.str()),
             t);
      } else if ((c.info.not_after - as_of) <= warn_days) {
        emit("CCS-PRB-009", id,
             fmt::format("{} serves a certificate that expires on {} (within {} days of {})", id,
                         c.info.not_after.str(), warn_days, as_of.str()),
             t, Severity::kMedium);
      }
      if ((c.key_type == "RSA" && c.key_bits < 2048) || (c.key_type == "EC" && c.key_bits < 256) ||
          c.key_type == "DSA") {
        emit("CCS-PRB-010", id,
             fmt::format("{} serves a {} {}-bit key", id, c.key_type, c.key_bits), t);
      }
      by_cert[c.info.fingerprint_sha256].insert(t.host);
      by_key[c.info.public_key_sha256].insert(t.host);
      first_target.emplace(c.info.fingerprint_sha256, &t);
      first_target.emplace(c.info.public_key_sha256, &t);
    }
  }
  // Shared certificates and keys across hosts.
  std::set<std::string> reported;
  for (auto* map : {&by_cert, &by_key}) {
    for (const auto& [fp, hosts] : *map) {
      if (hosts.size() < 2) continue;
      std::vector<std::string> hv(hosts.begin(), hosts.end());
      std::string target = join(hv, "+");
      if (!reported.insert(target).second) continue;
      bool cert = map == &by_cert;
      emit("CCS-PRB-006", target,
           fmt::format("{} serve {} ({})", join(hv), cert ? "one certificate" : "one key", fp),
           *first_target[fp]);
    }
  }
  // Catalogue order (probeRules order), then target.
  std::map<std::string_view, std::size_t> order;
  for (const auto& r : policy::probeRules()) order.emplace(r.id, order.size());
  std::stable_sort(out.begin(), out.end(), [&](const Finding& a, const Finding& b) {
    auto ia = order[a.rule], ib = order[b.rule];
    return ia != ib ? ia < ib : a.target < b.target;
  });
  return out;
}

}  // namespace ccsec::probe
