#include "inventory/model.h"

#include <algorithm>

namespace ccsec::inventory {

const char* toString(SecurityModel v) {
  switch (v) {
    case SecurityModel::kUnsecured:
      return "unsecured";
    case SecurityModel::kSignaling:
      return "signaling";
    case SecurityModel::kAgentMedia:
      return "agent-media";
    case SecurityModel::kEndToEnd:
      return "end-to-end";
  }
  return "?";
}
const char* toString(ZoneKind v) {
  switch (v) {
    case ZoneKind::kDatacenter:
      return "datacenter";
    case ZoneKind::kDmz:
      return "dmz";
    case ZoneKind::kCorporate:
      return "corporate";
    case ZoneKind::kAgent:
      return "agent";
    case ZoneKind::kExternal:
      return "external";
  }
  return "?";
}
const char* toString(PhysicalAccess v) {
  return v == PhysicalAccess::kControlled ? "controlled" : "uncontrolled";
}
const char* toString(PerimeterVendor v) { return v == PerimeterVendor::kAsa ? "asa" : "nftables"; }
const char* toString(LinkProtection v) { return v == LinkProtection::kIpsec ? "ipsec" : "none"; }
const char* toString(DomainMode v) { return v == DomainMode::kNative ? "native" : "mixed"; }
const char* toString(Os v) {
  switch (v) {
    case Os::kWindows:
      return "windows";
    case Os::kVos:
      return "vos";
    case Os::kLinux:
      return "linux";
  }
  return "?";
}
const char* toString(IpsecMode v) {
  switch (v) {
    case IpsecMode::kNone:
      return "none";
    case IpsecMode::kIsolation:
      return "isolation";
    case IpsecMode::kPeer:
      return "peer";
  }
  return "?";
}
const char* toString(OnAccessScan v) {
  switch (v) {
    case OnAccessScan::kWrites:
      return "writes";
    case OnAccessScan::kAll:
      return "all";
    case OnAccessScan::kOff:
      return "off";
  }
  return "?";
}
const char* toString(EndpointKind v) {
  switch (v) {
    case EndpointKind::kIpPhone:
      return "ip-phone";
    case EndpointKind::kSoftphone:
      return "softphone";
    case EndpointKind::kMobileAgent:
      return "mobile-agent";
  }
  return "?";
}
const char* toString(DeviceSecurity v) {
  switch (v) {
    case DeviceSecurity::kNone:
      return "none";
    case DeviceSecurity::kAuthenticated:
      return "authenticated";
    case DeviceSecurity::kEncrypted:
      return "encrypted";
  }
  return "?";
}
const char* toString(Recording v) {
  switch (v) {
    case Recording::kDesktop:
      return "desktop";
    case Recording::kNetwork:
      return "network";
    case Recording::kNone:
      return "none";
  }
  return "?";
}
const char* toString(IvrPlatform v) { return v == IvrPlatform::kVvb ? "vvb" : "ios-vxml-gateway"; }
const char* toString(Codec v) {
  switch (v) {
    case Codec::kG711Ulaw:
      return "g711ulaw";
    case Codec::kG711Alaw:
      return "g711alaw";
    case Codec::kG729:
      return "g729";
  }
  return "?";
}
const char* toString(CollabAuth v) {
  return v == CollabAuth::kActiveDirectory ? "active-directory" : "local";
}
const char* toString(Transport v) { return v == Transport::kTcp ? "tcp" : "udp"; }

bool Host::hasRole(std::string_view role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

namespace {
template <class M>
auto lookup(const M& index, std::string_view name) -> typename M::mapped_type {
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}
}  // namespace

const Site* Model::findSite(std::string_view name) const { return lookup(site_index_, name); }
const Zone* Model::findZone(std::string_view name) const { return lookup(zone_index_, name); }
const Host* Model::findHost(std::string_view name) const { return lookup(host_index_, name); }
const EndpointGroup* Model::findEndpoint(std::string_view name) const {
  return lookup(endpoint_index_, name);
}
const DirectoryDomain* Model::findDomain(std::string_view name) const {
  return lookup(domain_index_, name);
}
const DomainController* Model::findController(std::string_view name) const {
  return lookup(controller_index_, name);
}

void Model::buildIndexes() {
  site_index_.clear();
  zone_index_.clear();
  host_index_.clear();
  endpoint_index_.clear();
  domain_index_.clear();
  controller_index_.clear();
  // First definition wins (the loader rejects duplicates anyway).
  for (const auto& s : sites) {
    site_index_.emplace(s.name, &s);
    for (const auto& z : s.zones) zone_index_.emplace(z.name, &z);
  }
  for (const auto& h : hosts) host_index_.emplace(h.name, &h);
  for (const auto& e : endpoints) endpoint_index_.emplace(e.name, &e);
  for (const auto& f : directory.forests)
    for (const auto& d : f.domains) domain_index_.emplace(d.name, &d);
  for (const auto& c : directory.controllers) controller_index_.emplace(c.name, &c);
}

}  // namespace ccsec::inventory
