#pragma once
// The bridge between the inventory model and pki: what to issue for a host, and which
// certificate each host declares (certificate.path, resolved relative to the inventory file).

#include <string>
#include <vector>

#include "inventory/model.h"
#include "pki/ca.h"
#include "pki/verify.h"

namespace ccsec::pki {

/// SANs from the inventory: DNS = dns_name (when stated) and the host name; IP = address.
/// CN = the host name, so that peers may match either.
HostRequest requestForHost(const inventory::Host& host, int days = kDefaultHostDays);

/// One FleetHost per inventory host, in inventory order. A relative certificate.path is
/// resolved against the directory of `model.source_file`.
std::vector<FleetHost> fleetFromInventory(const inventory::Model& model);

}  // namespace ccsec::pki
