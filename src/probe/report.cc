#include "probe/report.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace ccsec::probe {

namespace {
using Json = nlohmann::ordered_json;

std::string shortVersions(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ",";
    out += s.rfind("TLSv", 0) == 0 ? s.substr(4) : s;
  }
  return out.empty() ? "-" : out;
}
}  // namespace

std::string factsTable(const std::vector<Observation>& observations) {
  std::size_t w = 8;
  for (const auto& o : observations) w = std::max(w, o.target.id().size());
  std::string out =
      fmt::format("{:<{}}  {:<17}  {:<13}  {:<13}  {:>6}  {:<10}  {}\n", "ENDPOINT", w, "PURPOSE",
                  "REACH", "TLS", "SUITES", "CLIENTCERT", "CERTIFICATE");
  for (const auto& o : observations) {
    std::size_t suites = 0;
    for (const auto& [v, s] : o.tls.suites) suites += s.size();
    std::string cc = !o.tls.attempted              ? "-"
                     : o.tls.client_cert_required  ? "required"
                     : o.tls.client_cert_requested ? "optional"
                                                   : "no";
    std::string cert = "-";
    if (o.tls.cert) {
      const auto& c = *o.tls.cert;
      cert = fmt::format(
          "{} {}{} until {} {}", c.info.common_name.empty() ? c.info.subject : c.info.common_name,
          c.key_type, c.key_bits, c.info.not_after.str(), c.info.fingerprint_sha256.substr(0, 19));
    }
    std::string reach = toString(o.reach);
    if (o.ldap.attempted)
      cert = fmt::format(
          "starttls={} clear-bind={}", o.ldap.starttls ? (*o.ldap.starttls ? "yes" : "no") : "?",
          o.ldap.clear_bind_refused ? (*o.ldap.clear_bind_refused ? "refused" : "accepted") : "?");
    out += fmt::format("{:<{}}  {:<17}  {:<13}  {:<13}  {:>6}  {:<10}  {}\n", o.target.id(), w,
                       toString(o.target.purpose), reach,
                       o.tls.attempted ? shortVersions(o.tls.versions) : "-",
                       o.tls.attempted ? std::to_string(suites) : "-", cc, cert);
  }
  return out;
}

std::string factsJson(const std::vector<Observation>& observations) {
  Json eps = Json::array();
  for (const auto& o : observations) {
    const Target& t = o.target;
    Json e{{"target", t.id()},
           {"host", t.host},
           {"address", t.address},
           {"port", t.port},
           {"proto", inventory::toString(t.proto)},
           {"dialled", t.connect_address + ":" + std::to_string(t.connect_port)},
           {"purpose", toString(t.purpose)},
           {"kind", t.kind},
           {"expect",
            {{"tls", t.tls},
             {"mutual_tls", t.mutual_tls},
             {"min_version", t.min_version},
             {"personal_data", t.personal_data},
             {"name", t.dns_name}}},
           {"reach", toString(o.reach)},
           {"detail", o.reach_detail},
           {"complete", o.complete},
           {"elapsed_ms", static_cast<std::int64_t>(o.elapsed_ms)}};
    if (o.tls.attempted) {
      const TlsFacts& f = o.tls;
      Json tls{{"handshake", f.handshake},
               {"handshake_error", f.handshake_error},
               {"negotiated", f.negotiated},
               {"versions", f.versions},
               {"versions_refused", f.versions_refused},
               {"suites", f.suites},
               {"groups", f.groups},
               {"enumeration_complete", f.enumeration_complete},
               {"client_certificate",
                {{"requested", f.client_cert_requested},
                 {"required", f.client_cert_required},
                 {"evidence", f.client_cert_evidence}}}};
      if (f.cert) {
        const CertFacts& c = *f.cert;
        tls["certificate"] = Json{{"subject", c.info.subject},
                                  {"issuer", c.info.issuer},
                                  {"dns_names", c.info.dns_names},
                                  {"ip_addresses", c.info.ip_addresses},
                                  {"not_before", c.info.not_before.str()},
                                  {"not_after", c.info.not_after.str()},
                                  {"key_type", c.key_type},
                                  {"key_bits", c.key_bits},
                                  {"fingerprint", c.info.fingerprint_sha256},
                                  {"spki", c.info.public_key_sha256},
                                  {"chain_checked", c.chain_checked},
                                  {"chains", c.chains},
                                  {"chain_error", c.chain_error}};
      }
      e["tls"] = std::move(tls);
    }
    if (o.plaintext.attempted)
      e["plaintext"] = Json{{"answered", o.plaintext.answered}, {"evidence", o.plaintext.evidence}};
    if (o.ldap.attempted) {
      Json l{{"evidence", o.ldap.evidence}, {"bind_result", o.ldap.bind_result}};
      l["starttls"] = o.ldap.starttls ? Json(*o.ldap.starttls) : Json(nullptr);
      l["clear_bind_refused"] =
          o.ldap.clear_bind_refused ? Json(*o.ldap.clear_bind_refused) : Json(nullptr);
      e["ldap"] = std::move(l);
    }
    eps.push_back(std::move(e));
  }
  return Json{{"endpoints", std::move(eps)}}.dump(2) + "\n";
}

}  // namespace ccsec::probe
