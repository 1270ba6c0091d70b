#include "policy/baseline.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ccsec::policy {

core::Result<std::set<FindingKey>> parseBaseline(std::string_view json, const std::string& name) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return core::makeError(name +
                           ": not valid JSON (expected a `ccsec check --format json` report)");
  }
  if (!doc.is_object() || !doc.contains("findings") || !doc["findings"].is_array()) {
    return core::makeError(name + ": expected an object with a \"findings\" array");
  }
  std::set<FindingKey> keys;
  std::size_t i = 0;
  for (const auto& f : doc["findings"]) {
    if (!f.is_object() || !f.contains("rule") || !f.contains("target") || !f["rule"].is_string() ||
        !f["target"].is_string()) {
      return core::makeError(name + ": findings[" + std::to_string(i) +
                             "]: expected an object with string \"rule\" and \"target\"");
    }
    keys.emplace(f["rule"].get<std::string>(), f["target"].get<std::string>());
    ++i;
  }
  return keys;
}

core::Result<std::set<FindingKey>> loadBaseline(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::makeError(path + ": cannot open baseline");
  std::ostringstream buf;
  buf << in.rdbuf();
  return parseBaseline(buf.str(), path);
}

std::vector<Finding> newSince(const std::vector<Finding>& findings,
                              const std::set<FindingKey>& baseline) {
  std::vector<Finding> out;
  for (const Finding& f : findings) {
    if (!baseline.contains({f.rule, f.target})) out.push_back(f);
  }
  return out;
}

Diff diff(const std::vector<Finding>& old_findings, const std::vector<Finding>& new_findings) {
  std::set<FindingKey> old_keys, new_keys;
  for (const Finding& f : old_findings) old_keys.emplace(f.rule, f.target);
  for (const Finding& f : new_findings) new_keys.emplace(f.rule, f.target);
  Diff d;
  d.added = newSince(new_findings, old_keys);
  d.removed = newSince(old_findings, new_keys);
  return d;
}

}  // namespace ccsec::policy
