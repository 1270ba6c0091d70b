#include "cli/policy_args.h"

#include <iostream>

#include "cli/exit.h"
#include "core/date.h"

namespace ccsec::cli {

std::optional<policy::Options> parsePolicyOptions(const std::string& as_of,
                                                  const std::vector<std::string>& sets) {
  policy::Options options;
  if (!as_of.empty()) {
    auto d = core::Date::parse(as_of);
    if (!d) {
      std::cerr << "ccsec: --as-of: expected YYYY-MM-DD, found \"" << as_of << "\"\n";
      return std::nullopt;
    }
    options.as_of = *d;
  }
  for (const std::string& s : sets) {
    auto r = options.set(s);
    if (!r) {
      std::cerr << "ccsec: " << r.error().message << "\n";
      if (!r.error().detail.empty()) std::cerr << r.error().detail << "\n";
      return std::nullopt;
    }
  }
  return options;
}

std::optional<policy::Severity> parseFailOn(const std::string& text) {
  auto s = policy::parseSeverity(text);
  if (!s) {
    std::cerr << "ccsec: --fail-on: expected one of critical|high|medium|low|info, found \"" << text
              << "\"\n";
  }
  return s;
}

void addReportFlags(CLI::App& sub, ReportFlags& flags, std::string_view verb,
                    std::string_view as_of_help, std::string_view set_help) {
  sub.add_option("--format", flags.format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit"}))
      ->default_str("text");
  sub.add_option("--fail-on", flags.fail_on,
                 "Exit 1 when a finding is at or above this severity "
                 "(critical|high|medium|low|info)")
      ->default_str("high");
  sub.add_option("--as-of", flags.as_of, std::string(as_of_help));
  sub.add_option(
      "--baseline", flags.baseline,
      "Saved `" + std::string(verb) + " --format json` report: show only findings new since it");
  sub.add_option("--set", flags.sets, std::string(set_help));
}

std::optional<ReportSetup> parseReportFlags(const ReportFlags& flags, std::string_view verb,
                                            int& exit_code) {
  auto fail_on = parseFailOn(flags.fail_on);
  auto options = parsePolicyOptions(flags.as_of, flags.sets);
  if (!fail_on || !options) {
    exit_code = kExitUsage;
    return std::nullopt;
  }
  ReportSetup setup;
  setup.fail_on = *fail_on;
  setup.options = std::move(*options);
  if (!flags.baseline.empty()) {
    auto b = policy::loadBaseline(flags.baseline);
    if (!b) {
      exit_code = reportError(verb, b.error());
      return std::nullopt;
    }
    setup.baseline = std::move(b.value());
  }
  return setup;
}

std::string formatFindings(std::string_view format, const std::vector<policy::Finding>& findings,
                           std::string_view artifact, policy::Severity fail_on,
                           const ReportFormat& how) {
  if (format == "json") return policy::formatJson(findings, how.options);
  if (format == "sarif")
    return how.rules != nullptr ? policy::formatSarif(findings, artifact, *how.rules)
                                : policy::formatSarif(findings, artifact);
  if (format == "junit")
    return how.rules != nullptr ? policy::formatJunit(findings, *how.rules, how.suite, fail_on)
                                : policy::formatJunit(findings, fail_on);
  return how.text ? how.text(findings) : policy::formatText(findings, how.options);
}

int findingsExitCode(const std::vector<policy::Finding>& findings, policy::Severity fail_on) {
  return policy::anyAtOrAbove(findings, fail_on) ? kExitFindings : kExitClean;
}

}  // namespace ccsec::cli
