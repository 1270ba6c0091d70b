#pragma once
// Audit events and where they are kept: SQLite (embedded default, "sqlite:PATH") or PostgreSQL
// ("postgresql://…" / "postgres://…", libpq). An append() that returns ok is durable: SQLite runs
// in WAL mode with synchronous=FULL, PostgreSQL commits with synchronous_commit=on, so an
// acknowledged event survives kill -9 of the writer.
//
// Contract for callers: events never carry personal data or secrets in clear (the gateway
// redacts before it builds an event). Threading: one AuditStore is used by one thread at a time
// (AuditLog serialises access).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace ccsec::store {

struct AuditEvent {
  std::int64_t id = 0;        // the store's row id (filled when read; ignored by append)
  std::int64_t time_ms = 0;   // UNIX time, milliseconds
  std::string source;         // e.g. listener name
  std::string kind;           // handshake_failed, session_open, session_close, malformed_frame, …
  std::string peer_address;   // "127.0.0.1:53122"
  std::string peer_identity;  // certificate identity or empty
  std::string reason;         // one line
  std::string detail;         // JSON object text or empty
};

/// Which events scan() visits: since_ms <= time_ms < until_ms (either bound optional).
struct AuditQuery {
  std::optional<std::int64_t> since_ms;
  std::optional<std::int64_t> until_ms;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  /// Appends all events in one transaction; durable when it returns ok.
  virtual core::Result<void> append(const std::vector<AuditEvent>& events) = 0;
  /// All events in insertion order (for tests, reports and `ccsec audit`).
  virtual core::Result<std::vector<AuditEvent>> list() = 0;
  /// Visits the events of `q` one at a time (not all in memory) ordered by time_ms, then by row
  /// id (commit order), for `ccsec audit export`. Several writers (gateways) may share a store.
  virtual core::Result<void> scan(const AuditQuery& q,
                                  const std::function<void(const AuditEvent&)>& visit) = 0;
  virtual std::string describe() const = 0;
};

/// Where a store URI points: a PostgreSQL conninfo or a SQLite file path. Shared by the audit
/// and findings stores so that both accept the same spellings.
struct StoreLocation {
  bool postgres = false;
  std::string conninfo;     // postgresql://… when postgres
  std::string sqlite_path;  // resolved path otherwise
};
/// "sqlite:PATH" (relative PATH resolved against `base_dir`), a bare path ending in .db or
/// .sqlite, or "postgresql://…"/"postgres://…".
core::Result<StoreLocation> parseStoreUri(const std::string& uri, const std::string& base_dir = {});

/// Opens (creating the schema if needed) the store named by `uri`: "sqlite:PATH" (relative PATH
/// resolved against `base_dir`), a bare path ending in .db, or "postgresql://…"/"postgres://…".
core::Result<std::unique_ptr<AuditStore>> openAuditStore(const std::string& uri,
                                                         const std::string& base_dir = {});
core::Result<std::unique_ptr<AuditStore>> openSqliteStore(const std::string& path);
core::Result<std::unique_ptr<AuditStore>> openPostgresStore(const std::string& conninfo);

std::int64_t nowMs();

}  // namespace ccsec::store
