#include "policy/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "policy/registry.h"

namespace ccsec::policy {

std::map<std::string, CertificateFacts, std::less<>> readCertificates(const inventory::Model& model,
                                                                      const std::string& base_dir) {
  std::map<std::string, CertificateFacts, std::less<>> out;
  for (const inventory::Host& h : model.hosts) {
    if (!h.certificate) continue;
    CertificateFacts facts;
    if (h.certificate->fingerprint) {
      std::string fp = *h.certificate->fingerprint;
      std::transform(fp.begin(), fp.end(), fp.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      facts.fingerprint = fp;
    }
    if (h.certificate->path) {
      std::filesystem::path p(*h.certificate->path);
      if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
      auto info = core::readCertificateFile(p.string());
      if (info) {
        facts.info = std::move(info.value());
      } else {
        facts.error = info.error().message;
      }
    }
    out.emplace(h.name, std::move(facts));
  }
  return out;
}

std::vector<Finding> runRules(const Context& ctx) {
  std::vector<Finding> out;
  for (const Rule& r : checkedRules()) {
    std::vector<Finding> found;
    r.check(r, ctx, found);
    std::stable_sort(found.begin(), found.end(),
                     [](const Finding& a, const Finding& b) { return a.target < b.target; });
    out.insert(out.end(), std::make_move_iterator(found.begin()),
               std::make_move_iterator(found.end()));
  }
  return out;
}

std::string normaliseTarget(std::string_view target) {
  std::string t(target);
  auto colon = t.find(':');
  if (colon == std::string::npos) return t;
  if (t.find("<->", colon) != std::string::npos) return t;  // private:a<->b, link:a<->b
  auto arrow = t.find("->", colon);
  if (arrow != std::string::npos) t.replace(arrow, 2, "<-");
  return t;
}

void applyWaivers(std::vector<Finding>& findings, const std::vector<inventory::Waiver>& waivers,
                  core::Date as_of) {
  // (rule, target) → finding indexes; a waiver matches every finding with that key.
  std::unordered_map<std::string, std::vector<std::size_t>> index;
  for (std::size_t i = 0; i < findings.size(); ++i) {
    index[findings[i].rule + '\n' + findings[i].target].push_back(i);
  }
  std::vector<Finding> unmatched;
  const Rule* meta = findRule(kWaiverMatchesNothing);
  for (const inventory::Waiver& w : waivers) {
    const std::string target = normaliseTarget(w.target);
    auto it = index.find(w.rule + '\n' + target);
    if (it == index.end()) {
      emit(*meta, unmatched, fmt::format("waiver:{}@{}", w.rule, target),
           fmt::format("waiver for {} on {} (owner {}, expires {}) matches no finding", w.rule,
                       w.target, w.owner, w.expires.str()),
           w.loc);
      continue;
    }
    for (std::size_t i : it->second) {
      Finding& f = findings[i];
      if (w.expires < as_of) {
        f.message +=
            fmt::format(" (waiver by {} expired on {}: {})", w.owner, w.expires.str(), w.reason);
      } else {
        f.waived = true;
        f.waiver_reason = w.reason;
        f.waiver_owner = w.owner;
        f.waiver_expires = w.expires.str();
      }
    }
  }
  findings.insert(findings.end(), std::make_move_iterator(unmatched.begin()),
                  std::make_move_iterator(unmatched.end()));
}

std::vector<Finding> check(const inventory::Model& model, const inventory::Catalog& catalog,
                           const Options& options) {
  return checkReport(model, catalog, options).findings;
}

Report checkReport(const inventory::Model& model, const inventory::Catalog& catalog,
                   const Options& options) {
  const inventory::ChannelGraph graph = inventory::deriveGraph(model, catalog);
  const std::string base_dir = std::filesystem::path(model.source_file).parent_path().string();
  const auto certificates = readCertificates(model, base_dir);
  const Context ctx{model, graph, catalog, options, certificates};
  Report report;
  report.findings = runRules(ctx);
  // Waivers of live rules (CCS-PRB-*, CCS-DIR-*) belong to `ccsec probe` and
  // `ccsec directory check`, not to this check.
  std::vector<inventory::Waiver> waivers;
  for (const auto& w : model.waivers)
    if (!w.rule.starts_with("CCS-PRB-") && !w.rule.starts_with("CCS-DIR-")) waivers.push_back(w);
  applyWaivers(report.findings, waivers, options.as_of);
  report.assumed = assumedDefaults(model, graph);
  return report;
}

std::vector<std::string> assumedDefaults(const inventory::Model& model,
                                         const inventory::ChannelGraph& graph) {
  std::size_t personal = 0, desktop = 0, sip = 0;
  for (const inventory::Edge& e : graph.edges) {
    if (e.tls_stated || !e.tls) continue;
    if (e.personal_data)
      ++personal;
    else if (e.kind == "desktop-https")
      ++desktop;
    else if (e.kind == "sip")
      ++sip;
  }
  std::size_t vlan = 0, span = 0;
  for (const inventory::EndpointGroup& g : model.endpoints) {
    if (g.kind != inventory::EndpointKind::kIpPhone) continue;
    if (!g.pc_voice_vlan_access) ++vlan;
    if (!g.span_to_pc_port) ++span;
  }
  auto s = [](std::size_t n) { return n == 1 ? "" : "s"; };
  std::vector<std::string> out;
  if (personal > 0)
    out.push_back(
        fmt::format("{} personal-data edge{} taken as TLS by default; declare "
                    "`channels:` to confirm",
                    personal, s(personal)));
  if (desktop > 0)
    out.push_back(
        fmt::format("{} agent desktop edge{} taken as HTTPS by default; declare "
                    "`channels:` to confirm",
                    desktop, s(desktop)));
  if (sip > 0)
    out.push_back(
        fmt::format("{} SIP edge{} taken as TLS under security model {}; declare "
                    "`channels:` to confirm",
                    sip, s(sip), inventory::toString(model.deployment.security_model)));
  if (vlan > 0)
    out.push_back(
        fmt::format("{} phone group{} taken to have PC voice VLAN access enabled (the "
                    "default); state `endpoints[].pc_voice_vlan_access`",
                    vlan, s(vlan)));
  if (span > 0)
    out.push_back(
        fmt::format("{} phone group{} taken to have span to PC port enabled (the "
                    "default); state `endpoints[].span_to_pc_port`",
                    span, s(span)));
  return out;
}

std::vector<Finding> filterFindings(std::vector<Finding> findings, Severity min,
                                    const std::vector<std::string>& rule_prefixes) {
  std::erase_if(findings, [&](const Finding& f) {
    if (f.severity < min) return true;
    if (rule_prefixes.empty()) return false;
    return std::none_of(rule_prefixes.begin(), rule_prefixes.end(), [&](const std::string& p) {
      return f.rule.size() >= p.size() &&
             std::equal(p.begin(), p.end(), f.rule.begin(), [](char a, char b) {
               return std::toupper(static_cast<unsigned char>(a)) ==
                      std::toupper(static_cast<unsigned char>(b));
             });
    });
  });
  return findings;
}

}  // namespace ccsec::policy
