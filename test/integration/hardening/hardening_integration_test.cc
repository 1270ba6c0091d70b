// The hardening targets against the real programs: the rendered PostgreSQL configuration
// (target postgresql, certificates from `ccsec pki`) on a private PostgreSQL server refuses a
// connection without TLS and accepts one with TLS and SCRAM; the rendered ClamAV files
// (target antivirus) are accepted by clamconf. Inventory:
// test/integration/hardening/inventory.yaml.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "ccsec/paths.h"
#include "common/process.h"

namespace ccsec {
namespace {

namespace fs = std::filesystem;
using testing::readFile;

const std::string kInventory =
    std::string(CCSEC_SOURCE_DIR) + "/test/integration/hardening/inventory.yaml";

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string tempDir() {
  std::string t = (fs::temp_directory_path() / "ccsec-hardening-XXXXXX").string();
  if (::mkdtemp(t.data()) == nullptr) return {};
  return t;
}

struct PgConn {
  explicit PgConn(const std::string& conninfo) : c(PQconnectdb(conninfo.c_str())) {}
  ~PgConn() { PQfinish(c); }
  bool ok() const { return PQstatus(c) == CONNECTION_OK; }
  std::string error() const { return PQerrorMessage(c); }
  std::string one(const std::string& sql) const {
    PGresult* r = PQexec(c, sql.c_str());
    std::string v = (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
                        ? PQgetvalue(r, 0, 0)
                        : std::string("ERROR: ") + PQresultErrorMessage(r);
    PQclear(r);
    return v;
  }
  PGconn* c;
};

// A private PostgreSQL cluster configured with the rendered files.
class RenderedPostgres : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (fs::exists("/usr/lib/postgresql"))
      for (const auto& e : fs::directory_iterator("/usr/lib/postgresql"))
        if (fs::exists(e.path() / "bin/initdb")) bin_ = (e.path() / "bin").string();
    if (bin_.empty()) {
      skip_ = "PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin)";
      return;
    }
    if (::geteuid() != 0) {
      skip_ = "needs root to run the server as the postgres user";
      return;
    }
    if (run("id postgres >/dev/null 2>&1") != 0) {
      skip_ = "no postgres system user";
      return;
    }
    dir_ = tempDir();
    ASSERT_FALSE(dir_.empty());
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    const std::string ccsec = CCSEC_BIN;
    // The store host's certificate from ccsec pki, the rendered files from ccsec render.
    ASSERT_EQ(run(ccsec + " pki init --dir " + dir_ + "/pki >/dev/null"), 0);
    ASSERT_EQ(run(ccsec + " pki issue --dir " + dir_ + "/pki " + kInventory +
                  " --host store-1 >/dev/null"),
              0);
    ASSERT_EQ(run(ccsec + " render " + kInventory + " --out " + dir_ +
                  "/bundle --target postgresql >/dev/null"),
              0);
    conf_ = readFile(dir_ + "/bundle/hosts/store-1.postgresql.conf");
    hba_ = readFile(dir_ + "/bundle/hosts/store-1.pg_hba.conf");
    const std::string data = dir_ + "/data";
    ASSERT_EQ(run("install -d -o postgres -m 0700 " + data + " " + dir_ + "/sock"), 0);
    ASSERT_EQ(run("runuser -u postgres -- " + bin_ + "/initdb -D " + data +
                  " -A reject -U postgres >/dev/null 2>&1"),
              0);
    // Exactly what the rendered header says: certificate and key as server.crt/server.key,
    // the rendered pg_hba.conf as the cluster's, the rendered file included at the end.
    ASSERT_EQ(run("install -o postgres -m 0644 " + dir_ + "/pki/hosts/store-1.pem " + data +
                  "/server.crt && install -o postgres -m 0600 " + dir_ + "/pki/hosts/store-1.key " +
                  data + "/server.key && install -o postgres -m 0600 " + dir_ +
                  "/bundle/hosts/store-1.pg_hba.conf " + data +
                  "/pg_hba.conf && install -o postgres -m 0600 " + dir_ +
                  "/bundle/hosts/store-1.postgresql.conf " + data + "/store-1.postgresql.conf"),
              0);
    {
      std::ofstream pc(data + "/postgresql.conf", std::ios::app);
      pc << "\ninclude 'store-1.postgresql.conf'\n";
    }
    port_ = 21000 + (::getpid() % 20000);
    // Only the port is overridden (the rendered 5432 may be taken on a shared machine); the
    // listen address 127.0.0.2 and everything else come from the rendered file.
    const std::string start = "runuser -u postgres -- " + bin_ + "/pg_ctl -D " + data + " -l " +
                              dir_ + "/sock/server.log -w -o \"-p " + std::to_string(port_) +
                              " -k " + dir_ + "/sock\" start >/dev/null 2>&1";
    ASSERT_EQ(run(start), 0) << start << "\n" << readFile(dir_ + "/sock/server.log");
    started_ = true;
    // The store's role, created over the unix socket (local ... peer as postgres).
    ASSERT_EQ(
        run("runuser -u postgres -- psql -q -h " + dir_ + "/sock -p " + std::to_string(port_) +
            " -d postgres -c \"CREATE ROLE ccsec LOGIN PASSWORD 'store-secret' IN ROLE "
            "pg_read_all_settings\" "
            ">/dev/null 2>&1"),
        0);
  }
  static void TearDownTestSuite() {
    if (started_) {
      EXPECT_EQ(run("runuser -u postgres -- " + bin_ + "/pg_ctl -D " + dir_ +
                    "/data -m fast stop >/dev/null 2>&1"),
                0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
    ASSERT_TRUE(started_) << "PostgreSQL did not start";
  }
  static std::string tcp(const std::string& extra) {
    return "hostaddr=127.0.0.2 port=" + std::to_string(port_) +
           " dbname=postgres user=ccsec connect_timeout=5 " + extra;
  }
  static inline std::string bin_, dir_, skip_, conf_, hba_;
  static inline int port_ = 0;
  static inline bool started_ = false;
};

TEST_F(RenderedPostgres, RenderedFilesSayWhatTheServerRuns) {
  EXPECT_NE(conf_.find("listen_addresses = '127.0.0.2'\n"), std::string::npos) << conf_;
  EXPECT_NE(conf_.find("ssl = on\n"), std::string::npos);
  EXPECT_NE(conf_.find("ssl_min_protocol_version = 'TLSv1.2'"), std::string::npos);
  EXPECT_NE(hba_.find("hostssl   all       all       127.0.0.1/32            scram-sha-256\n"),
            std::string::npos)
      << hba_;
  EXPECT_NE(hba_.find("hostssl   all       all       127.0.0.11/32           scram-sha-256\n"),
            std::string::npos);
  EXPECT_EQ(hba_.find("\nhost "), hba_.rfind("\nhost ")) << "one final reject line";
  EXPECT_NE(hba_.find("\nhost      all       all       all                     reject\n"),
            std::string::npos);
  // The running server took the rendered settings.
  PgConn c(tcp("sslmode=require password=store-secret"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.one("SHOW ssl"), "on");
  EXPECT_EQ(c.one("SHOW ssl_min_protocol_version"), "TLSv1.2");
  EXPECT_EQ(c.one("SHOW password_encryption"), "scram-sha-256");
  EXPECT_EQ(c.one("SHOW listen_addresses"), "127.0.0.2");
}

TEST_F(RenderedPostgres, ConnectionWithoutTlsIsRefused) {
  PgConn c(tcp("sslmode=disable password=store-secret"));
  EXPECT_FALSE(c.ok());
  EXPECT_NE(c.error().find("pg_hba.conf rejects connection"), std::string::npos) << c.error();
  EXPECT_NE(c.error().find("no encryption"), std::string::npos) << c.error();
}

TEST_F(RenderedPostgres, TlsWithScramIsAcceptedAndTheCertificateVerifies) {
  // verify-full: the server presents ccsec pki's certificate for store-1's dns_name.
  PgConn c(tcp("host=store-1.hardening.test sslmode=verify-full sslrootcert=" + dir_ +
               "/pki/ca.pem password=store-secret"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c.one("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"), "true");
  const std::string v = c.one("SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  EXPECT_TRUE(v == "TLSv1.2" || v == "TLSv1.3") << v;
}

TEST_F(RenderedPostgres, ScramVerifierAndWrongPasswordRefused) {
  PgConn bad(tcp("sslmode=require password=wrong"));
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("password authentication failed"), std::string::npos) << bad.error();
  // The verifier written under the rendered password_encryption (read over the socket as
  // postgres).
  const std::string out = dir_ + "/verifier";
  ASSERT_EQ(run("runuser -u postgres -- psql -At -h " + dir_ + "/sock -p " + std::to_string(port_) +
                " -d postgres -c \"SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = "
                "'ccsec'\" > " +
                out),
            0);
  EXPECT_EQ(readFile(out), "SCRAM-SHA-256$\n");
}

// ClamAV: clamconf parses the rendered clamd.conf and freshclam.conf of every Linux host.
TEST(RenderedClamav, ClamconfAcceptsEveryRenderedLinuxHost) {
  if (run("command -v clamconf >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "clamconf not installed (Debian clamav; scripts/setup)";
  const std::string dir = tempDir();
  ASSERT_FALSE(dir.empty());
  ASSERT_EQ(run(std::string(CCSEC_BIN) + " render " + kInventory + " --out " + dir +
                "/bundle --target antivirus >/dev/null"),
            0);
  int hosts = 0;
  for (const char* host : {"anchor-1", "ccp-1", "store-1"}) {
    const std::string etc = dir + "/" + host;
    fs::create_directories(etc);
    fs::copy_file(dir + "/bundle/hosts/" + host + ".clamd.conf", etc + "/clamd.conf");
    fs::copy_file(dir + "/bundle/hosts/" + host + ".freshclam.conf", etc + "/freshclam.conf");
    const std::string out = etc + "/clamconf.out";
    const int rc = run("clamconf -c " + etc + " > " + out + " 2>&1");
    const std::string text = readFile(out);
    EXPECT_EQ(rc, 0) << host << ":\n" << text;
    // clamconf read our files (not defaults) and holds our values.
    EXPECT_NE(text.find("Config file: clamd.conf"), std::string::npos) << text;
    EXPECT_NE(text.find("Config file: freshclam.conf"), std::string::npos) << text;
    EXPECT_NE(text.find("CrossFilesystems disabled"), std::string::npos) << text;
    EXPECT_NE(text.find("OnAccessExtraScanning = \"yes\""), std::string::npos) << text;
    EXPECT_NE(text.find("Checks = \"2\""), std::string::npos) << text;
    EXPECT_EQ(text.find("ERROR"), std::string::npos) << text;
    ++hosts;
  }
  EXPECT_EQ(hosts, 3);
  // clamconf exits 0 even on a parse error; the "ERROR: Parse error" line is the verdict. A
  // misspelt option shows that the check above is real.
  const std::string etc = dir + "/broken";
  fs::create_directories(etc);
  std::ofstream(etc + "/clamd.conf")
      << readFile(dir + "/bundle/hosts/ccp-1.clamd.conf") << "OnAccesExtraScanning yes\n";
  ASSERT_EQ(run("clamconf -c " + etc + " > " + etc + "/out 2>&1"), 0);
  EXPECT_NE(readFile(etc + "/out").find("ERROR: Parse error"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ccsec
