#include <array>

#include "core/db_handles.h"
#include "store/audit_store.h"

namespace ccsec::store {
namespace {

class PostgresStore final : public AuditStore {
 public:
  explicit PostgresStore(core::PgConnPtr conn) : conn_(std::move(conn)) {}

  core::Result<void> init() {
    for (const char* sql :
         {"SET synchronous_commit = on",
          "CREATE TABLE IF NOT EXISTS audit_events (id BIGSERIAL PRIMARY KEY, time_ms BIGINT NOT NULL,"
          " source TEXT NOT NULL, kind TEXT NOT NULL, peer_address TEXT NOT NULL,"
          " peer_identity TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL)"}) {
      if (auto r = command(sql); !r) return r;
    }
    core::PgResultPtr res(PQprepare(conn_.get(), "ccsec_audit_insert",
                                    "INSERT INTO audit_events(time_ms,source,kind,peer_address,peer_identity,reason,detail)"
                                    " VALUES($1::bigint,$2,$3,$4,$5,$6,$7)",
                                    7, nullptr));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return fail("prepare insert");
    return {};
  }

  core::Result<void> append(const std::vector<AuditEvent>& events) override {
    if (auto r = command("BEGIN"); !r) return r;
    for (const auto& e : events) {
      std::string t = std::to_string(e.time_ms);
      std::array<const char*, 7> values{t.c_str(), e.source.c_str(), e.kind.c_str(), e.peer_address.c_str(),
                                        e.peer_identity.c_str(), e.reason.c_str(), e.detail.c_str()};
      core::PgResultPtr res(PQexecPrepared(conn_.get(), "ccsec_audit_insert", 7, values.data(), nullptr, nullptr, 0));
      if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
        auto err = fail("insert audit event");
        (void)command("ROLLBACK");
        return err;
      }
    }
    return command("COMMIT");
  }

  core::Result<std::vector<AuditEvent>> list() override {
    core::PgResultPtr res(PQexec(conn_.get(),
                                 "SELECT time_ms,source,kind,peer_address,peer_identity,reason,detail"
                                 " FROM audit_events ORDER BY id"));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return fail("select audit events");
    std::vector<AuditEvent> out;
    for (int i = 0; i < PQntuples(res.get()); ++i) {
      AuditEvent e;
      e.time_ms = std::stoll(PQgetvalue(res.get(), i, 0));
      e.source = PQgetvalue(res.get(), i, 1);
      e.kind = PQgetvalue(res.get(), i, 2);
      e.peer_address = PQgetvalue(res.get(), i, 3);
      e.peer_identity = PQgetvalue(res.get(), i, 4);
      e.reason = PQgetvalue(res.get(), i, 5);
      e.detail = PQgetvalue(res.get(), i, 6);
      out.push_back(std::move(e));
    }
    return out;
  }

  std::string describe() const override {
    return std::string("postgresql://") + PQhost(conn_.get()) + ":" + PQport(conn_.get()) + "/" + PQdb(conn_.get());
  }

 private:
  core::Result<void> command(const char* sql) {
    core::PgResultPtr res(PQexec(conn_.get(), sql));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return fail(sql);
    return {};
  }
  core::Error fail(const std::string& what) const {
    return core::runtimeError("audit store (PostgreSQL): " + what + ": " +
                              PQerrorMessage(conn_.get()));
  }
  core::PgConnPtr conn_;
};

}  // namespace

core::Result<std::unique_ptr<AuditStore>> openPostgresStore(const std::string& conninfo) {
  core::PgConnPtr conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
    return core::runtimeError("cannot connect to PostgreSQL audit store: " +
                              std::string(conn ? PQerrorMessage(conn.get()) : "out of memory"));
  auto store = std::make_unique<PostgresStore>(std::move(conn));
  if (auto r = store->init(); !r) return r.error();
  return std::unique_ptr<AuditStore>(std::move(store));
}

}  // namespace ccsec::store
