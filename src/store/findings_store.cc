#include "store/findings_store.h"

#include <array>
#include <functional>

#include "store/audit_store.h"
#include "store/db.h"

namespace ccsec::store {
namespace {

// One entry per schema version, applied in order to a store below it, each in its own
// transaction. Never edit a shipped entry; append a new version instead.
struct Migration {
  int version;
  std::vector<const char*> sqlite;
  std::vector<const char*> postgres;
};

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> m = {
      {1,
       {"CREATE TABLE IF NOT EXISTS probe_runs (id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms "
        "INTEGER NOT NULL, command TEXT NOT NULL, inventory TEXT NOT NULL, summary TEXT NOT NULL,"
        " facts TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS probe_findings (run_id INTEGER NOT NULL REFERENCES "
        "probe_runs(id), seq INTEGER NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,"
        " target TEXT NOT NULL, message TEXT NOT NULL, waived INTEGER NOT NULL,"
        " PRIMARY KEY (run_id, seq))"},
       {"CREATE TABLE IF NOT EXISTS probe_runs (id BIGSERIAL PRIMARY KEY, time_ms BIGINT NOT NULL,"
        " command TEXT NOT NULL, inventory TEXT NOT NULL, summary TEXT NOT NULL, facts TEXT NOT "
        "NULL)",
        "CREATE TABLE IF NOT EXISTS probe_findings (run_id BIGINT NOT NULL REFERENCES "
        "probe_runs(id), seq INTEGER NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,"
        " target TEXT NOT NULL, message TEXT NOT NULL, waived BOOLEAN NOT NULL,"
        " PRIMARY KEY (run_id, seq))"}},
      // 2: every command's runs (inventory hash, tool version), waiver state and inventory line.
      {2,
       {"ALTER TABLE probe_runs ADD COLUMN inventory_hash TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_runs ADD COLUMN tool_version TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_findings ADD COLUMN waiver_owner TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_findings ADD COLUMN waiver_reason TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_findings ADD COLUMN waiver_expires TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_findings ADD COLUMN line INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX IF NOT EXISTS probe_findings_run ON probe_findings(run_id)"},
       {"ALTER TABLE probe_runs ADD COLUMN inventory_hash TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_runs ADD COLUMN tool_version TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_findings ADD COLUMN waiver_owner TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_findings ADD COLUMN waiver_reason TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_findings ADD COLUMN waiver_expires TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE probe_findings ADD COLUMN line INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX IF NOT EXISTS probe_findings_run ON probe_findings(run_id)"}},
  };
  return m;
}

constexpr const char* kSchemaTable =
    "CREATE TABLE IF NOT EXISTS ccsec_schema (component TEXT PRIMARY KEY, version INTEGER NOT "
    "NULL)";
constexpr const char* kRunColumns =
    "SELECT id,time_ms,command,inventory,summary,inventory_hash,tool_version FROM probe_runs "
    "ORDER BY id";
constexpr const char* kOneRun =
    "SELECT id,time_ms,command,inventory,summary,inventory_hash,tool_version,facts FROM probe_runs "
    "WHERE id=";
constexpr const char* kCountColumns =
    "SELECT run_id,severity,waived,COUNT(*) FROM probe_findings GROUP BY run_id,severity,waived";
constexpr const char* kFindingColumns =
    "SELECT rule,severity,target,message,waived,waiver_owner,waiver_reason,waiver_expires,line "
    "FROM probe_findings";

/// Brings the store to kFindingsSchemaVersion: each step in one transaction (`begin` opens it
/// and takes the write lock), the version row updated in the same transaction. The version is
/// read inside that transaction, so when several processes open a store at once, one migrates
/// and the others find the step done instead of replaying it.
core::Result<int> migrate(const std::string& where, bool postgres, const char* begin,
                          const std::function<core::Result<void>(const char*)>& exec,
                          const std::function<core::Result<int>()>& readVersion) {
  auto newer = [&](int v) {
    return core::makeError("findings store " + where + " has schema version " + std::to_string(v) +
                           ", newer than this ccsec (" + std::to_string(kFindingsSchemaVersion) +
                           ")");
  };
  auto v = readVersion();
  if (!v) return v.error();
  if (*v > kFindingsSchemaVersion) return newer(*v);
  for (const Migration& m : migrations()) {
    if (m.version <= *v) continue;
    if (auto r = exec(begin); !r) return r.error();
    auto step = [&]() -> core::Result<bool> {
      if (postgres)  // BEGIN alone takes no lock: serialize migrating processes on the table
        if (auto r = exec("LOCK TABLE ccsec_schema IN SHARE ROW EXCLUSIVE MODE"); !r)
          return r.error();
      auto now = readVersion();
      if (!now) return now.error();
      if (*now > kFindingsSchemaVersion) return newer(*now);
      if (*now >= m.version) return false;  // another process migrated meanwhile
      for (const char* sql : postgres ? m.postgres : m.sqlite)
        if (auto r = exec(sql); !r) return r.error();
      const std::string up = "INSERT INTO ccsec_schema(component, version) VALUES('findings', " +
                             std::to_string(m.version) +
                             ") ON CONFLICT (component) DO UPDATE SET version = excluded.version";
      if (auto r = exec(up.c_str()); !r) return r.error();
      return true;
    }();
    if (!step) {
      (void)exec("ROLLBACK");
      return core::withContext("migrating to schema " + std::to_string(m.version) + ": ",
                               step.error());
    }
    if (auto r = exec("COMMIT"); !r) return r.error();
    *v = m.version;
  }
  return *v;
}

void addCount(RunRecord& r, const std::string& severity, bool waived, int n) {
  if (waived)
    r.waived += n;
  else
    r.unwaived[severity] += n;
}

// ---- SQLite ---------------------------------------------------------------------------------

class SqliteFindings final : public FindingsStore {
 public:
  explicit SqliteFindings(db::Sqlite db) : db_(std::move(db)) {}

  core::Result<void> init() {
    if (auto r = db_.exec(kSchemaTable); !r) return r;
    auto m = migrate(
        db_.path(), false, "BEGIN IMMEDIATE", [this](const char* sql) { return db_.exec(sql); },
        [this]() -> core::Result<int> {
          auto st = db_.prepare("SELECT version FROM ccsec_schema WHERE component='findings'");
          if (!st) return st.error();
          return sqlite3_step(st->get()) == SQLITE_ROW ? sqlite3_column_int(st->get(), 0) : 0;
        });
    if (!m) return m.error();
    version_ = *m;
    return {};
  }

  core::Result<std::int64_t> saveRun(const RunRecord& run,
                                     const std::vector<StoredFinding>& findings) override {
    if (auto r = db_.exec("BEGIN IMMEDIATE"); !r) return r.error();
    auto fail_tx = [&](const std::string& what) {
      auto e = db_.fail(what);
      (void)db_.exec("ROLLBACK");
      return e;
    };
    auto ins = db_.prepare(
        "INSERT INTO probe_runs(time_ms,command,inventory,summary,facts,inventory_hash,"
        "tool_version) VALUES(?,?,?,?,?,?,?)");
    if (!ins) return fail_tx("prepare run insert");
    sqlite3_bind_int64(ins->get(), 1, run.time_ms);
    db::Sqlite::bindText(ins->get(), 2, run.command);
    db::Sqlite::bindText(ins->get(), 3, run.inventory);
    db::Sqlite::bindText(ins->get(), 4, run.summary);
    db::Sqlite::bindText(ins->get(), 5, run.facts);
    db::Sqlite::bindText(ins->get(), 6, run.inventory_hash);
    db::Sqlite::bindText(ins->get(), 7, run.tool_version);
    if (sqlite3_step(ins->get()) != SQLITE_DONE) return fail_tx("insert run");
    const std::int64_t id = sqlite3_last_insert_rowid(db_.get());
    auto fi = db_.prepare(
        "INSERT INTO probe_findings(run_id,seq,rule,severity,target,message,waived,waiver_owner,"
        "waiver_reason,waiver_expires,line) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    if (!fi) return fail_tx("prepare finding insert");
    int seq = 0;
    for (const auto& f : findings) {
      sqlite3_stmt* s = fi->get();
      sqlite3_reset(s);
      sqlite3_bind_int64(s, 1, id);
      sqlite3_bind_int(s, 2, seq++);
      db::Sqlite::bindText(s, 3, f.rule);
      db::Sqlite::bindText(s, 4, f.severity);
      db::Sqlite::bindText(s, 5, f.target);
      db::Sqlite::bindText(s, 6, f.message);
      sqlite3_bind_int(s, 7, f.waived ? 1 : 0);
      db::Sqlite::bindText(s, 8, f.waiver_owner);
      db::Sqlite::bindText(s, 9, f.waiver_reason);
      db::Sqlite::bindText(s, 10, f.waiver_expires);
      sqlite3_bind_int(s, 11, f.line);
      if (sqlite3_step(s) != SQLITE_DONE) return fail_tx("insert finding");
    }
    if (auto r = db_.exec("COMMIT"); !r) return r.error();
    return id;
  }

  core::Result<std::vector<StoredFinding>> findings(std::int64_t run_id) override {
    {
      auto st = db_.prepare("SELECT 1 FROM probe_runs WHERE id=?");
      if (!st) return st.error();
      sqlite3_bind_int64(st->get(), 1, run_id);
      if (sqlite3_step(st->get()) != SQLITE_ROW)
        return core::makeError("findings store " + db_.path() + ": no run " +
                               std::to_string(run_id));
    }
    const std::string sql = std::string(kFindingColumns) + " WHERE run_id=? ORDER BY seq";
    auto st = db_.prepare(sql.c_str());
    if (!st) return st.error();
    sqlite3_stmt* s = st->get();
    sqlite3_bind_int64(s, 1, run_id);
    std::vector<StoredFinding> out;
    int rc = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      out.push_back({db::Sqlite::column(s, 0), db::Sqlite::column(s, 1), db::Sqlite::column(s, 2),
                     db::Sqlite::column(s, 3), sqlite3_column_int(s, 4) != 0,
                     db::Sqlite::column(s, 5), db::Sqlite::column(s, 6), db::Sqlite::column(s, 7),
                     sqlite3_column_int(s, 8)});
    }
    if (rc != SQLITE_DONE) return db_.fail("select findings");
    return out;
  }

  core::Result<RunRecord> run(std::int64_t run_id) override {
    const std::string sql = std::string(kOneRun) + "?";
    auto st = db_.prepare(sql.c_str());
    if (!st) return st.error();
    sqlite3_stmt* s = st->get();
    sqlite3_bind_int64(s, 1, run_id);
    if (sqlite3_step(s) != SQLITE_ROW)
      return core::makeError("findings store " + db_.path() + ": no run " + std::to_string(run_id));
    RunRecord r;
    r.id = sqlite3_column_int64(s, 0);
    r.time_ms = sqlite3_column_int64(s, 1);
    r.command = db::Sqlite::column(s, 2);
    r.inventory = db::Sqlite::column(s, 3);
    r.summary = db::Sqlite::column(s, 4);
    r.inventory_hash = db::Sqlite::column(s, 5);
    r.tool_version = db::Sqlite::column(s, 6);
    r.facts = db::Sqlite::column(s, 7);
    return r;
  }

  core::Result<std::vector<RunRecord>> runs() override {
    auto st = db_.prepare(kRunColumns);
    if (!st) return st.error();
    sqlite3_stmt* s = st->get();
    std::vector<RunRecord> out;
    std::map<std::int64_t, std::size_t> index;
    int rc = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      RunRecord r;
      r.id = sqlite3_column_int64(s, 0);
      r.time_ms = sqlite3_column_int64(s, 1);
      r.command = db::Sqlite::column(s, 2);
      r.inventory = db::Sqlite::column(s, 3);
      r.summary = db::Sqlite::column(s, 4);
      r.inventory_hash = db::Sqlite::column(s, 5);
      r.tool_version = db::Sqlite::column(s, 6);
      index[r.id] = out.size();
      out.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return db_.fail("select runs");
    auto ct = db_.prepare(kCountColumns);
    if (!ct) return ct.error();
    s = ct->get();
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      auto it = index.find(sqlite3_column_int64(s, 0));
      if (it == index.end()) continue;
      addCount(out[it->second], db::Sqlite::column(s, 1), sqlite3_column_int(s, 2) != 0,
               sqlite3_column_int(s, 3));
    }
    if (rc != SQLITE_DONE) return db_.fail("count findings");
    return out;
  }

  int schemaVersion() const override { return version_; }
  std::string describe() const override { return db_.describe(); }

 private:
  db::Sqlite db_;
  int version_ = 0;
};

// ---- PostgreSQL -----------------------------------------------------------------------------

class PostgresFindings final : public FindingsStore {
 public:
  explicit PostgresFindings(db::Postgres pg) : pg_(std::move(pg)) {}

  core::Result<void> init() {
    if (auto r = pg_.command(kSchemaTable); !r) return r;
    auto m = migrate(
        "(PostgreSQL)", true, "BEGIN", [this](const char* sql) { return pg_.command(sql); },
        [this]() -> core::Result<int> {
          core::PgResultPtr res(
              PQexec(pg_.get(), "SELECT version FROM ccsec_schema WHERE component='findings'"));
          if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return pg_.fail("read schema version");
          return PQntuples(res.get()) > 0 ? std::stoi(PQgetvalue(res.get(), 0, 0)) : 0;
        });
    if (!m) return m.error();
    version_ = *m;
    return {};
  }

  core::Result<std::int64_t> saveRun(const RunRecord& run,
                                     const std::vector<StoredFinding>& findings) override {
    if (auto r = pg_.command("BEGIN"); !r) return r.error();
    auto fail_tx = [&](const std::string& what) {
      auto e = pg_.fail(what);
      (void)pg_.command("ROLLBACK");
      return e;
    };
    const std::string t = std::to_string(run.time_ms);
    std::array<const char*, 7> rv{
        t.c_str(),         run.command.c_str(),        run.inventory.c_str(),   run.summary.c_str(),
        run.facts.c_str(), run.inventory_hash.c_str(), run.tool_version.c_str()};
    core::PgResultPtr res(PQexecParams(
        pg_.get(),
        "INSERT INTO probe_runs(time_ms,command,inventory,summary,facts,inventory_hash,"
        "tool_version) VALUES($1::bigint,$2,$3,$4,$5,$6,$7) RETURNING id",
        7, nullptr, rv.data(), nullptr, nullptr, 0));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return fail_tx("insert run");
    const std::int64_t id = std::stoll(PQgetvalue(res.get(), 0, 0));
    const std::string ids = std::to_string(id);
    int seq = 0;
    for (const auto& f : findings) {
      const std::string s = std::to_string(seq++);
      const std::string line = std::to_string(f.line);
      std::array<const char*, 11> v{ids.c_str(),
                                    s.c_str(),
                                    f.rule.c_str(),
                                    f.severity.c_str(),
                                    f.target.c_str(),
                                    f.message.c_str(),
                                    f.waived ? "true" : "false",
                                    f.waiver_owner.c_str(),
                                    f.waiver_reason.c_str(),
                                    f.waiver_expires.c_str(),
                                    line.c_str()};
      core::PgResultPtr fr(
          PQexecParams(pg_.get(),
                       "INSERT INTO probe_findings(run_id,seq,rule,severity,target,message,waived,"
                       "waiver_owner,waiver_reason,waiver_expires,line)"
                       " VALUES($1::bigint,$2::int,$3,$4,$5,$6,$7::boolean,$8,$9,$10,$11::int)",
                       11, nullptr, v.data(), nullptr, nullptr, 0));
      if (PQresultStatus(fr.get()) != PGRES_COMMAND_OK) return fail_tx("insert finding");
    }
    if (auto r = pg_.command("COMMIT"); !r) return r.error();
    return id;
  }

  core::Result<std::vector<StoredFinding>> findings(std::int64_t run_id) override {
    const std::string ids = std::to_string(run_id);
    std::array<const char*, 1> v{ids.c_str()};
    core::PgResultPtr exists(PQexecParams(pg_.get(), "SELECT 1 FROM probe_runs WHERE id=$1::bigint",
                                          1, nullptr, v.data(), nullptr, nullptr, 0));
    if (PQresultStatus(exists.get()) != PGRES_TUPLES_OK) return pg_.fail("select run");
    if (PQntuples(exists.get()) == 0)
      return core::makeError("findings store (PostgreSQL): no run " + ids);
    const std::string sql = std::string(kFindingColumns) + " WHERE run_id=$1::bigint ORDER BY seq";
    core::PgResultPtr res(
        PQexecParams(pg_.get(), sql.c_str(), 1, nullptr, v.data(), nullptr, nullptr, 0));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return pg_.fail("select findings");
    std::vector<StoredFinding> out;
    for (int i = 0; i < PQntuples(res.get()); ++i) {
      auto col = [&](int c) { return std::string(PQgetvalue(res.get(), i, c)); };
      out.push_back({col(0), col(1), col(2), col(3), col(4) == "t", col(5), col(6), col(7),
                     std::stoi(col(8))});
    }
    return out;
  }

  core::Result<RunRecord> run(std::int64_t run_id) override {
    const std::string ids = std::to_string(run_id);
    std::array<const char*, 1> v{ids.c_str()};
    const std::string sql = std::string(kOneRun) + "$1::bigint";
    core::PgResultPtr res(
        PQexecParams(pg_.get(), sql.c_str(), 1, nullptr, v.data(), nullptr, nullptr, 0));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return pg_.fail("select run");
    if (PQntuples(res.get()) == 0)
      return core::makeError("findings store (PostgreSQL): no run " + ids);
    RunRecord r;
    r.id = std::stoll(PQgetvalue(res.get(), 0, 0));
    r.time_ms = std::stoll(PQgetvalue(res.get(), 0, 1));
    r.command = PQgetvalue(res.get(), 0, 2);
    r.inventory = PQgetvalue(res.get(), 0, 3);
    r.summary = PQgetvalue(res.get(), 0, 4);
    r.inventory_hash = PQgetvalue(res.get(), 0, 5);
    r.tool_version = PQgetvalue(res.get(), 0, 6);
    r.facts = PQgetvalue(res.get(), 0, 7);
    return r;
  }

  core::Result<std::vector<RunRecord>> runs() override {
    core::PgResultPtr res(PQexec(pg_.get(), kRunColumns));
    if (PQresultStatus(res.get()) != PGRES_TUPLES_OK) return pg_.fail("select runs");
    std::vector<RunRecord> out;
    std::map<std::int64_t, std::size_t> index;
    for (int i = 0; i < PQntuples(res.get()); ++i) {
      RunRecord r;
      r.id = std::stoll(PQgetvalue(res.get(), i, 0));
      r.time_ms = std::stoll(PQgetvalue(res.get(), i, 1));
      r.command = PQgetvalue(res.get(), i, 2);
      r.inventory = PQgetvalue(res.get(), i, 3);
      r.summary = PQgetvalue(res.get(), i, 4);
      r.inventory_hash = PQgetvalue(res.get(), i, 5);
      r.tool_version = PQgetvalue(res.get(), i, 6);
      index[r.id] = out.size();
      out.push_back(std::move(r));
    }
    core::PgResultPtr counts(PQexec(pg_.get(), kCountColumns));
    if (PQresultStatus(counts.get()) != PGRES_TUPLES_OK) return pg_.fail("count findings");
    for (int i = 0; i < PQntuples(counts.get()); ++i) {
      auto it = index.find(std::stoll(PQgetvalue(counts.get(), i, 0)));
      if (it == index.end()) continue;
      addCount(out[it->second], PQgetvalue(counts.get(), i, 1),
               std::string_view(PQgetvalue(counts.get(), i, 2)) == "t",
               std::stoi(PQgetvalue(counts.get(), i, 3)));
    }
    return out;
  }

  int schemaVersion() const override { return version_; }
  std::string describe() const override { return pg_.describe(); }

 private:
  db::Postgres pg_;
  int version_ = 0;
};

}  // namespace

core::Result<std::unique_ptr<FindingsStore>> openFindingsStore(const std::string& uri,
                                                               const std::string& base_dir) {
  auto loc = parseStoreUri(uri, base_dir);
  if (!loc) return loc.error();
  if (loc->postgres) {
    auto pg = db::Postgres::connect(loc->conninfo, "findings store");
    if (!pg) return pg.error();
    auto s = std::make_unique<PostgresFindings>(std::move(pg.value()));
    if (auto r = s->init(); !r) return r.error();
    return std::unique_ptr<FindingsStore>(std::move(s));
  }
  auto db = db::Sqlite::open(loc->sqlite_path, "findings store");
  if (!db) return db.error();
  auto s = std::make_unique<SqliteFindings>(std::move(db.value()));
  if (auto r = s->init(); !r) return r.error();
  return std::unique_ptr<FindingsStore>(std::move(s));
}

}  // namespace ccsec::store
