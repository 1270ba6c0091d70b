#include "store/db.h"

#include <chrono>
#include <thread>

namespace ccsec::store::db {

core::Result<Sqlite> Sqlite::open(const std::string& path, std::string_view what) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  core::SqlitePtr db(raw);
  if (rc != SQLITE_OK)
    return core::runtimeError("cannot open " + std::string(what) + " " + path + ": " +
                              (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  Sqlite s(std::move(db), path, std::string(what) + " " + path);
  if (auto r = s.exec("PRAGMA busy_timeout=5000"); !r) return r.error();
  // Switching a fresh file to WAL upgrades a shared lock to an exclusive one. When another
  // process opens the same store at that moment (two `ccsec check` runs, parallel tests), SQLite
  // reports the lock-upgrade deadlock at once, without calling the busy handler; one side must
  // back off and retry, within the same 5 s the busy handler allows.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (sqlite3_exec(s.db_.get(), "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) !=
         SQLITE_OK) {
    if ((sqlite3_errcode(s.db_.get()) & 0xff) != SQLITE_BUSY ||
        std::chrono::steady_clock::now() >= deadline)
      return s.fail("PRAGMA journal_mode=WAL");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (auto r = s.exec("PRAGMA synchronous=FULL"); !r) return r.error();
  return s;
}

core::Result<void> Sqlite::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg != nullptr ? msg : "unknown error";
    sqlite3_free(msg);
    return core::runtimeError(label_ + ": " + m);
  }
  return {};
}

core::Result<core::SqliteStmtPtr> Sqlite::prepare(const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK) return fail("prepare");
  return core::SqliteStmtPtr(raw);
}

core::Error Sqlite::fail(std::string_view what) const {
  return core::runtimeError(label_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_.get()));
}

void Sqlite::bindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string Sqlite::column(sqlite3_stmt* s, int i) {
  const auto* p = sqlite3_column_text(s, i);
  return p != nullptr ? std::string(reinterpret_cast<const char*>(p),
                                    static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
                      : std::string();
}

core::Result<Postgres> Postgres::connect(const std::string& conninfo, std::string_view what) {
  core::PgConnPtr conn(PQconnectdb(conninfo.c_str()));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
    return core::runtimeError("cannot connect to PostgreSQL " + std::string(what) + ": " +
                              std::string(conn ? PQerrorMessage(conn.get()) : "out of memory"));
  Postgres p(std::move(conn), std::string(what) + " (PostgreSQL)");
  if (auto r = p.command("SET synchronous_commit = on"); !r) return r.error();
  return p;
}

core::Result<void> Postgres::command(const char* sql) {
  core::PgResultPtr res(PQexec(conn_.get(), sql));
  if (PQresultStatus(res.get()) != PGRES_COMMAND_OK) return fail(sql);
  return {};
}

core::Error Postgres::fail(std::string_view what) const {
  return core::runtimeError(label_ + ": " + std::string(what) + ": " + PQerrorMessage(conn_.get()));
}

std::string Postgres::describe() const {
  return std::string("postgresql://") + PQhost(conn_.get()) + ":" + PQport(conn_.get()) + "/" +
         PQdb(conn_.get());
}

}  // namespace ccsec::store::db
