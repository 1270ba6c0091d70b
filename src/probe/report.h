#pragma once
// The observed facts of a probe run, with their evidence: a table for people and a JSON document
// for machines (`ccsec probe --facts FILE`, the store). Deterministic for the same observations.

#include <string>
#include <vector>

#include "probe/scanner.h"

namespace ccsec::probe {

/// One line per target: endpoint, purpose, reach, TLS versions, suite count, groups, client
/// certificate, certificate summary.
std::string factsTable(const std::vector<Observation>& observations);

/// {"endpoints":[{"target","host","address","port","proto","purpose","kind","expect":{…},
///   "reach","detail","tls":{…},"plaintext":{…},"ldap":{…},"complete"}]}
std::string factsJson(const std::vector<Observation>& observations);

}  // namespace ccsec::probe
