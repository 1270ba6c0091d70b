#pragma once
// Rules for facts read from a live system rather than from the inventory: CCS-DIR-* (`ccsec
// directory check`). They are not part of checkedRules()/catalogue() (an inventory check never
// reports them, and `ccsec rules` lists the inventory catalogue); findRule() knows them so that
// formatters place their findings in the right layer.

#include <string_view>
#include <vector>

#include "policy/rule.h"

namespace ccsec::policy {

const std::vector<Rule>& liveDirectoryRules();
/// A rule of liveDirectoryRules() by ID (asserts it exists).
const Rule& liveDirectoryRule(std::string_view id);
/// CCS-ACC-*: local group memberships as hosts report them (`ccsec accounts report`).
const std::vector<Rule>& liveAccountRules();
const Rule& liveAccountRule(std::string_view id);

}  // namespace ccsec::policy
