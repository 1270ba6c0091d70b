#include "policy/output.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "policy/registry.h"

namespace ccsec::policy {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kReset = "\033[0m";
constexpr std::string_view kBold = "\033[1m";
constexpr std::string_view kDim = "\033[2m";

std::string_view severityColour(Severity s) {
  switch (s) {
    case Severity::kCritical: return "\033[1;31m";
    case Severity::kHigh: return "\033[31m";
    case Severity::kMedium: return "\033[33m";
    case Severity::kLow: return "\033[36m";
    case Severity::kInfo: return "\033[37m";
  }
  return "";
}

Layer layerOf(const Finding& f) {
  const Rule* r = findRule(f.rule);
  return r == nullptr ? Layer::kPolicy : r->layer;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  return out;
}

Json summaryJson(const Summary& s) {
  return Json{{"total", s.total}, {"critical", s.critical}, {"high", s.high},
              {"medium", s.medium}, {"low", s.low},         {"info", s.info},
              {"waived", s.waived}};
}

std::string xmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters; replace them.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string formatText(const std::vector<Finding>& findings, bool colour) {
  std::size_t w_sev = 0, w_rule = 0, w_target = 0;
  std::map<Layer, std::vector<const Finding*>> by_layer;
  for (const Finding& f : findings) {
    by_layer[layerOf(f)].push_back(&f);
    w_sev = std::max(w_sev, std::string_view(toString(f.severity)).size());
    w_rule = std::max(w_rule, f.rule.size());
    w_target = std::max(w_target, f.target.size());
  }
  std::string out;
  for (const auto& [layer, list] : by_layer) {
    if (colour) out += kBold;
    out += upper(toString(layer));
    if (colour) out += kReset;
    out += '\n';
    for (const Finding* f : list) {
      std::string line = "  ";
      std::string sev = fmt::format("{:<{}}", toString(f->severity), w_sev);
      if (colour) {
        line += std::string(f->waived ? kDim : severityColour(f->severity)) + sev +
                std::string(kReset);
      } else {
        line += sev;
      }
      line += fmt::format("  {:<{}}  {:<{}}  ", f->rule, w_rule, f->target, w_target);
      if (f->waived) {
        std::string note = fmt::format("[waived by {}: {}] ", f->waiver_owner, f->waiver_reason);
        line += colour ? std::string(kDim) + note + f->message + std::string(kReset)
                       : note + f->message;
      } else {
        line += f->message;
      }
      out += line;
      out += '\n';
    }
    out += '\n';
  }
  out += summarize(findings).line();
  out += '\n';
  return out;
}

std::string formatJson(const std::vector<Finding>& findings) {
  Json list = Json::array();
  for (const Finding& f : findings) {
    list.push_back(Json{{"rule", f.rule},
                        {"severity", toString(f.severity)},
                        {"target", f.target},
                        {"message", f.message},
                        {"remediation", f.remediation},
                        {"reference", f.reference},
                        {"waived", f.waived}});
  }
  Json doc{{"findings", std::move(list)}, {"summary", summaryJson(summarize(findings))}};
  return doc.dump(2) + "\n";
}

const char* sarifLevel(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh: return "error";
    case Severity::kMedium: return "warning";
    case Severity::kLow:
    case Severity::kInfo: return "note";
  }
  return "note";
}

std::string formatSarif(const std::vector<Finding>& findings, std::string_view artifact_uri) {
  return formatSarif(findings, artifact_uri, catalogue());
}

std::string formatSarif(const std::vector<Finding>& findings, std::string_view artifact_uri,
                        const std::vector<Rule>& rule_list) {
  Json rules = Json::array();
  std::map<std::string, std::size_t, std::less<>> rule_index;
  for (const Rule& r : rule_list) {
    rule_index.emplace(std::string(r.id), rule_index.size());
    rules.push_back(Json{
        {"id", r.id},
        {"name", r.title},
        {"shortDescription", {{"text", r.title}}},
        {"fullDescription", {{"text", r.rationale}}},
        {"help", {{"text", r.remediation}}},
        {"defaultConfiguration", {{"level", sarifLevel(r.severity)}}},
        {"properties", {{"layer", toString(r.layer)}, {"severity", toString(r.severity)},
                        {"reference", r.reference}}},
    });
  }
  Json results = Json::array();
  for (const Finding& f : findings) {
    Json physical{{"artifactLocation", {{"uri", artifact_uri}}}};
    if (f.loc.line > 0) {
      physical["region"] = Json{{"startLine", f.loc.line},
                                {"startColumn", std::max(1, f.loc.column)}};
    }
    Json result{{"ruleId", f.rule}};
    auto it = rule_index.find(f.rule);
    if (it != rule_index.end()) result["ruleIndex"] = it->second;
    result["level"] = sarifLevel(f.severity);
    result["message"] = Json{{"text", f.message}};
    result["locations"] = Json::array({Json{{"physicalLocation", physical}}});
    result["partialFingerprints"] = Json{{"ccsecTarget/v1", f.rule + "|" + f.target}};
    result["properties"] = Json{{"severity", toString(f.severity)}, {"target", f.target}};
    if (f.waived) {
      result["suppressions"] = Json::array(
          {Json{{"kind", "external"},
                {"justification", fmt::format("{} (owner {})", f.waiver_reason,
                                              f.waiver_owner)}}});
    }
    results.push_back(std::move(result));
  }
  Json doc{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", Json::array({Json{
                   {"tool", {{"driver", {{"name", "ccsec"},
                                         {"rules", std::move(rules)}}}}},
                   {"results", std::move(results)},
               }})},
  };
  return doc.dump(2) + "\n";
}

std::string formatJunit(const std::vector<Finding>& findings) {
  return formatJunit(findings, catalogue(), "ccsec check");
}

std::string formatJunit(const std::vector<Finding>& findings, const std::vector<Rule>& rule_list,
                        std::string_view suite_name) {
  std::map<std::string, std::vector<const Finding*>, std::less<>> by_rule;
  for (const Finding& f : findings) by_rule[f.rule].push_back(&f);
  std::size_t failures = 0;
  std::string cases;
  for (const Rule& r : rule_list) {
    std::vector<const Finding*> open, waived;
    auto it = by_rule.find(r.id);
    if (it != by_rule.end()) {
      for (const Finding* f : it->second) (f->waived ? waived : open).push_back(f);
    }
    cases += fmt::format("    <testcase classname=\"ccsec.{}\" name=\"{} {}\"", toString(r.layer),
                         r.id, xmlEscape(r.title));
    if (open.empty() && waived.empty()) {
      cases += "/>\n";
      continue;
    }
    cases += ">\n";
    if (!open.empty()) {
      ++failures;
      Severity worst = Severity::kInfo;
      std::string body;
      for (const Finding* f : open) {
        worst = std::max(worst, f->severity);
        body += fmt::format("{} {}: {}\n", toString(f->severity), f->target, f->message);
      }
      cases += fmt::format("      <failure type=\"{}\" message=\"{} finding{}\">{}</failure>\n",
                           toString(worst), open.size(), open.size() == 1 ? "" : "s",
                           xmlEscape(body));
    }
    if (!waived.empty()) {
      std::string body;
      for (const Finding* f : waived) {
        body += fmt::format("waived {} {}: {} ({})\n", toString(f->severity), f->target,
                            f->waiver_reason, f->waiver_owner);
      }
      cases += fmt::format("      <system-out>{}</system-out>\n", xmlEscape(body));
    }
    cases += "    </testcase>\n";
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\">\n", suite_name,
                     rule_list.size(), failures);
  out += fmt::format("  <testsuite name=\"ccsec.policy\" tests=\"{}\" failures=\"{}\" "
                     "errors=\"0\" skipped=\"0\">\n",
                     rule_list.size(), failures);
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace ccsec::policy
