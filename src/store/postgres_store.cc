#include <array>
#include <cstdint>
#include <string>

#include "store/audit_store.h"
#include "store/db.h"

namespace ccsec::store {
namespace {

class PostgresStore final : public AuditStore {
 public:
  explicit PostgresStore(db::Postgres pg) : pg_(std::move(pg)) {}

  core::Result<void> init() {
    // No "relation already exists" NOTICE on stderr when the table is there.
    if (auto r = pg_.command("SET client_min_messages = warning"); !r) return r;
    if (auto r = pg_.command(
            "CREATE TABLE IF NOT EXISTS audit_events (id BIGSERIAL PRIMARY KEY, time_ms BIGINT "
            "NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL, peer_address TEXT NOT NULL,"
            " peer_identity TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL)");
        !r)
      return r;
    core::PgResultPtr res(PQprepare(
        pg_.get(), "ccsec_audit_insert",
        "INSERT INTO audit_events(time_ms,source,kind,peer_address,peer_identity,reason,detail)"
        " VALUES($1::bigint,$2,$3,$4,$5,$6,$7)",
        7, nullptr));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return pg_.fail("prepare insert");
    return {};
  }

  core::Result<void> append(const std::vector<AuditEvent>& events) override {
    if (auto r = pg_.command("BEGIN"); !r) return r;
    for (const auto& e : events) {
      std::string t = std::to_string(e.time_ms);
      std::array<const char*, 7> values{t.c_str(),
                                        e.source.c_str(),
                                        e.kind.c_str(),
                                        e.peer_address.c_str(),
                                        e.peer_identity.c_str(),
                                        e.reason.c_str(),
                                        e.detail.c_str()};
      core::PgResultPtr res(
          PQexecPrepared(pg_.get(), "ccsec_audit_insert", 7, values.data(), nullptr, nullptr, 0));
      if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
        auto err = pg_.fail("insert audit event");
        (void)pg_.command("ROLLBACK");
        return err;
      }
    }
    return pg_.command("COMMIT");
  }

  core::Result<std::vector<AuditEvent>> list() override {
    core::PgResultPtr res(
        PQexec(pg_.get(),
               "SELECT id,time_ms,source,kind,peer_address,peer_identity,reason,detail"
               " FROM audit_events ORDER BY id"));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return pg_.fail("select audit events");
    std::vector<AuditEvent> out;
    for (int i = 0; i < PQntuples(res.get()); ++i) out.push_back(row(res.get(), i));
    return out;
  }

  // Single-row mode: libpq hands over one row at a time instead of the whole result.
  core::Result<void> scan(const AuditQuery& q,
                          const std::function<void(const AuditEvent&)>& visit) override {
    const std::string since = std::to_string(q.since_ms.value_or(INT64_MIN));
    const std::string until = std::to_string(q.until_ms.value_or(INT64_MAX));
    std::array<const char*, 2> values{since.c_str(), until.c_str()};
    if (PQsendQueryParams(pg_.get(),
                          "SELECT id,time_ms,source,kind,peer_address,peer_identity,reason,detail"
                          " FROM audit_events WHERE time_ms >= $1::bigint AND time_ms < $2::bigint"
                          " ORDER BY time_ms, id",
                          2, nullptr, values.data(), nullptr, nullptr, 0) != 1 ||
        PQsetSingleRowMode(pg_.get()) != 1)
      return pg_.fail("select audit events");
    std::string error;
    for (;;) {
      core::PgResultPtr res(PQgetResult(pg_.get()));
      if (!res) break;
      const auto status = PQresultStatus(res.get());
      if (status == PGRES_SINGLE_TUPLE) {
        visit(row(res.get(), 0));
      } else if (status != PGRES_TUPLES_OK && error.empty()) {
        error = PQresultErrorMessage(res.get());
      }
    }
    if (!error.empty())
      return core::runtimeError("audit store (PostgreSQL): select audit events: " + error);
    return {};
  }

  std::string describe() const override { return pg_.describe(); }

 private:
  static AuditEvent row(PGresult* res, int i) {
    AuditEvent e;
    e.id = std::stoll(PQgetvalue(res, i, 0));
    e.time_ms = std::stoll(PQgetvalue(res, i, 1));
    e.source = PQgetvalue(res, i, 2);
    e.kind = PQgetvalue(res, i, 3);
    e.peer_address = PQgetvalue(res, i, 4);
    e.peer_identity = PQgetvalue(res, i, 5);
    e.reason = PQgetvalue(res, i, 6);
    e.detail = PQgetvalue(res, i, 7);
    return e;
  }
  db::Postgres pg_;
};

}  // namespace

core::Result<std::unique_ptr<AuditStore>> openPostgresStore(const std::string& conninfo) {
  auto pg = db::Postgres::connect(conninfo, "audit store");
  if (!pg) return pg.error();
  auto store = std::make_unique<PostgresStore>(std::move(pg.value()));
  if (auto r = store->init(); !r) return r.error();
  return std::unique_ptr<AuditStore>(std::move(store));
}

}  // namespace ccsec::store
