#pragma once
// Formatters for `ccsec check`: text for people, JSON, SARIF 2.1.0 and JUnit XML for machines.
// All are pure functions of the finding list (already sorted by the engine) and return the
// whole document, newline-terminated. Output is deterministic: no timestamps, no host names.

#include <string>
#include <string_view>
#include <vector>

#include "policy/finding.h"

namespace ccsec::policy {

struct Rule;

/// What the text and JSON reports show besides the findings.
struct ReportOptions {
  bool colour = false;    // ANSI colours (callers pass isatty(stdout))
  bool verbose = false;   // list each low "not stated" finding instead of one line per rule
  std::string_view file;  // the inventory path as given: FILE:LINE of each finding
  std::vector<std::string> assumed;  // assumedDefaults(): what the verdicts rest on
};

/// Findings grouped by layer (catalogue order), within a layer by severity (highest first) then
/// target; each line shows FILE:LINE of the inventory fact the finding rests on. Low "not
/// stated" findings fold into one line per rule unless `verbose`. The summary line follows, then
/// what was assumed from defaults.
std::string formatText(const std::vector<Finding>& findings, const ReportOptions& options);
/// Same with only colour set (no file, no assumptions).
std::string formatText(const std::vector<Finding>& findings, bool colour);

/// {"findings":[{"rule","severity","layer","target","message","remediation","reference",
///  "location":{"file","line","column"},"assumed","not_stated","waived"}],
///  "summary":{"total","critical","high","medium","low","info","waived"},"assumed":[...]}
std::string formatJson(const std::vector<Finding>& findings, const ReportOptions& options = {});

/// SARIF 2.1.0: one run, tool.driver "ccsec" with every catalogue rule, one result per finding
/// located at `artifact_uri` (the inventory path as given) line:column.
std::string formatSarif(const std::vector<Finding>& findings, std::string_view artifact_uri);
/// Same with an explicit rule list for tool.driver.rules (e.g. `ccsec probe`: the CCS-PRB rules).
std::string formatSarif(const std::vector<Finding>& findings, std::string_view artifact_uri,
                        const std::vector<Rule>& rules);

/// JUnit XML: one testcase per catalogue rule; a <failure> lists the rule's unwaived findings at
/// or above `fail_on` (as --fail-on); findings below it are listed as testcase properties and
/// do not fail the case.
std::string formatJunit(const std::vector<Finding>& findings, Severity fail_on = Severity::kInfo);
/// Same with an explicit rule list (one testcase each) and testsuites name ("ccsec probe").
std::string formatJunit(const std::vector<Finding>& findings, const std::vector<Rule>& rules,
                        std::string_view suite_name, Severity fail_on = Severity::kInfo);

/// SARIF level of a severity: critical/high → error, medium → warning, low/info → note.
const char* sarifLevel(Severity s);

}  // namespace ccsec::policy
