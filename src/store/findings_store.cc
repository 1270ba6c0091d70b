#include "store/findings_store.h"

#include <array>

#include "core/db_handles.h"
#include "store/audit_store.h"

namespace ccsec::store {
namespace {

// Version 1. Later versions append statements to kMigrations; never edit a shipped one.
constexpr const char* kMigrationV1Sqlite[] = {
    "CREATE TABLE IF NOT EXISTS probe_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER "
    "NOT NULL,"
    " command TEXT NOT NULL, inventory TEXT NOT NULL, summary TEXT NOT NULL, facts TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS probe_findings (run_id INTEGER NOT NULL REFERENCES probe_runs(id), "
    "seq INTEGER NOT NULL,"
    " rule TEXT NOT NULL, severity TEXT NOT NULL, target TEXT NOT NULL, message TEXT NOT NULL,"
    " waived INTEGER NOT NULL, PRIMARY KEY (run_id, seq))",
};
constexpr const char* kMigrationV1Postgres[] = {
    "CREATE TABLE IF NOT EXISTS probe_runs (id BIGSERIAL PRIMARY KEY, time_ms BIGINT NOT NULL,"
    " command TEXT NOT NULL, inventory TEXT NOT NULL, summary TEXT NOT NULL, facts TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS probe_findings (run_id BIGINT NOT NULL REFERENCES probe_runs(id), "
    "seq INTEGER NOT NULL,"
    " rule TEXT NOT NULL, severity TEXT NOT NULL, target TEXT NOT NULL, message TEXT NOT NULL,"
    " waived BOOLEAN NOT NULL, PRIMARY KEY (run_id, seq))",
};
constexpr const char* kSchemaTable =
    "CREATE TABLE IF NOT EXISTS ccsec_schema (component TEXT PRIMARY KEY, version INTEGER NOT "
    "NULL)";

// ---- SQLite ---------------------------------------------------------------------------------

class SqliteFindings final : public FindingsStore {
 public:
  SqliteFindings(core::SqlitePtr db, std::string path)
      : db_(std::move(db)), path_(std::move(path)) {}

  core::Result<void> init() {
    for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                            "PRAGMA busy_timeout=5000", kSchemaTable})
      if (auto r = exec(sql); !r) return r;
    int v = 0;
    {
      auto st = prepare("SELECT version FROM ccsec_schema WHERE component='findings'");
      if (!st) return st.error();
      if (sqlite3_step(st->get()) == SQLITE_ROW) v = sqlite3_column_int(st->get(), 0);
    }
    if (v > kFindingsSchemaVersion)
      return core::makeError("findings store " + path_ + " has schema version " +
                             std::to_string(v) + ", newer than this ccsec (" +
                             std::to_string(kFindingsSchemaVersion) + ")");
    if (v < 1) {
      if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
      for (const char* sql : kMigrationV1Sqlite)
        if (auto r = exec(sql); !r) return r;
      if (auto r =
              exec("INSERT OR REPLACE INTO ccsec_schema(component, version) VALUES('findings', 1)");
          !r)
        return r;
      if (auto r = exec("COMMIT"); !r) return r;
      v = 1;
    }
    version_ = v;
    return {};
  }

  core::Result<std::int64_t> saveRun(const RunRecord& run,
                                     const std::vector<StoredFinding>& findings) override {
    if (auto r = exec("BEGIN IMMEDIATE"); !r) return r.error();
    auto fail_tx = [&](const std::string& what) {
      auto e = fail(what);
      (void)exec("ROLLBACK");
      return e;
    };
    auto ins = prepare(
        "INSERT INTO probe_runs(time_ms,command,inventory,summary,facts) VALUES(?,?,?,?,?)");
    if (!ins) return fail_tx("prepare run insert");
    sqlite3_bind_int64(ins->get(), 1, run.time_ms);
    bindText(ins->get(), 2, run.command);
    bindText(ins->get(), 3, run.inventory);
    bindText(ins->get(), 4, run.summary);
    bindText(ins->get(), 5, run.facts);
    if (sqlite3_step(ins->get()) != SQLITE_DONE) return fail_tx("insert run");
    std::int64_t id = sqlite3_last_insert_rowid(db_.get());
    auto fi = prepare(
        "INSERT INTO probe_findings(run_id,seq,rule,severity,target,message,waived) "
        "VALUES(?,?,?,?,?,?,?)");
    if (!fi) return fail_tx("prepare finding insert");
    int seq = 0;
    for (const auto& f : findings) {
      sqlite3_stmt* s = fi->get();
      sqlite3_reset(s);
      sqlite3_bind_int64(s, 1, id);
      sqlite3_bind_int(s, 2, seq++);
      bindText(s, 3, f.rule);
      bindText(s, 4, f.severity);
      bindText(s, 5, f.target);
      bindText(s, 6, f.message);
      sqlite3_bind_int(s, 7, f.waived ? 1 : 0);
      if (sqlite3_step(s) != SQLITE_DONE) return fail_tx("insert finding");
    }
    if (auto r = exec("COMMIT"); !r) return r.error();
    return id;
  }

  core::Result<std::vector<StoredFinding>> findings(std::int64_t run_id) override {
    {
      auto st = prepare("SELECT 1 FROM probe_runs WHERE id=?");
      if (!st) return st.error();
      sqlite3_bind_int64(st->get(), 1, run_id);
      if (sqlite3_step(st->get()) != SQLITE_ROW)
        return core::makeError("findings store " + path_ + ": no run " + std::to_string(run_id));
    }
    auto st = prepare(
        "SELECT rule,severity,target,message,waived FROM probe_findings WHERE run_id=? ORDER BY "
        "seq");
    if (!st) return st.error();
    sqlite3_bind_int64(st->get(), 1, run_id);
    std::vector<StoredFinding> out;
    int rc = 0;
    while ((rc = sqlite3_step(st->get())) == SQLITE_ROW) {
      out.push_back({column(st->get(), 0), column(st->get(), 1), column(st->get(), 2),
                     column(st->get(), 3), sqlite3_column_int(st->get(), 4) != 0});
    }
    if (rc != SQLITE_DONE) return fail("select findings");
    return out;
  }

  core::Result<std::vector<RunRecord>> runs() override {
    auto st = prepare("SELECT id,time_ms,command,inventory,summary FROM probe_runs ORDER BY id");
    if (!st) return st.error();
    std::vector<RunRecord> out;
    while (sqlite3_step(st->get()) == SQLITE_ROW) {
      RunRecord r;
      r.id = sqlite3_column_int64(st->get(), 0);
      r.time_ms = sqlite3_column_int64(st->get(), 1);
      r.command = column(st->get(), 2);
      r.inventory = column(st->get(), 3);
      r.summary = column(st->get(), 4);
      out.push_back(std::move(r));
    }
    return out;
  }

  int schemaVersion() const override { return version_; }
  std::string describe() const override { return "sqlite:" + path_; }

 private:
  core::Result<core::SqliteStmtPtr> prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK) return fail("prepare");
    return core::SqliteStmtPtr(raw);
  }
  static void bindText(sqlite3_stmt* s, int i, const std::string& v) {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  static std::string column(sqlite3_stmt* s, int i) {
    const auto* p = sqlite3_column_text(s, i);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
                        : std::string();
  }
  core::Result<void> exec(const char* sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg != nullptr ? msg : "unknown error";
      sqlite3_free(msg);
      return core::makeError("findings store " + path_ + ": " + m);
    }
    return {};
  }
  core::Error fail(const std::string& what) const {
    return core::makeError("findings store " + path_ + ": " + what + ": " +
                           sqlite3_errmsg(db_.get()));
  }

  core::SqlitePtr db_;
  std::string path_;
  int version_ = 0;
};

// ---- PostgreSQL -----------------------------------------------------------------------------

class PostgresFindings final : public FindingsStore {
 public:
  explicit PostgresFindings(core::PgConnPtr conn) : conn_(std::move(conn)) {}

  core::Result<void> init() {
    if (auto r = command("SET synchronous_commit = on"); !r) return r;
    if (auto r = command(kSchemaTable); !r) return r;
    core::PgResultPtr res(
        PQexec(conn_.get(), "SELECT version FROM ccsec_schema WHERE component='findings'"));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return fail("read schema version");
    int v = PQntuples(res.get()) > 0 ? std::stoi(PQgetvalue(res.get(), 0, 0)) : 0;
    if (v > kFindingsSchemaVersion)
      return core::makeError("findings store (PostgreSQL) has schema version " + std::to_string(v) +
                             ", newer than this ccsec (" + std::to_string(kFindingsSchemaVersion) +
                             ")");
    if (v < 1) {
      if (auto r = command("BEGIN"); !r) return r;
      for (const char* sql : kMigrationV1Postgres)
        if (auto r = command(sql); !r) return r;
      if (auto r = command("INSERT INTO ccsec_schema(component, version) VALUES('findings', 1) "
                           "ON CONFLICT (component) DO UPDATE SET version = 1");
          !r)
        return r;
      if (auto r = command("COMMIT"); !r) return r;
      v = 1;
    }
    version_ = v;
    return {};
  }

  core::Result<std::int64_t> saveRun(const RunRecord& run,
                                     const std::vector<StoredFinding>& findings) override {
    if (auto r = command("BEGIN"); !r) return r.error();
    std::string t = std::to_string(run.time_ms);
    std::array<const char*, 5> rv{t.c_str(), run.command.c_str(), run.inventory.c_str(),
                                  run.summary.c_str(), run.facts.c_str()};
    core::PgResultPtr res(
        PQexecParams(conn_.get(),
                     "INSERT INTO probe_runs(time_ms,command,inventory,summary,facts)"
                     " VALUES($1::bigint,$2,$3,$4,$5) RETURNING id",
                     5, nullptr, rv.data(), nullptr, nullptr, 0));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) {
      auto e = fail("insert run");
      (void)command("ROLLBACK");
      return e;
    }
    std::int64_t id = std::stoll(PQgetvalue(res.get(), 0, 0));
    std::string ids = std::to_string(id);
    int seq = 0;
    for (const auto& f : findings) {
      std::string s = std::to_string(seq++);
      std::array<const char*, 7> v{ids.c_str(),
                                   s.c_str(),
                                   f.rule.c_str(),
                                   f.severity.c_str(),
                                   f.target.c_str(),
                                   f.message.c_str(),
                                   f.waived ? "true" : "false"};
      core::PgResultPtr fr(
          PQexecParams(conn_.get(),
                       "INSERT INTO probe_findings(run_id,seq,rule,severity,target,message,waived)"
                       " VALUES($1::bigint,$2::int,$3,$4,$5,$6,$7::boolean)",
                       7, nullptr, v.data(), nullptr, nullptr, 0));
      if (PQresultStatus(fr.get()) != PGRES_COMMAND_OK) {
        auto e = fail("insert finding");
        (void)command("ROLLBACK");
        return e;
      }
    }
    if (auto r = command("COMMIT"); !r) return r.error();
    return id;
  }

  core::Result<std::vector<StoredFinding>> findings(std::int64_t run_id) override {
    std::string ids = std::to_string(run_id);
    std::array<const char*, 1> v{ids.c_str()};
    core::PgResultPtr exists(PQexecParams(conn_.get(),
                                          "SELECT 1 FROM probe_runs WHERE id=$1::bigint", 1,
                                          nullptr, v.data(), nullptr, nullptr, 0));
    if (PQresultStatus(exists.get()) != PGRES_TUPLES_OK) return fail("select run");
    if (PQntuples(exists.get()) == 0)
      return core::makeError("findings store (PostgreSQL): no run " + ids);
    core::PgResultPtr res(
        PQexecParams(conn_.get(),
                     "SELECT rule,severity,target,message,waived FROM probe_findings"
                     " WHERE run_id=$1::bigint ORDER BY seq",
                     1, nullptr, v.data(), nullptr, nullptr, 0));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return fail("select findings");
    std::vector<StoredFinding> out;
    for (int i = 0; i < PQntuples(res.get()); ++i) {
      out.push_back({PQgetvalue(res.get(), i, 0), PQgetvalue(res.get(), i, 1),
                     PQgetvalue(res.get(), i, 2), PQgetvalue(res.get(), i, 3),
                     std::string_view(PQgetvalue(res.get(), i, 4)) == "t"});
    }
    return out;
  }

  core::Result<std::vector<RunRecord>> runs() override {
    core::PgResultPtr res(PQexec(
        conn_.get(), "SELECT id,time_ms,command,inventory,summary FROM probe_runs ORDER BY id"));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return fail("select runs");
    std::vector<RunRecord> out;
    for (int i = 0; i < PQntuples(res.get()); ++i) {
      RunRecord r;
      r.id = std::stoll(PQgetvalue(res.get(), i, 0));
      r.time_ms = std::stoll(PQgetvalue(res.get(), i, 1));
      r.command = PQgetvalue(res.get(), i, 2);
      r.inventory = PQgetvalue(res.get(), i, 3);
      r.summary = PQgetvalue(res.get(), i, 4);
      out.push_back(std::move(r));
    }
    return out;
  }

  int schemaVersion() const override { return version_; }
  std::string describe() const override {
    return std::string("postgresql://") + PQhost(conn_.get()) + ":" + PQport(conn_.get()) + "/" +
           PQdb(conn_.get());
  }

 private:
  core::Result<void> command(const char* sql) {
    core::PgResultPtr res(PQexec(conn_.get(), sql));
    if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return fail(sql);
    return {};
  }
  core::Error fail(const std::string& what) const {
    return core::makeError("findings store (PostgreSQL): " + what + ": " +
                           PQerrorMessage(conn_.get()));
  }
  core::PgConnPtr conn_;
  int version_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<FindingsStore>> openFindingsStore(const std::string& uri,
                                                               const std::string& base_dir) {
  auto loc = parseStoreUri(uri, base_dir);
  if (!loc) return loc.error();
  if (loc->postgres) {
    core::PgConnPtr conn(PQconnectdb(loc->conninfo.c_str()));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
      return core::makeError("cannot connect to PostgreSQL findings store: " +
                             std::string(conn ? PQerrorMessage(conn.get()) : "out of memory"));
    auto s = std::make_unique<PostgresFindings>(std::move(conn));
    if (auto r = s->init(); !r) return r.error();
    return std::unique_ptr<FindingsStore>(std::move(s));
  }
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(loc->sqlite_path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  core::SqlitePtr db(raw);
  if (rc != SQLITE_OK)
    return core::makeError("cannot open findings store " + loc->sqlite_path + ": " +
                           (raw ? sqlite3_errmsg(raw) : "out of memory"));
  auto s = std::make_unique<SqliteFindings>(std::move(db), loc->sqlite_path);
  if (auto r = s->init(); !r) return r.error();
  return std::unique_ptr<FindingsStore>(std::move(s));
}

}  // namespace ccsec::store
