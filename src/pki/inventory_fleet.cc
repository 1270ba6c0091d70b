#include "pki/inventory_fleet.h"

#include <filesystem>

namespace ccsec::pki {

HostRequest requestForHost(const inventory::Host& host, int days) {
  HostRequest r;
  r.name = host.name;
  if (host.dns_name && *host.dns_name != host.name) r.dns_names.push_back(*host.dns_name);
  r.dns_names.push_back(host.name);
  r.ips.push_back(host.address.str());
  r.days = days;
  return r;
}

std::vector<FleetHost> fleetFromInventory(const inventory::Model& model) {
  const std::filesystem::path base = std::filesystem::path(model.source_file).parent_path();
  std::vector<FleetHost> fleet;
  fleet.reserve(model.hosts.size());
  for (const auto& h : model.hosts) {
    FleetHost f;
    f.name = h.name;
    f.dns_name = h.dns_name;
    f.address = h.address.str();
    if (h.certificate && h.certificate->path) {
      std::filesystem::path p(*h.certificate->path);
      f.cert_path = (p.is_absolute() || base.empty() ? p : base / p).string();
    } else if (h.certificate && h.certificate->fingerprint) {
      f.fingerprint = *h.certificate->fingerprint;
    }
    fleet.push_back(std::move(f));
  }
  return fleet;
}

}  // namespace ccsec::pki
