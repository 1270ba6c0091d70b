#include "store/audit_store.h"

#include <chrono>
#include <filesystem>

namespace ccsec::store {

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Result<StoreLocation> parseStoreUri(const std::string& uri, const std::string& base_dir) {
  StoreLocation loc;
  if (uri.starts_with("postgresql://") || uri.starts_with("postgres://")) {
    loc.postgres = true;
    loc.conninfo = uri;
    return loc;
  }
  std::string path;
  if (uri.starts_with("sqlite:")) {
    path = uri.substr(7);
  } else if (uri.ends_with(".db") || uri.ends_with(".sqlite")) {
    path = uri;
  } else {
    return core::makeError("unknown store '" + uri + "' (expected sqlite:PATH or postgresql://…)");
  }
  if (path.empty()) return core::makeError("empty SQLite path in store '" + uri + "'");
  std::filesystem::path p(path);
  if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
  loc.sqlite_path = p.string();
  return loc;
}

core::Result<std::unique_ptr<AuditStore>> openAuditStore(const std::string& uri,
                                                         const std::string& base_dir) {
  auto loc = parseStoreUri(uri, base_dir);
  if (!loc) return loc.error();
  if (loc->postgres) return openPostgresStore(loc->conninfo);
  return openSqliteStore(loc->sqlite_path);
}

}  // namespace ccsec::store
