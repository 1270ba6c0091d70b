#include "gateway/session_audit.h"

#include <nlohmann/json.hpp>

namespace ccsec::gateway {

std::string sessionOpenDetail(const tls::Session& tls) {
  return nlohmann::json{{"tls", tls.describe()},
                        {"resumed", tls.resumed()},
                        {"ktls_tx", tls.ktlsSend()},
                        {"ktls_rx", tls.ktlsRecv()}}
      .dump();
}

std::string sessionCloseDetail(const SessionSummary& s) {
  nlohmann::json d{{"duration_ms", s.duration.count()},
                   {"bytes_from_tls", s.bytes_from_tls},
                   {"bytes_to_tls", s.bytes_to_tls},
                   {"tls", s.tls}};
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
