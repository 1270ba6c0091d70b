#pragma once
// Target "postgresql": the hardening of ccsec's shared PostgreSQL store, for every host with
// the catalog role `ccsec-store`:
//   hosts/<host>.postgresql.conf  included from postgresql.conf: listen on the host's address
//                                 and the store port, ssl = on with server.crt/server.key in
//                                 the data directory (ccsec pki's hosts/<host>.pem/.key),
//                                 ssl_min_protocol_version from deployment.tls_min_version,
//                                 password_encryption = scram-sha-256;
//   hosts/<host>.pg_hba.conf      local administration by peer as postgres, then one
//                                 `hostssl all all <client> scram-sha-256` line per `store`
//                                 edge into the host (its clients, from `channels:`), then a
//                                 final reject for every other address with or without TLS.
// Client addresses are those of the host firewall's rules for the same edges (policy model),
// so the firewall and pg_hba.conf admit the same sources. A store host that is not Linux fails
// closed (the file layout is Debian's).

#include "render/generator.h"

namespace ccsec::render {

class PostgresqlGenerator final : public Generator {
 public:
  std::string_view name() const override { return "postgresql"; }
  FeatureSet features() const override { return {}; }
  std::vector<RenderedFile> render(const RenderInput& in) const override;

 protected:
  std::vector<CheckError> checkTarget(const RenderInput& in) const override;
};

}  // namespace ccsec::render
