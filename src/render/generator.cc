#include "render/generator.h"

#include <array>

namespace ccsec::render {
namespace {

bool anyV6(const std::vector<core::Cidr>& cidrs) {
  for (const auto& c : cidrs)
    if (c.base().isV6()) return true;
  return false;
}

void set(FeatureSet& s, Feature f) { s.set(static_cast<std::size_t>(f)); }

}  // namespace

std::string_view toString(Feature f) {
  static constexpr std::array<std::string_view, static_cast<std::size_t>(Feature::kCount)> kNames{
      "host firewall",     "perimeter",
      "security contexts", "IPv6",
      "ipsec-only rules",  "negated sources",
      "port ranges",       "ipsec transport mode",
      "ipsec tunnel mode", "ipsec boundary exceptions"};
  return kNames[static_cast<std::size_t>(f)];
}

FeatureSet featureSet(std::initializer_list<Feature> list) {
  FeatureSet s;
  for (Feature f : list) set(s, f);
  return s;
}

FeatureSet featuresOf(const Table& t) {
  FeatureSet s;
  set(s, t.kind == TableKind::kHost ? Feature::kHostFirewall : Feature::kPerimeter);
  if (!t.contexts.empty()) set(s, Feature::kSecurityContexts);
  for (const auto& as : t.sets)
    if (anyV6(as.cidrs)) set(s, Feature::kIpv6);
  for (const auto& r : t.rules) {
    if (anyV6(r.src) || anyV6(r.dst)) set(s, Feature::kIpv6);
    if (r.require_ipsec) set(s, Feature::kIpsecOnlyRules);
    if (r.src_negated) set(s, Feature::kNegatedSource);
    if (r.port_lo != r.port_hi) set(s, Feature::kPortRanges);
  }
  return s;
}

FeatureSet featuresOf(const IpsecHost& h) {
  FeatureSet s;
  if (h.address.isV6()) set(s, Feature::kIpv6);
  for (const auto& p : h.peers) {
    set(s, p.mode == IpsecPeerMode::kTunnel ? Feature::kIpsecTunnel : Feature::kIpsecTransport);
    if (p.address.isV6()) set(s, Feature::kIpv6);
  }
  if (!h.boundaries.empty()) set(s, Feature::kIpsecBoundary);
  for (const auto& b : h.boundaries)
    if (anyV6(b.cidrs)) set(s, Feature::kIpv6);
  return s;
}

std::string Generator::fileFor(const Table&) const { return {}; }
std::string Generator::fileFor(const IpsecHost&) const { return {}; }
std::vector<CheckError> Generator::checkTarget(const RenderInput&) const { return {}; }

std::vector<CheckError> Generator::check(const RenderInput& in) const {
  std::vector<CheckError> errs;
  const FeatureSet declared = features();
  auto undeclared = [&](const FeatureSet& used, const std::string& where, int line) {
    const FeatureSet missing = used & ~declared;
    for (std::size_t i = 0; i < missing.size(); ++i) {
      if (!missing.test(i)) continue;
      const auto f = static_cast<Feature>(i);
      errs.push_back(CheckError{
          std::string(name()), std::string(toString(f)), where, line,
          "target " + std::string(name()) + " cannot express " + std::string(toString(f))});
    }
  };
  for (const auto* tables : {&in.policy.hosts, &in.policy.perimeters}) {
    for (const auto& t : *tables) {
      if (fileFor(t).empty()) continue;
      undeclared(featuresOf(t), (t.kind == TableKind::kHost ? "host " : "site ") + t.device,
                 t.line);
    }
  }
  for (const auto& h : in.policy.ipsec) {
    if (!fileFor(h).empty()) undeclared(featuresOf(h), "host " + h.host, h.line);
  }
  auto more = checkTarget(in);
  errs.insert(errs.end(), std::make_move_iterator(more.begin()),
              std::make_move_iterator(more.end()));
  return errs;
}

}  // namespace ccsec::render
