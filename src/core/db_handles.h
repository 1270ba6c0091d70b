#pragma once
// RAII owners for database C handles (SQLite, libpq). Header-only so that ccsec_core does not
// link the database libraries; a module that includes this header links SQLite3 / PostgreSQL.

#include <libpq-fe.h>
#include <sqlite3.h>

#include <memory>

#include "core/handles.h"

namespace ccsec::core {

using SqlitePtr = std::unique_ptr<sqlite3, Deleter<sqlite3_close_v2>>;
using SqliteStmtPtr = std::unique_ptr<sqlite3_stmt, Deleter<sqlite3_finalize>>;
using PgConnPtr = std::unique_ptr<PGconn, Deleter<PQfinish>>;
using PgResultPtr = std::unique_ptr<PGresult, Deleter<PQclear>>;

}  // namespace ccsec::core
