// Waivers, options, baseline, diff, the output formats and the bundled lab example.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "ccsec/paths.h"
#include "fixture.h"
#include "policy/baseline.h"
#include "policy/output.h"
#include "policy/registry.h"

namespace ccsec::policy {
namespace {

using testing::baseInventory;
using testing::checkDoc;
using testing::hostNode;
using testing::ofRule;

// aw-1 with its firewall off: one CCS-HST-001 finding on "aw-1"; pg-a's GED-188 from finesse-1
// in clear: one CCS-TLS-001 finding on an edge.
YAML::Node twoFindings() {
  YAML::Node d = baseInventory();
  hostNode(d, "aw-1")["protection"]["host_firewall"] = false;
  d["channels"].push_back(
      YAML::Load("{kind: ged-188, server: pg-a, client: finesse-1, tls: false}"));
  return d;
}

void addWaiver(YAML::Node& d, const std::string& rule, const std::string& target,
               const std::string& expires) {
  YAML::Node w;
  w["rule"] = rule;
  w["target"] = target;
  w["reason"] = "vendor upgrade";
  w["owner"] = "ops";
  w["expires"] = expires;
  d["waivers"].push_back(w);
}

TEST(Waivers, ValidWaiverMarksTheFindingAndCountsItApart) {
  YAML::Node d = twoFindings();
  addWaiver(d, "CCS-HST-001", "aw-1", "2027-01-31");
  auto all = checkDoc(d);
  auto hst = ofRule(all, "CCS-HST-001");
  ASSERT_EQ(hst.size(), 1u);
  EXPECT_TRUE(hst[0].waived);
  EXPECT_EQ(hst[0].waiver_reason, "vendor upgrade");
  EXPECT_EQ(hst[0].waiver_owner, "ops");
  Summary s = summarize(all);
  EXPECT_EQ(s.waived, 1);
  EXPECT_EQ(s.total, 1);
  EXPECT_EQ(s.critical, 1);
  EXPECT_EQ(s.high, 0);
  EXPECT_TRUE(ofRule(all, "CCS-POL-001").empty());
  EXPECT_FALSE(anyAtOrAbove({hst[0]}, Severity::kInfo));
}

TEST(Waivers, EdgeTargetsAcceptBothArrowSpellings) {
  for (const char* target : {"ged-188:pg-a<-finesse-1", "ged-188:pg-a->finesse-1"}) {
    YAML::Node d = twoFindings();
    addWaiver(d, "CCS-TLS-001", target, "2027-01-31");
    auto tls = ofRule(checkDoc(d), "CCS-TLS-001");
    ASSERT_EQ(tls.size(), 1u) << target;
    EXPECT_TRUE(tls[0].waived) << target;
  }
}

TEST(Waivers, ExpiredWaiverDoesNotWaiveAndSaysSo) {
  YAML::Node d = twoFindings();
  addWaiver(d, "CCS-HST-001", "aw-1", "2026-11-27");  // the day before as_of
  auto all = checkDoc(d);
  auto hst = ofRule(all, "CCS-HST-001");
  ASSERT_EQ(hst.size(), 1u);
  EXPECT_FALSE(hst[0].waived);
  EXPECT_NE(hst[0].message.find("waiver by ops expired on 2026-11-27"), std::string::npos);
  EXPECT_TRUE(ofRule(all, "CCS-POL-001").empty());  // it did match
}

TEST(Waivers, WaiverExpiringTodayStillWaives) {
  YAML::Node d = twoFindings();
  addWaiver(d, "CCS-HST-001", "aw-1", "2026-11-28");
  EXPECT_TRUE(ofRule(checkDoc(d), "CCS-HST-001")[0].waived);
}

TEST(Waivers, UnmatchedWaiverIsReportedAsInfo) {
  YAML::Node d = twoFindings();
  addWaiver(d, "CCS-HST-001", "hds-1", "2027-01-31");
  auto all = checkDoc(d);
  auto pol = ofRule(all, "CCS-POL-001");
  ASSERT_EQ(pol.size(), 1u);
  EXPECT_EQ(pol[0].severity, Severity::kInfo);
  EXPECT_EQ(pol[0].target, "waiver:CCS-HST-001@hds-1");
  EXPECT_GT(pol[0].loc.line, 0);
  EXPECT_FALSE(ofRule(all, "CCS-HST-001")[0].waived);
}

TEST(Options, DefaultsAndSet) {
  Options o;
  EXPECT_EQ(o.threshold("aw_per_site"), 2);
  EXPECT_EQ(o.threshold("patch_age_days"), 30);
  EXPECT_EQ(o.threshold("cert_warn_days"), 30);
  EXPECT_EQ(o.threshold("av_definitions_age_days"), 1);
  EXPECT_TRUE(o.set("ads_per_site=4").ok());
  EXPECT_EQ(o.threshold("aw_per_site"), 4);
  auto typo = o.set("patch_age_dayz=3");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.error().message.find("did you mean \"patch_age_days\""), std::string::npos);
  EXPECT_FALSE(o.set("patch_age_days=-1").ok());
  EXPECT_FALSE(o.set("patch_age_days=3x").ok());
  EXPECT_FALSE(o.set("patch_age_days").ok());
}

TEST(Baseline, KeepsOnlyFindingsNotInTheSavedReport) {
  auto before = checkDoc(twoFindings());
  ASSERT_EQ(before.size(), 2u);
  auto keys = parseBaseline(formatJson({before[0]}), "base.json");
  ASSERT_TRUE(keys.ok());
  auto fresh = newSince(before, *keys);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].rule, before[1].rule);
}

TEST(Baseline, RejectsWhatIsNotAReport) {
  EXPECT_FALSE(parseBaseline("{", "b.json").ok());
  EXPECT_FALSE(parseBaseline("[]", "b.json").ok());
  auto r = parseBaseline(R"({"findings":[{"rule":"CCS-NET-001"}]})", "b.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("b.json: findings[0]"), std::string::npos);
  EXPECT_FALSE(loadBaseline("/nonexistent/base.json").ok());
}

TEST(Diff, ListsAddedAndRemovedByRuleAndTarget) {
  YAML::Node old_doc = baseInventory();
  hostNode(old_doc, "hds-1")["protection"]["host_firewall"] = false;
  YAML::Node new_doc = baseInventory();
  hostNode(new_doc, "aw-1")["protection"]["host_firewall"] = false;
  Diff d = diff(checkDoc(old_doc), checkDoc(new_doc));
  ASSERT_EQ(d.added.size(), 1u);
  ASSERT_EQ(d.removed.size(), 1u);
  EXPECT_EQ(d.added[0].target, "aw-1");
  EXPECT_EQ(d.removed[0].target, "hds-1");
  Diff none = diff(checkDoc(new_doc), checkDoc(new_doc));
  EXPECT_TRUE(none.added.empty());
  EXPECT_TRUE(none.removed.empty());
}

TEST(Output, JsonHasExactlyTheDocumentedKeys) {
  auto j = nlohmann::json::parse(formatJson(checkDoc(twoFindings())));
  ASSERT_EQ(j["findings"].size(), 2u);
  std::vector<std::string> keys;
  for (auto& [k, v] : j["findings"][0].items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"assumed", "layer", "location", "message", "not_stated",
                                            "reference", "remediation", "rule", "severity",
                                            "target", "waived"}));
  EXPECT_TRUE(j["findings"][0]["location"]["line"].get<int>() > 0);
  EXPECT_TRUE(j["assumed"].is_array());
  EXPECT_EQ(j["summary"]["total"], 2);
  EXPECT_EQ(j["summary"]["critical"], 1);
  EXPECT_EQ(j["summary"]["high"], 1);
  EXPECT_EQ(j["summary"]["waived"], 0);
}

TEST(Output, TextGroupsByLayerAlignsAndEndsWithTheSummary) {
  const std::string text = formatText(checkDoc(twoFindings()), /*colour=*/false);
  EXPECT_EQ(text.find('\033'), std::string::npos);
  auto tls = text.find("TLS\n");
  auto host = text.find("HOST\n");
  ASSERT_NE(tls, std::string::npos);
  ASSERT_NE(host, std::string::npos);
  EXPECT_LT(tls, host);
  EXPECT_NE(text.find("  critical  CCS-TLS-001  ged-188:pg-a<-finesse-1  "), std::string::npos)
      << text;
  EXPECT_NE(text.find("  high      CCS-HST-001  aw-1                     "), std::string::npos)
      << text;
  const std::string last = "2 findings: 1 critical, 1 high, 0 medium, 0 low, 0 info (0 waived)\n";
  ASSERT_GE(text.size(), last.size());
  EXPECT_EQ(text.substr(text.size() - last.size()), last);
  EXPECT_NE(formatText(checkDoc(twoFindings()), true).find("\033[1;31m"), std::string::npos);
}

// Required properties per the OASIS SARIF 2.1.0 schema (sarif-schema-2.1.0.json): sarifLog
// {version, runs}; run {tool}; tool {driver}; toolComponent {name}; reportingDescriptor {id};
// result {message}; message {text|id}; level enum; region startLine/startColumn >= 1.
TEST(Output, SarifHasTheShapeOfTheOfficialSchema) {
  YAML::Node d = twoFindings();
  addWaiver(d, "CCS-HST-001", "aw-1", "2027-01-31");
  auto j = nlohmann::json::parse(formatSarif(checkDoc(d, {}, "inv/lab.yaml"), "inv/lab.yaml"));
  EXPECT_EQ(j["version"], "2.1.0");
  ASSERT_TRUE(j["$schema"].is_string());
  ASSERT_TRUE(j["runs"].is_array());
  ASSERT_EQ(j["runs"].size(), 1u);
  const auto& run = j["runs"][0];
  const auto& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "ccsec");
  ASSERT_TRUE(driver["rules"].is_array());
  EXPECT_EQ(driver["rules"].size(), catalogue().size());
  for (const auto& r : driver["rules"]) {
    ASSERT_TRUE(r["id"].is_string());
    ASSERT_TRUE(r["shortDescription"]["text"].is_string());
    const std::string lvl = r["defaultConfiguration"]["level"];
    EXPECT_TRUE(lvl == "note" || lvl == "warning" || lvl == "error");
  }
  ASSERT_EQ(run["results"].size(), 2u);
  for (const auto& res : run["results"]) {
    ASSERT_TRUE(res["ruleId"].is_string());
    ASSERT_TRUE(res["message"]["text"].is_string());
    const std::string lvl = res["level"];
    EXPECT_TRUE(lvl == "none" || lvl == "note" || lvl == "warning" || lvl == "error");
    const std::size_t idx = res["ruleIndex"];
    EXPECT_EQ(driver["rules"][idx]["id"], res["ruleId"]);
    const auto& phys = res["locations"][0]["physicalLocation"];
    EXPECT_EQ(phys["artifactLocation"]["uri"], "inv/lab.yaml");
    EXPECT_GE(phys["region"]["startLine"].get<int>(), 1);
    EXPECT_GE(phys["region"]["startColumn"].get<int>(), 1);
  }
  // The waived finding carries a suppression; the TLS finding points at its channels: line.
  int suppressed = 0;
  for (const auto& res : run["results"]) suppressed += res.contains("suppressions") ? 1 : 0;
  EXPECT_EQ(suppressed, 1);
}

TEST(Output, JunitHasOneTestcasePerRuleAndFailuresForFindings) {
  const std::string xml = formatJunit(checkDoc(twoFindings()));
  std::size_t cases = 0, pos = 0;
  while ((pos = xml.find("<testcase ", pos)) != std::string::npos) ++cases, ++pos;
  EXPECT_EQ(cases, catalogue().size());
  std::size_t failures = 0;
  pos = 0;
  while ((pos = xml.find("<failure ", pos)) != std::string::npos) ++failures, ++pos;
  EXPECT_EQ(failures, 2u);
  EXPECT_NE(xml.find("failures=\"2\""), std::string::npos);
  EXPECT_NE(xml.find("ged-188:pg-a&lt;-finesse-1"), std::string::npos);
}

TEST(Output, JunitFailsOnlyAtOrAboveFailOn) {
  // Issue #9 item 5: below --fail-on, findings are reported as properties, not failures.
  const std::string xml = formatJunit(checkDoc(twoFindings()), Severity::kCritical);
  EXPECT_NE(xml.find("failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<property name=\"high aw-1 (below --fail-on critical)\""), std::string::npos)
      << xml;
}

TEST(Examples, LabHasNoFindingAtOrAboveMedium) {
  const std::string lab = std::string(CCSEC_SOURCE_DIR) + "/examples/lab.yaml";
  ASSERT_TRUE(std::filesystem::exists(lab)) << lab;
  auto all = testing::checkFile(lab);
  for (const auto& f : all) {
    EXPECT_LT(f.severity, Severity::kMedium) << f.rule << " " << f.target << ": " << f.message;
  }
}

}  // namespace
}  // namespace ccsec::policy
