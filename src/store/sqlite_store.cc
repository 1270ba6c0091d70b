#include <cstdint>

#include "store/audit_store.h"
#include "store/db.h"

namespace ccsec::store {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS audit_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, source TEXT NOT NULL,"
    " kind TEXT NOT NULL, peer_address TEXT NOT NULL, peer_identity TEXT NOT NULL,"
    " reason TEXT NOT NULL, detail TEXT NOT NULL)";

class SqliteStore final : public AuditStore {
 public:
  explicit SqliteStore(db::Sqlite db) : db_(std::move(db)) {}

  core::Result<void> init() {
    if (auto r = db_.exec(kSchema); !r) return r;
    auto st = db_.prepare(
        "INSERT INTO audit_events(time_ms,source,kind,peer_address,peer_identity,reason,detail)"
        " VALUES(?,?,?,?,?,?,?)");
    if (!st) return st.error();
    insert_ = std::move(st.value());
    return {};
  }

  core::Result<void> append(const std::vector<AuditEvent>& events) override {
    if (auto r = db_.exec("BEGIN IMMEDIATE"); !r) return r;
    for (const auto& e : events) {
      sqlite3_stmt* s = insert_.get();
      sqlite3_reset(s);
      sqlite3_bind_int64(s, 1, e.time_ms);
      db::Sqlite::bindText(s, 2, e.source);
      db::Sqlite::bindText(s, 3, e.kind);
      db::Sqlite::bindText(s, 4, e.peer_address);
      db::Sqlite::bindText(s, 5, e.peer_identity);
      db::Sqlite::bindText(s, 6, e.reason);
      db::Sqlite::bindText(s, 7, e.detail);
      if (sqlite3_step(s) != SQLITE_DONE) {
        auto err = db_.fail("insert audit event");
        (void)db_.exec("ROLLBACK");
        return err;
      }
    }
    return db_.exec("COMMIT");
  }

  core::Result<std::vector<AuditEvent>> list() override {
    auto st = db_.prepare(
        "SELECT id,time_ms,source,kind,peer_address,peer_identity,reason,detail"
        " FROM audit_events ORDER BY id");
    if (!st) return st.error();
    sqlite3_stmt* raw = st->get();
    std::vector<AuditEvent> out;
    int rc = 0;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) out.push_back(row(raw));
    if (rc != SQLITE_DONE) return db_.fail("select audit events");
    return out;
  }

  core::Result<void> scan(const AuditQuery& q,
                          const std::function<void(const AuditEvent&)>& visit) override {
    auto st = db_.prepare(
        "SELECT id,time_ms,source,kind,peer_address,peer_identity,reason,detail"
        " FROM audit_events WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id");
    if (!st) return st.error();
    sqlite3_stmt* raw = st->get();
    sqlite3_bind_int64(raw, 1, q.since_ms.value_or(INT64_MIN));
    sqlite3_bind_int64(raw, 2, q.until_ms.value_or(INT64_MAX));
    int rc = 0;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) visit(row(raw));
    if (rc != SQLITE_DONE) return db_.fail("select audit events");
    return {};
  }

  std::string describe() const override { return db_.describe(); }

 private:
  static AuditEvent row(sqlite3_stmt* raw) {
    AuditEvent e;
    e.id = sqlite3_column_int64(raw, 0);
    e.time_ms = sqlite3_column_int64(raw, 1);
    e.source = db::Sqlite::column(raw, 2);
    e.kind = db::Sqlite::column(raw, 3);
    e.peer_address = db::Sqlite::column(raw, 4);
    e.peer_identity = db::Sqlite::column(raw, 5);
    e.reason = db::Sqlite::column(raw, 6);
    e.detail = db::Sqlite::column(raw, 7);
    return e;
  }
  db::Sqlite db_;
  core::SqliteStmtPtr insert_;
};

}  // namespace

core::Result<std::unique_ptr<AuditStore>> openSqliteStore(const std::string& path) {
  auto db = db::Sqlite::open(path, "audit store");
  if (!db) return db.error();
  auto store = std::make_unique<SqliteStore>(std::move(db.value()));
  if (auto r = store->init(); !r) return r.error();
  return std::unique_ptr<AuditStore>(std::move(store));
}

}  // namespace ccsec::store
