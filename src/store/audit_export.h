#pragma once
// `ccsec audit export`: audit events as JSON lines for a SIEM (Splunk, Elastic). One object per
// event, one line per object, fields always present and always in this order:
//   id             the store's row id (per store; with several writers, commit order)
//   time           RFC 3339 UTC with milliseconds, "2026-12-02T16:27:50.123Z"
//   time_ms        the same instant, UNIX milliseconds
//   source         listener (gateway) or component that wrote the event
//   kind           session_open, session_close, handshake_failed, malformed_frame, …
//   peer_address   "127.0.0.1:53122"
//   peer_identity  certificate identity ("CN=… dns=[…] serial=… sha256:…") or ""
//   reason         one line
//   detail         the event's detail object ({} when it has none)
// The export adds nothing to what the store holds: events are redacted before they are stored
// (docs/gateway.md, Redaction), so no personal data leaves through this path either.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/audit_store.h"

namespace ccsec::store {

/// The JSON object of one event (no newline).
std::string auditEventJsonLine(const AuditEvent& e);

/// UNIX milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string formatUtcMs(std::int64_t ms);

/// A --since/--until value: "YYYY-MM-DD" (midnight UTC), "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed
/// by "Z" or "+HH:MM"/"-HH:MM", or UNIX milliseconds (digits only). Errors name the accepted forms.
core::Result<std::int64_t> parseAuditTime(std::string_view text);

}  // namespace ccsec::store
