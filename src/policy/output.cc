#include "policy/output.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "policy/registry.h"

namespace ccsec::policy {

namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kReset = "\033[0m";
constexpr std::string_view kBold = "\033[1m";
constexpr std::string_view kDim = "\033[2m";

std::string_view severityColour(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "\033[1;31m";
    case Severity::kHigh:
      return "\033[31m";
    case Severity::kMedium:
      return "\033[33m";
    case Severity::kLow:
      return "\033[36m";
    case Severity::kInfo:
      return "\033[37m";
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
  return Json{{"total", s.total},   {"critical", s.critical}, {"high", s.high},
              {"medium", s.medium}, {"low", s.low},           {"info", s.info},
              {"waived", s.waived}};
}

std::string xmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
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
  ReportOptions o;
  o.colour = colour;
  return formatText(findings, o);
}

namespace {

std::string locationOf(const Finding& f, std::string_view file) {
  if (f.loc.line <= 0) return std::string(file.empty() ? "-" : file);
  if (file.empty()) return fmt::format("line {}", f.loc.line);
  return fmt::format("{}:{}", file, f.loc.line);
}

// One text row: a finding, or a folded group of low "not stated" findings of one rule.
struct Row {
  Severity severity = Severity::kInfo;
  std::string rule;
  std::string target;
  std::string where;
  std::string text;
  bool waived = false;
};

}  // namespace

std::string formatText(const std::vector<Finding>& findings, const ReportOptions& options) {
  const bool colour = options.colour;
  std::map<Layer, std::vector<const Finding*>> by_layer;
  for (const Finding& f : findings) by_layer[layerOf(f)].push_back(&f);
  std::map<Layer, std::vector<Row>> rows;
  std::size_t w_sev = 0, w_rule = 0, w_target = 0, w_where = 0;
  for (auto& [layer, list] : by_layer) {
    std::stable_sort(list.begin(), list.end(), [](const Finding* a, const Finding* b) {
      if (a->severity != b->severity) return a->severity > b->severity;
      return a->target < b->target;
    });
    // rule → folded "not stated" findings (unwaived lows), kept in order of first appearance
    std::map<std::string, std::vector<const Finding*>, std::less<>> folded;
    std::vector<Row>& out = rows[layer];
    for (const Finding* f : list) {
      if (!options.verbose && f->not_stated && !f->waived && f->severity == Severity::kLow) {
        auto& group = folded[f->rule];
        group.push_back(f);
        if (group.size() > 1) continue;
        out.push_back(Row{f->severity, f->rule, "", "", "", false});  // filled below
        continue;
      }
      Row r{f->severity, f->rule, f->target, locationOf(*f, options.file), "", f->waived};
      r.text = f->waived ? fmt::format("[waived by {}: {}] {}", f->waiver_owner, f->waiver_reason,
                                       f->message)
                         : f->message;
      out.push_back(std::move(r));
    }
    for (Row& r : out) {
      if (!r.target.empty() || !r.text.empty()) continue;
      const auto& group = folded[r.rule];
      const Finding* first = group.front();
      if (group.size() == 1) {
        r.target = first->target;
        r.where = locationOf(*first, options.file);
        r.text = first->message;
        continue;
      }
      std::vector<std::string> names;
      for (std::size_t i = 1; i < group.size() && i < 8; ++i) names.push_back(group[i]->target);
      if (group.size() > names.size() + 1) names.push_back("...");
      const std::string& m = first->message;
      const std::size_t cut = m.find(". Remediation: ");
      r.target = fmt::format("{} targets", group.size());
      r.where = locationOf(*first, options.file);
      r.text = fmt::format("{}; likewise for {}{} (--verbose lists each)", m.substr(0, cut),
                           core::join(names, ", "),
                           cut == std::string::npos ? std::string() : m.substr(cut));
    }
    for (const Row& r : out) {
      w_sev = std::max(w_sev, std::string_view(toString(r.severity)).size());
      w_rule = std::max(w_rule, r.rule.size());
      w_target = std::max(w_target, r.target.size());
      w_where = std::max(w_where, r.where.size());
    }
  }
  std::string out;
  for (const auto& [layer, list] : rows) {
    if (colour) out += kBold;
    out += upper(toString(layer));
    if (colour) out += kReset;
    out += '\n';
    for (const Row& r : list) {
      std::string line = "  ";
      std::string sev = fmt::format("{:<{}}", toString(r.severity), w_sev);
      if (colour) {
        line +=
            std::string(r.waived ? kDim : severityColour(r.severity)) + sev + std::string(kReset);
      } else {
        line += sev;
      }
      line += fmt::format("  {:<{}}  {:<{}}  {:<{}}  ", r.rule, w_rule, r.target, w_target, r.where,
                          w_where);
      line += colour && r.waived ? std::string(kDim) + r.text + std::string(kReset) : r.text;
      out += line;
      out += '\n';
    }
    out += '\n';
  }
  out += summarize(findings).line();
  out += '\n';
  if (!options.assumed.empty()) {
    out += "Assumed from defaults (verdicts that rest on them):\n";
    for (const std::string& a : options.assumed) out += "  - " + a + "\n";
  }
  return out;
}

std::string formatJson(const std::vector<Finding>& findings, const ReportOptions& options) {
  Json list = Json::array();
  for (const Finding& f : findings) {
    Json location{{"file", options.file}, {"line", f.loc.line}, {"column", f.loc.column}};
    list.push_back(Json{{"rule", f.rule},
                        {"severity", toString(f.severity)},
                        {"layer", toString(layerOf(f))},
                        {"target", f.target},
                        {"message", f.message},
                        {"remediation", f.remediation},
                        {"reference", f.reference},
                        {"location", std::move(location)},
                        {"assumed", f.assumed},
                        {"not_stated", f.not_stated},
                        {"waived", f.waived}});
  }
  Json doc{{"findings", std::move(list)}, {"summary", summaryJson(summarize(findings))}};
  doc["assumed"] = options.assumed;
  return doc.dump(2) + "\n";
}

const char* sarifLevel(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "note";
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
        {"properties",
         {{"layer", toString(r.layer)},
          {"severity", toString(r.severity)},
          {"reference", r.reference}}},
    });
  }
  Json results = Json::array();
  for (const Finding& f : findings) {
    Json physical{{"artifactLocation", {{"uri", artifact_uri}}}};
    if (f.loc.line > 0) {
      physical["region"] =
          Json{{"startLine", f.loc.line}, {"startColumn", std::max(1, f.loc.column)}};
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
                {"justification", fmt::format("{} (owner {})", f.waiver_reason, f.waiver_owner)}}});
    }
    results.push_back(std::move(result));
  }
  Json doc{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", Json::array({Json{
                   {"tool", {{"driver", {{"name", "ccsec"}, {"rules", std::move(rules)}}}}},
                   {"results", std::move(results)},
               }})},
  };
  return doc.dump(2) + "\n";
}

std::string formatJunit(const std::vector<Finding>& findings, Severity fail_on) {
  return formatJunit(findings, catalogue(), "ccsec check", fail_on);
}

std::string formatJunit(const std::vector<Finding>& findings, const std::vector<Rule>& rule_list,
                        std::string_view suite_name, Severity fail_on) {
  std::map<std::string, std::vector<const Finding*>, std::less<>> by_rule;
  for (const Finding& f : findings) by_rule[f.rule].push_back(&f);
  std::size_t failures = 0;
  std::string cases;
  for (const Rule& r : rule_list) {
    std::vector<const Finding*> open, below, waived;
    auto it = by_rule.find(r.id);
    if (it != by_rule.end()) {
      for (const Finding* f : it->second) {
        if (f->waived)
          waived.push_back(f);
        else if (f->severity >= fail_on)
          open.push_back(f);
        else
          below.push_back(f);
      }
    }
    cases += fmt::format("    <testcase classname=\"ccsec.{}\" name=\"{} {}\"", toString(r.layer),
                         r.id, xmlEscape(r.title));
    if (open.empty() && waived.empty() && below.empty()) {
      cases += "/>\n";
      continue;
    }
    cases += ">\n";
    if (!below.empty()) {
      // Reported, not failing: below --fail-on.
      cases += "      <properties>\n";
      for (const Finding* f : below) {
        cases += fmt::format(
            "        <property name=\"{} {} (below --fail-on {})\" value=\"{}\"/>\n",
            toString(f->severity), xmlEscape(f->target), toString(fail_on), xmlEscape(f->message));
      }
      cases += "      </properties>\n";
    }
    if (!open.empty()) {
      ++failures;
      Severity worst = Severity::kInfo;
      std::string body;
      for (const Finding* f : open) {
        worst = std::max(worst, f->severity);
        body += fmt::format("{} {}: {}\n", toString(f->severity), f->target, f->message);
      }
      cases +=
          fmt::format("      <failure type=\"{}\" message=\"{} finding{}\">{}</failure>\n",
                      toString(worst), open.size(), open.size() == 1 ? "" : "s", xmlEscape(body));
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
  out += fmt::format(
      "  <testsuite name=\"ccsec.policy\" tests=\"{}\" failures=\"{}\" "
      "errors=\"0\" skipped=\"0\">\n",
      rule_list.size(), failures);
  out += cases;
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace ccsec::policy
