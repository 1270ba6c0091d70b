#pragma once
// A private PostgreSQL server for tests: initdb in a temp dir, run as the postgres system user,
// unix socket only (no TCP), stopped with "pg_ctl -m immediate" by the owner. Used by the
// PostgreSQL audit store tests and the two-gateway scale-out test.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace ccsec::testing {

class PostgresServer {
 public:
  PostgresServer() = default;
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer() { stop(); }

  /// Starts the server; returns "" on success, else why it cannot run here (a skip reason) or
  /// what failed (prefixed "failed: ").
  std::string start() {
    for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql"))
      if (std::filesystem::exists(e.path() / "bin/initdb")) bin_ = (e.path() / "bin").string();
    if (bin_.empty()) return "PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin)";
    if (::geteuid() != 0) return "needs root to run the server as the postgres user";
    if (std::system("id postgres >/dev/null 2>&1") != 0) return "no postgres system user";
    char t[] = "/tmp/ccsec-pg-XXXXXX";
    dir_ = ::mkdtemp(t);
    std::filesystem::permissions(dir_, std::filesystem::perms::all);
    if (std::system(("chown postgres " + dir_).c_str()) != 0) return "failed: chown " + dir_;
    port_ = 20000 + (::getpid() % 20000);
    std::string init = "runuser -u postgres -- " + bin_ + "/initdb -D " + dir_ +
                       "/data -A trust -U postgres >/dev/null 2>&1";
    if (std::system(init.c_str()) != 0) return "failed: " + init;
    std::string start = "runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_ + "/data -l " +
                        dir_ + "/log -w -o \"-p " + std::to_string(port_) + " -k " + dir_ +
                        " -c listen_addresses=''\" start >/dev/null 2>&1";
    if (std::system(start.c_str()) != 0) return "failed: " + start;
    started_ = true;
    return {};
  }

  /// Returns true when the server was running and stopped cleanly.
  bool stop() {
    bool ok = true;
    if (started_) {
      std::string stop = "runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_ +
                         "/data -m immediate stop >/dev/null 2>&1";
      ok = std::system(stop.c_str()) == 0;
      started_ = false;
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
    return ok;
  }

  bool started() const { return started_; }
  const std::string& dir() const { return dir_; }
  /// libpq URI of the `postgres` database over the server's unix socket.
  std::string uri() const {
    return "postgresql:///postgres?host=" + dir_ + "&port=" + std::to_string(port_) +
           "&user=postgres";
  }

 private:
  std::string bin_, dir_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace ccsec::testing
