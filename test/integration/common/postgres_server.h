#pragma once
// A real PostgreSQL server for tests (stores, history, gateway scale-out): initialised in a temp
// dir, run as the postgres user, unix socket only, on a port derived from the pid; stopped
// (immediate) and removed at the end. Use from a test suite's SetUpTestSuite/TearDownTestSuite;
// `skip` says why there is none (no server binaries, not root, no postgres user) so the tests can
// GTEST_SKIP visibly.
#include <gtest/gtest.h>
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

  /// Starts the server; on a precondition missing sets skip(), on a failure started() is false.
  void start(const std::string& tag) {
    if (std::filesystem::exists("/usr/lib/postgresql"))
      for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql"))
        if (std::filesystem::exists(e.path() / "bin/initdb")) bin_ = (e.path() / "bin").string();
    if (bin_.empty()) {
      skip_ = "PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin)";
      return;
    }
    if (::geteuid() != 0) {
      skip_ = "needs root to run the server as the postgres user";
      return;
    }
    if (std::system("id postgres >/dev/null 2>&1") != 0) {
      skip_ = "no postgres system user";
      return;
    }
    char t[] = "/tmp/ccsec-pg-XXXXXX";
    dir_ = mkdtemp(t);
    std::filesystem::permissions(dir_, std::filesystem::perms::all);
    const std::string chown = "chown postgres " + dir_;
    if (std::system(chown.c_str()) != 0) return;
    port_ =
        20000 + static_cast<int>(
                    (static_cast<std::size_t>(::getpid()) + std::hash<std::string>{}(tag)) % 20000);
    const std::string init = "runuser -u postgres -- " + bin_ + "/initdb -D " + dir_ +
                             "/data -A trust -U postgres >/dev/null 2>&1";
    if (std::system(init.c_str()) != 0) return;
    const std::string start = "runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_ +
                              "/data -l " + dir_ + "/log -w -o \"-p " + std::to_string(port_) +
                              " -k " + dir_ + " -c listen_addresses=''\" start >/dev/null 2>&1";
    started_ = std::system(start.c_str()) == 0;
  }
  void stop() {
    if (started_) {
      const std::string stop = "runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_ +
                               "/data -m immediate stop >/dev/null 2>&1";
      EXPECT_EQ(std::system(stop.c_str()), 0);
      started_ = false;
    }
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
    dir_.clear();
  }
  /// A URI for database `db` (default "postgres") on this server.
  std::string uri(const std::string& db = "postgres") const {
    return "postgresql:///" + db + "?host=" + dir_ + "&port=" + std::to_string(port_) +
           "&user=postgres";
  }
  /// Runs `sql` through psql on database `db` (creating databases, loading fixtures).
  bool psql(const std::string& sql, const std::string& db = "postgres") const {
    const std::string cmd = bin_ + "/psql -q -v ON_ERROR_STOP=1 -h " + dir_ + " -p " +
                            std::to_string(port_) + " -U postgres -d " + db + " -c \"" + sql +
                            "\" >/dev/null";
    return std::system(cmd.c_str()) == 0;
  }
  bool psqlFile(const std::string& file, const std::string& db) const {
    const std::string cmd = bin_ + "/psql -q -v ON_ERROR_STOP=1 -h " + dir_ + " -p " +
                            std::to_string(port_) + " -U postgres -d " + db + " -f " + file +
                            " >/dev/null";
    return std::system(cmd.c_str()) == 0;
  }
  const std::string& skip() const { return skip_; }
  bool started() const { return started_; }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }

 private:
  std::string bin_, dir_, skip_;
  int port_ = 0;
  bool started_ = false;
};

}  // namespace ccsec::testing
