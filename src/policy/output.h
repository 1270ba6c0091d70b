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

/// Findings grouped by layer (catalogue order), columns aligned, summary line last. `colour`
/// adds ANSI colours (callers pass isatty(stdout)).
std::string formatText(const std::vector<Finding>& findings, bool colour);

/// {"findings":[{"rule","severity","target","message","remediation","reference","waived"}],
///  "summary":{"total","critical","high","medium","low","info","waived"}}
std::string formatJson(const std::vector<Finding>& findings);

/// SARIF 2.1.0: one run, tool.driver "ccsec" with every catalogue rule, one result per finding
/// located at `artifact_uri` (the inventory path as given) line:column.
std::string formatSarif(const std::vector<Finding>& findings, std::string_view artifact_uri);
/// Same with an explicit rule list for tool.driver.rules (e.g. `ccsec probe`: the CCS-PRB rules).
std::string formatSarif(const std::vector<Finding>& findings, std::string_view artifact_uri,
                        const std::vector<Rule>& rules);

/// JUnit XML: one testcase per catalogue rule; a failure lists the rule's unwaived findings.
std::string formatJunit(const std::vector<Finding>& findings);
/// Same with an explicit rule list (one testcase each) and testsuites name ("ccsec probe").
std::string formatJunit(const std::vector<Finding>& findings, const std::vector<Rule>& rules,
                        std::string_view suite_name);

/// SARIF level of a severity: critical/high → error, medium → warning, low/info → note.
const char* sarifLevel(Severity s);

}  // namespace ccsec::policy
