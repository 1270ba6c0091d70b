#include <array>

#include "store/audit_store.h"
#include "store/db.h"

namespace ccsec::store {
namespace {

class PostgresStore final : public AuditStore {
 public:
  explicit PostgresStore(db::Postgres pg) : pg_(std::move(pg)) {}

  core::Result<void> init() {
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
               "SELECT time_ms,source,kind,peer_address,peer_identity,reason,detail"
               " FROM audit_events ORDER BY id"));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return pg_.fail("select audit events");
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

  std::string describe() const override { return pg_.describe(); }

 private:
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
