#pragma once
// Running the catalogue over an inventory: derive the graph, read host certificates, run every
// rule, apply the inventory's waivers, sort. Deterministic: the same inputs and Options give
// the same findings in the same order (catalogue order, then target).

#include <string>
#include <vector>

#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "inventory/model.h"
#include "policy/finding.h"
#include "policy/rule.h"

namespace ccsec::policy {

/// Reads the `certificate:` of every host. Relative paths resolve against `base_dir`
/// (the inventory file's directory). Unreadable files are recorded, not fatal.
std::map<std::string, CertificateFacts, std::less<>> readCertificates(const inventory::Model& model,
                                                                      const std::string& base_dir);

/// Runs every checked rule; findings sorted in catalogue order, then by target. No waivers.
std::vector<Finding> runRules(const Context& ctx);

/// Marks findings matched by a waiver (rule + target; edge targets may be written
/// "kind:server->client" too). A waiver whose `expires` is before `as_of` does not waive: the
/// finding's message says the waiver expired. Every waiver that matches no finding adds an
/// info finding of CCS-POL-001.
void applyWaivers(std::vector<Finding>& findings, const std::vector<inventory::Waiver>& waivers,
                  core::Date as_of);

/// The whole check: graph, certificates (relative to the directory of model.source_file),
/// rules, waivers.
std::vector<Finding> check(const inventory::Model& model, const inventory::Catalog& catalog,
                           const Options& options);

/// What the verdicts rest on that the inventory does not state but the schema defaults
/// (docs/design.md §3): one sentence per kind of default, e.g. "41 personal-data edges taken as TLS
/// by default; declare `channels:` to confirm". Empty when nothing rests on a default.
std::vector<std::string> assumedDefaults(const inventory::Model& model,
                                         const inventory::ChannelGraph& graph);

/// check() plus the assumed defaults, for the report's summary.
struct Report {
  std::vector<Finding> findings;
  std::vector<std::string> assumed;
};
Report checkReport(const inventory::Model& model, const inventory::Catalog& catalog,
                   const Options& options);

/// Keeps the findings at or above `min` whose rule starts with one of `rule_prefixes` (all
/// when empty): `--min-severity`, `--rule`. Meta findings (CCS-POL-001) follow the same filter.
std::vector<Finding> filterFindings(std::vector<Finding> findings, Severity min,
                                    const std::vector<std::string>& rule_prefixes);

/// Waiver target spelling normalised to the finding's ("kind:server->client" → "<-").
std::string normaliseTarget(std::string_view target);

}  // namespace ccsec::policy
