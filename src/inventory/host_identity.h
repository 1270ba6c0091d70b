#pragma once
// A host's certificate identity, for the one name-matching rule in core/cert_identity.h. Used by
// rules CCS-TLS-004/005 and `ccsec pki verify` (through pki::fleetFromInventory).

#include "core/cert_identity.h"
#include "inventory/model.h"

namespace ccsec::inventory {

/// The names and address a certificate of `h` must carry (core::certificateNameProblem).
inline core::HostIdentity certificateIdentity(const Host& h) {
  return core::HostIdentity{h.name, h.dns_name, h.address.str()};
}

}  // namespace ccsec::inventory
