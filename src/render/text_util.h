#pragma once
// Formatting helpers shared by the generators. Pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "core/ip.h"
#include "render/policy_model.h"

namespace ccsec::render {

/// "10.1.2.3" for a host prefix, "10.1.0.0/16" otherwise.
std::string prefixText(const core::Cidr& c);
bool isHostPrefix(const core::Cidr& c);
/// IPv4 dotted netmask of a prefix length (ASA syntax).
std::string netmask(int prefix);
/// PowerShell single-quoted string literal: 'it''s'.
std::string psQuote(std::string_view s);
/// Removes characters a target's comment syntax cannot carry (quotes, newlines) and truncates.
std::string commentText(std::string_view s, std::size_t max_len);
/// The prefixes of one family.
std::vector<core::Cidr> ofFamily(const std::vector<core::Cidr>& v, bool v6);
/// Header line every rendered file starts with (after a shebang if any), without trailing \n.
std::string renderedBy(std::string_view comment_prefix, std::string_view what,
                       std::string_view inventory_file);
/// "basename.yaml" of the inventory path (never the directory: output must not depend on it).
std::string inventoryName(std::string_view source_file);

}  // namespace ccsec::render
