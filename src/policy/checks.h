#pragma once
// The rule tables of the areas, one rules_<area>.cc each: every entry carries its data (ID,
// layer, severity, texts, design basis, keys) beside its check function. registry.cc
// concatenates them in catalogue order. Internal to ccsec_policy: other modules use registry.h
// and engine.h.

#include <vector>

#include "policy/rule.h"

namespace ccsec::policy::checks {

const std::vector<Rule>& networkRules();        // rules_net.cc
const std::vector<Rule>& ipsecRules();          // rules_ipsec.cc
const std::vector<Rule>& tlsRules();            // rules_tls.cc
const std::vector<Rule>& mediaRules();          // rules_media.cc
const std::vector<Rule>& directoryRules();      // rules_directory.cc
const std::vector<Rule>& hostRules();           // rules_host.cc
const std::vector<Rule>& endpointRules();       // rules_endpoint.cc
const std::vector<Rule>& collaborationRules();  // rules_ccp.cc
const std::vector<Rule>& physicalRules();       // rules_physical.cc

}  // namespace ccsec::policy::checks
