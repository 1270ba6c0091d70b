#include "policy/rule.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>

#include "core/text.h"

namespace ccsec::policy {

const char* toString(Layer l) {
  switch (l) {
    case Layer::kNetwork:
      return "network";
    case Layer::kIpsec:
      return "ipsec";
    case Layer::kTls:
      return "tls";
    case Layer::kMedia:
      return "media";
    case Layer::kDirectory:
      return "directory";
    case Layer::kHost:
      return "host";
    case Layer::kEndpoint:
      return "endpoint";
    case Layer::kCollaboration:
      return "collaboration";
    case Layer::kPhysical:
      return "physical";
    case Layer::kPolicy:
      return "policy";
  }
  return "policy";
}

std::map<std::string, std::int64_t, std::less<>> Options::defaultThresholds() {
  return {{"agents_per_ipsec_host", 1000},
          {"av_definitions_age_days", 1},
          {"aw_per_site", 2},
          {"cert_warn_days", 30},
          {"patch_age_days", 30}};
}

std::optional<std::pair<int, int>> parseWindow(std::string_view window) {
  auto minutes = [](std::string_view hhmm) {
    if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
    for (std::size_t i : {0u, 1u, 3u, 4u}) {
      if (hhmm[i] < '0' || hhmm[i] > '9') return -1;
    }
    int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
    int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    if (h > 23 || m > 59) return -1;
    return h * 60 + m;
  };
  if (window.size() != 11 || window[5] != '-') return std::nullopt;
  int start = minutes(window.substr(0, 5));
  int end = minutes(window.substr(6, 5));
  if (start < 0 || end < 0) return std::nullopt;
  return std::pair{start, end};
}

std::int64_t Options::threshold(std::string_view key) const {
  auto it = thresholds.find(key);
  assert(it != thresholds.end());
  return it == thresholds.end() ? 0 : it->second;
}

core::Result<void> Options::set(std::string_view assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return core::makeError("--set " + std::string(assignment) + ": expected key=value");
  }
  std::string key(assignment.substr(0, eq));
  std::string_view value = assignment.substr(eq + 1);
  if (key == "ads_per_site") key = "aw_per_site";
  if (key == "av_busy_hours") {
    auto window = parseWindow(value);
    if (!window) {
      return core::makeError("--set av_busy_hours: expected HH:MM-HH:MM, found \"" +
                             std::string(value) + "\"");
    }
    av_busy_start = window->first;
    av_busy_end = window->second;
    return {};
  }
  auto it = thresholds.find(key);
  if (it == thresholds.end()) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : defaultThresholds()) keys.push_back(k);
    keys.push_back("av_busy_hours");
    std::string hint = core::closestMatch(key, keys);
    return core::makeError("--set: unknown key \"" + key + "\"" +
                               (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"),
                           "known keys: " + core::join(keys, ", "));
  }
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || v < 0) {
    return core::makeError("--set " + key + ": expected a non-negative integer, found \"" +
                           std::string(value) + "\"");
  }
  it->second = v;
  return {};
}

bool Context::isCore(const inventory::Host& host) const {
  for (const std::string& r : host.roles) {
    const inventory::RoleSpec* spec = catalog.role(r);
    if (spec != nullptr && spec->core) return true;
  }
  return false;
}

bool Context::hasSqlRole(const inventory::Host& host) const {
  for (const std::string& r : host.roles) {
    const inventory::RoleSpec* spec = catalog.role(r);
    if (spec != nullptr && spec->sql) return true;
  }
  return false;
}

std::string_view Context::zoneOf(std::string_view name, bool is_endpoint) const {
  if (is_endpoint) {
    const inventory::EndpointGroup* g = model.findEndpoint(name);
    return g == nullptr ? std::string_view() : std::string_view(g->zone);
  }
  const inventory::Host* h = model.findHost(name);
  return h == nullptr ? std::string_view() : std::string_view(h->zone);
}

void emit(const Rule& rule, std::vector<Finding>& out, std::string target, std::string_view what,
          inventory::SourceLoc loc, std::optional<Severity> severity) {
  Finding f;
  f.rule = std::string(rule.id);
  f.severity = severity.value_or(rule.severity);
  f.target = std::move(target);
  f.message = std::string(what) + ". Remediation: " + std::string(rule.remediation);
  f.remediation = std::string(rule.remediation);
  f.reference = std::string(rule.reference);
  f.loc = loc;
  out.push_back(std::move(f));
}

void emitWith(const Rule& rule, std::vector<Finding>& out, std::string target,
              std::string_view what, inventory::SourceLoc loc, Severity severity,
              std::string_view remediation) {
  emit(rule, out, std::move(target), what, loc, severity);
  Finding& f = out.back();
  f.remediation = std::string(remediation);
  f.message = std::string(what) + ". Remediation: " + f.remediation;
}

void emitNotStated(const Rule& rule, std::vector<Finding>& out, std::string target,
                   std::string_view what, inventory::SourceLoc loc, std::string_view record,
                   std::string_view key) {
  Finding f;
  f.rule = std::string(rule.id);
  f.severity = Severity::kLow;
  f.target = std::move(target);
  f.remediation = fmt::format("State {} in the inventory ({}).", record, key);
  f.message = fmt::format("{} not stated in the inventory. Remediation: {}", what, f.remediation);
  f.reference = std::string(rule.reference);
  f.loc = loc;
  f.not_stated = true;
  out.push_back(std::move(f));
}

}  // namespace ccsec::policy
