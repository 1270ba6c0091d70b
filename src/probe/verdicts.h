#pragma once
// From observations to findings: each CCS-PRB rule (policy/rules_probe.cc) judges what the wire
// showed against what the inventory declares. One finding per (rule, target); targets are
// "host:port" for endpoint verdicts, the host list "a+b" for a shared certificate or key.
// Pure function of its inputs (as_of injected); sorted like `check` (rule order, then target).

#include <vector>

#include "inventory/model.h"
#include "policy/finding.h"
#include "policy/rule.h"
#include "probe/scanner.h"

namespace ccsec::probe {

std::vector<policy::Finding> judge(const std::vector<Observation>& observations,
                                   const policy::Options& options);

}  // namespace ccsec::probe
