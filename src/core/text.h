#pragma once
// Small text helpers shared by every module: edit distance for "did you mean" hints, joining.

#include <string>
#include <string_view>
#include <vector>

namespace ccsec::core {

/// Levenshtein distance (insert/delete/substitute cost 1).
std::size_t editDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a plausible typo
/// (distance ≤ max(1, len/3)); empty string otherwise.
std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// `s` with A-Z mapped to a-z (ASCII only; other bytes unchanged, no locale).
std::string asciiLower(std::string s);

}  // namespace ccsec::core
