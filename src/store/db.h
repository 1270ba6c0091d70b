#pragma once
// The one connection, statement and error helper of the stores (audit events, findings by run):
// opening a SQLite file (WAL, synchronous=FULL, busy timeout) or a PostgreSQL connection
// (synchronous_commit=on), running a statement, and turning a failure into an Error that names
// the store ("audit store /var/lib/x.db: insert: disk I/O error"). Database failures are
// runtime errors (exit 3); the stores add input errors of their own (newer schema).

#include <string>
#include <string_view>

#include "core/db_handles.h"
#include "core/result.h"

namespace ccsec::store::db {

/// A SQLite connection labelled for errors ("findings store /path/f.db").
class Sqlite {
 public:
  /// Opens (creating) `path` with the durability pragmas; `what` is "audit store" etc.
  static core::Result<Sqlite> open(const std::string& path, std::string_view what);

  core::Result<void> exec(const char* sql);
  core::Result<core::SqliteStmtPtr> prepare(const char* sql);
  core::Error fail(std::string_view what) const;
  sqlite3* get() const { return db_.get(); }
  const std::string& path() const { return path_; }
  std::string describe() const { return "sqlite:" + path_; }

  static void bindText(sqlite3_stmt* s, int i, const std::string& v);
  static std::string column(sqlite3_stmt* s, int i);

 private:
  Sqlite(core::SqlitePtr db, std::string path, std::string label)
      : db_(std::move(db)), path_(std::move(path)), label_(std::move(label)) {}
  core::SqlitePtr db_;
  std::string path_;
  std::string label_;
};

/// A PostgreSQL connection labelled for errors ("findings store (PostgreSQL)").
class Postgres {
 public:
  /// Connects with `conninfo` (a postgresql:// URI) and sets synchronous_commit=on.
  static core::Result<Postgres> connect(const std::string& conninfo, std::string_view what);

  /// A statement without result rows (PGRES_COMMAND_OK).
  core::Result<void> command(const char* sql);
  core::Error fail(std::string_view what) const;
  PGconn* get() const { return conn_.get(); }
  /// "postgresql://host:port/db" (no credentials).
  std::string describe() const;

 private:
  Postgres(core::PgConnPtr conn, std::string label)
      : conn_(std::move(conn)), label_(std::move(label)) {}
  core::PgConnPtr conn_;
  std::string label_;
};

}  // namespace ccsec::store::db
