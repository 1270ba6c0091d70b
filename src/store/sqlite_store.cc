#include <cstdint>

#include "core/db_handles.h"
#include "store/audit_store.h"

namespace ccsec::store {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS audit_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, source TEXT NOT NULL,"
    " kind TEXT NOT NULL, peer_address TEXT NOT NULL, peer_identity TEXT NOT NULL,"
    " reason TEXT NOT NULL, detail TEXT NOT NULL)";

class SqliteStore final : public AuditStore {
 public:
  SqliteStore(core::SqlitePtr db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}

  core::Result<void> init() {
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000", kSchema}) {
      if (auto r = exec(sql); !r) return r;
    }
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(),
                           "INSERT INTO audit_events(time_ms,source,kind,peer_address,peer_identity,reason,detail)"
                           " VALUES(?,?,?,?,?,?,?)",
                           -1, &raw, nullptr) != SQLITE_OK)
      return fail("prepare insert");
    insert_.reset(raw);
    return {};
  }

  core::Result<void> append(const std::vector<AuditEvent>& events) override {
    if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
    for (const auto& e : events) {
      sqlite3_stmt* s = insert_.get();
      sqlite3_reset(s);
      sqlite3_bind_int64(s, 1, e.time_ms);
      bindText(s, 2, e.source);
      bindText(s, 3, e.kind);
      bindText(s, 4, e.peer_address);
      bindText(s, 5, e.peer_identity);
      bindText(s, 6, e.reason);
      bindText(s, 7, e.detail);
      if (sqlite3_step(s) != SQLITE_DONE) {
        auto err = fail("insert audit event");
        (void)exec("ROLLBACK");
        return err;
      }
    }
    return exec("COMMIT");
  }

  core::Result<std::vector<AuditEvent>> list() override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(),
                           "SELECT id,time_ms,source,kind,peer_address,peer_identity,reason,detail"
                           " FROM audit_events ORDER BY id",
                           -1, &raw, nullptr) != SQLITE_OK)
      return fail("prepare select");
    core::SqliteStmtPtr stmt(raw);
    std::vector<AuditEvent> out;
    int rc = 0;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      AuditEvent e;
      e.id = sqlite3_column_int64(raw, 0);
      e.time_ms = sqlite3_column_int64(raw, 1);
      e.source = column(raw, 2);
      e.kind = column(raw, 3);
      e.peer_address = column(raw, 4);
      e.peer_identity = column(raw, 5);
      e.reason = column(raw, 6);
      e.detail = column(raw, 7);
      out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return fail("select audit events");
    return out;
  }

  core::Result<void> scan(const AuditQuery& q,
                          const std::function<void(const AuditEvent&)>& visit) override {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(),
                           "SELECT id,time_ms,source,kind,peer_address,peer_identity,reason,detail"
                           " FROM audit_events WHERE time_ms >= ? AND time_ms < ?"
                           " ORDER BY time_ms, id",
                           -1, &raw, nullptr) != SQLITE_OK)
      return fail("prepare select");
    core::SqliteStmtPtr stmt(raw);
    sqlite3_bind_int64(raw, 1, q.since_ms.value_or(INT64_MIN));
    sqlite3_bind_int64(raw, 2, q.until_ms.value_or(INT64_MAX));
    int rc = 0;
    AuditEvent e;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      e.id = sqlite3_column_int64(raw, 0);
      e.time_ms = sqlite3_column_int64(raw, 1);
      e.source = column(raw, 2);
      e.kind = column(raw, 3);
      e.peer_address = column(raw, 4);
      e.peer_identity = column(raw, 5);
      e.reason = column(raw, 6);
      e.detail = column(raw, 7);
      visit(e);
    }
    if (rc != SQLITE_DONE) return fail("select audit events");
    return {};
  }

  std::string describe() const override { return "sqlite:" + path_; }

 private:
  static void bindText(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  static std::string column(sqlite3_stmt* s, int i) {
    const auto* p = sqlite3_column_text(s, i);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string();
  }
  core::Result<void> exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg != nullptr ? msg : "unknown error";
      sqlite3_free(msg);
      return core::runtimeError("audit store " + path_ + ": " + m + " (" + sql + ")");
    }
    return {};
  }
  core::Error fail(const std::string& what) const {
    return core::runtimeError("audit store " + path_ + ": " + what + ": " +
                              sqlite3_errmsg(db_.get()));
  }

  core::SqlitePtr db_;
  std::string path_;
  core::SqliteStmtPtr insert_;
};

}  // namespace

core::Result<std::unique_ptr<AuditStore>> openSqliteStore(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  core::SqlitePtr db(raw);
  if (rc != SQLITE_OK)
    return core::runtimeError("cannot open audit store " + path + ": " +
                              (raw ? sqlite3_errmsg(raw) : "out of memory"));
  auto store = std::make_unique<SqliteStore>(std::move(db), path);
  if (auto r = store->init(); !r) return r.error();
  return std::unique_ptr<AuditStore>(std::move(store));
}

}  // namespace ccsec::store
