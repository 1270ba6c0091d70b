#pragma once
// The detail JSON of a session's audit events. session_open: negotiated TLS version and suite,
// resumption, kTLS. session_close: duration, plaintext bytes each way, the TLS session and, for
// GED-188 listeners, the client id of OPEN_REQ, frames per known type (+ "other": at most 19
// entries whatever a peer sends) and the count of sensitive fields. Never a field value.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "gateway/ged188.h"
#include "tls/session.h"

namespace ccsec::gateway {

struct SessionSummary {
  std::chrono::milliseconds duration{0};
  std::uint64_t bytes_from_tls = 0;
  std::uint64_t bytes_to_tls = 0;
  std::string tls;  // tls::Session::describe()
  bool ged188 = false;
  std::string client_id;
  std::array<std::uint64_t, ged188::kTypeBuckets> frames{};  // by typeBucket()
  std::uint64_t sensitive_fields = 0;
};

std::string sessionOpenDetail(const tls::Session& tls);
std::string sessionCloseDetail(const SessionSummary& s);

}  // namespace ccsec::gateway
