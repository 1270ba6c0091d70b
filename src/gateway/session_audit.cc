#include "gateway/session_audit.h"

#include <nlohmann/json.hpp>

#include "tls/context.h"

namespace ccsec::gateway {

std::string sessionOpenDetail(SSL* ssl) {
  return nlohmann::json{{"tls", tls::describeSession(ssl)},
                        {"resumed", SSL_session_reused(ssl) == 1},
                        {"ktls_tx", BIO_get_ktls_send(SSL_get_wbio(ssl)) == 1},
                        {"ktls_rx", BIO_get_ktls_recv(SSL_get_rbio(ssl)) == 1}}
      .dump();
}

std::string sessionCloseDetail(const SessionSummary& s) {
  nlohmann::json d{{"duration_ms", s.duration.count()},
                   {"bytes_from_tls", s.bytes_from_tls},
                   {"bytes_to_tls", s.bytes_to_tls},
                   {"tls", s.ssl != nullptr ? tls::describeSession(s.ssl) : std::string()}};
  if (s.ged188) {
    nlohmann::json frames = nlohmann::json::object();
    for (std::size_t b = 0; b < s.frames.size(); ++b)
      if (s.frames[b] != 0) frames[ged188::bucketName(b)] = s.frames[b];
    d["client_id"] = s.client_id;
    d["frames"] = frames;
    d["sensitive_fields"] = s.sensitive_fields;
  }
  return d.dump();
}

}  // namespace ccsec::gateway
