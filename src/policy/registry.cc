// The registry: the concatenation of the areas' rule tables. Each rules_<area>.cc holds its
// rules' data beside their checks and exports its table; adding a rule touches one file (plus
// its fixture), and the rule count is whatever the tables hold (docs/adding-a-rule.md).

#include "policy/registry.h"

#include "policy/checks.h"
#include "policy/live_rules.h"

namespace ccsec::policy {

const std::vector<Rule>& checkedRules() {
  static const std::vector<Rule> kRules = [] {
    std::vector<Rule> all;
    // Catalogue order: the layers of the design.
    for (const std::vector<Rule>* area :
         {&checks::networkRules(), &checks::ipsecRules(), &checks::tlsRules(),
          &checks::mediaRules(), &checks::directoryRules(), &checks::hostRules(),
          &checks::endpointRules(), &checks::collaborationRules(), &checks::physicalRules()}) {
      all.insert(all.end(), area->begin(), area->end());
    }
    return all;
  }();
  return kRules;
}

const std::vector<Rule>& catalogue() {
  static const std::vector<Rule> kAll = [] {
    std::vector<Rule> all = checkedRules();
    all.push_back({kWaiverMatchesNothing, Layer::kPolicy, Severity::kInfo,
                   "A waiver matches no finding", "Security Layers",
                   "A waiver that matches nothing is stale or misspelt; left alone it may silently "
                   "waive a future finding it was never meant for.",
                   "Fix the waiver's rule or target (edges are kind:server<-client) or remove it.",
                   nullptr, "docs/design.md §3 waivers: a waiver that matches nothing is reported",
                   "waivers[]"});
    return all;
  }();
  return kAll;
}

const Rule* findRule(std::string_view id) {
  for (const Rule& r : catalogue()) {
    if (r.id == id) return &r;
  }
  for (const Rule& r : liveDirectoryRules())
    if (r.id == id) return &r;
  for (const Rule& r : liveAccountRules())
    if (r.id == id) return &r;
  for (const Rule& r : probeRules()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

}  // namespace ccsec::policy
