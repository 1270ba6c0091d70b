#pragma once
// Shared by the policy verbs (check, probe, diff, directory): turning --as-of/--set/--fail-on
// strings into policy::Options, and the report flags and output of the verbs that print
// findings (check, probe): --format, --fail-on, --as-of, --baseline, --set, the formats, the
// exit code. Inventories are loaded with cli/inventory_arg.h.

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "policy/baseline.h"
#include "policy/finding.h"
#include "policy/output.h"
#include "policy/rule.h"

namespace ccsec::cli {

/// Builds Options from the flags; on a bad value prints one line to stderr and returns nullopt.
std::optional<policy::Options> parsePolicyOptions(const std::string& as_of,
                                                  const std::vector<std::string>& sets);

/// Parses --fail-on; prints to stderr and returns nullopt on a bad value.
std::optional<policy::Severity> parseFailOn(const std::string& text);

/// The report flags of a verb that prints findings (check, probe).
struct ReportFlags {
  std::string format = "text";  // text|json|sarif|junit
  std::string fail_on = "high";
  std::string as_of;
  std::string baseline;  // a saved `VERB --format json` report
  std::vector<std::string> sets;
};

/// Declares --format, --fail-on, --as-of, --baseline and --set on `sub` (help texts name `verb`;
/// `as_of_help` and `set_help` say what the verb's date and thresholds apply to).
void addReportFlags(CLI::App& sub, ReportFlags& flags, std::string_view verb,
                    std::string_view as_of_help, std::string_view set_help);

/// The report flags, parsed.
struct ReportSetup {
  policy::Severity fail_on = policy::Severity::kHigh;
  policy::Options options;
  std::optional<std::set<policy::FindingKey>> baseline;  // set when --baseline was given
};

/// Parses the report flags; on a mistake prints it to stderr (as "ccsec VERB: …") and returns
/// nullopt with `exit_code` set (2 for a bad flag or baseline file).
std::optional<ReportSetup> parseReportFlags(const ReportFlags& flags, std::string_view verb,
                                            int& exit_code);

/// What a verb's findings are rendered with: the options of text and JSON, the rules SARIF and
/// JUnit list (the whole catalogue when null), the JUnit suite name, and the text rendering
/// (formatText by default; a verb may put more before it).
struct ReportFormat {
  policy::ReportOptions options;
  const std::vector<policy::Rule>* rules = nullptr;
  std::string_view suite = "ccsec check";
  std::function<std::string(const std::vector<policy::Finding>&)> text;
};

/// `findings` in `format` (text|json|sarif|junit); SARIF locates results at `artifact`.
std::string formatFindings(std::string_view format, const std::vector<policy::Finding>& findings,
                           std::string_view artifact, policy::Severity fail_on,
                           const ReportFormat& how);

/// Exit code of a finished report: 1 when any finding is at or above `fail_on`, else 0.
int findingsExitCode(const std::vector<policy::Finding>& findings, policy::Severity fail_on);

}  // namespace ccsec::cli
