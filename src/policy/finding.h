#pragma once
// Findings: what a rule reports about one target of an inventory.
//
// A Finding is plain data (copyable, no references into the model). `target` is the exact name
// of what is wrong (host, edge "kind:server<-client", endpoint group, site, domain, account);
// waivers and baselines match on (rule, target), so the target of a given problem is stable.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/model.h"

namespace ccsec::policy {

/// Ordered from least to most severe; comparisons follow that order.
enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

/// "info", "low", "medium", "high", "critical".
const char* toString(Severity s);
/// Parses the lower-case spelling; nullopt on anything else.
std::optional<Severity> parseSeverity(std::string_view text);

struct Finding {
  std::string rule;  // "CCS-NET-001"
  Severity severity = Severity::kInfo;
  std::string target;       // exact name of the offending element
  std::string message;      // names the target, says what is wrong, ends with the remediation
  std::string remediation;  // the rule's remediation
  std::string reference;    // seed section the rule comes from
  bool waived = false;
  std::string waiver_reason;   // set when waived
  std::string waiver_owner;    // set when waived
  std::string waiver_expires;  // YYYY-MM-DD, set when waived
  inventory::SourceLoc loc;    // inventory line of the fact it rests on (0:0 when synthesised)
  bool not_stated = false;     // the inventory does not state the fact (low, "not stated")
  bool assumed = false;        // the verdict rests on a schema default, not a stated fact
};

/// Counts of a finding list: unwaived findings per severity, waived ones apart.
struct Summary {
  int total = 0;  // unwaived
  int critical = 0;
  int high = 0;
  int medium = 0;
  int low = 0;
  int info = 0;
  int waived = 0;

  /// "12 findings: 1 critical, 4 high, 5 medium, 2 low, 0 info (3 waived)".
  std::string line() const;
};

Summary summarize(const std::vector<Finding>& findings);

/// True when an unwaived finding is at or above `threshold`.
bool anyAtOrAbove(const std::vector<Finding>& findings, Severity threshold);

}  // namespace ccsec::policy
