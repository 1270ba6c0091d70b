// nginx auth_request -> ccsec authd -> slapd: see README.md.
#include <ccsec/paths.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "slapd_lab.h"
#include "store/audit_store.h"

namespace ccsec {
namespace {

using testing::Process;
using testing::readFile;
using testing::SlapdLab;
using testing::waitFor;

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

class AuthdNginx : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!SlapdLab::available() || !std::filesystem::exists("/usr/sbin/nginx"))
      GTEST_SKIP() << "slapd or nginx not installed (scripts/setup installs them)";
    lab_ = std::make_unique<SlapdLab>(CCSEC_BIN);
    ASSERT_TRUE(lab_->ok()) << "slapd lab did not start: " << lab_->dir();
    dir_ = lab_->dir() / "web";
    std::filesystem::create_directories(dir_ / "www" / "ccp" / "admin");
    std::filesystem::create_directories(dir_ / "tmp");
    std::ofstream(dir_ / "www" / "ccp" / "index.html") << "ccp panel\n";
    std::ofstream(dir_ / "www" / "ccp" / "admin" / "index.html") << "admin panel\n";
    // nginx workers run as nobody: the document root must be traversable.
    for (auto p = dir_ / "www" / "ccp" / "admin"; p != p.root_path(); p = p.parent_path())
      ::chmod(p.c_str(), 0755);
    writeConfig(lab_->ldapsUrl(), "cn=ccp-agents,ou=groups,dc=lab,dc=example,dc=com", false);
    authd_ = std::make_unique<Process>(
        std::vector<std::string>{CCSEC_BIN, "authd", "--config", (dir_ / "authd.yaml").string()},
        dir_ / "authd.log");
    ASSERT_TRUE(waitFor(
        [&] { return readFile(dir_ / "authd.log").find("ready: listen=") != std::string::npos; },
        std::chrono::seconds(10)))
        << readFile(dir_ / "authd.log");
    std::smatch m;
    const std::string log = readFile(dir_ / "authd.log");
    ASSERT_TRUE(std::regex_search(log, m, std::regex("listen=127\\.0\\.0\\.1:([0-9]+)")));
    authd_port_ = std::stoi(m[1]);
    nginx_port_ = testing::freeTcpPort();
    writeNginx();
    nginx_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/sbin/nginx", "-p", dir_.string(), "-c",
                                 (dir_ / "nginx.conf").string(), "-g", "daemon off;"},
        dir_ / "nginx.out");
    ASSERT_TRUE(waitFor([&] { return testing::tcpOpen(nginx_port_); }, std::chrono::seconds(10)))
        << readFile(dir_ / "nginx.out") << readFile(dir_ / "error.log");
  }
  void TearDown() override {
    nginx_.reset();
    authd_.reset();
    lab_.reset();
  }

  void writeConfig(const std::string& url, const std::string& group, bool starttls) {
    std::ofstream(dir_ / "authd.yaml")
        << "listen: 127.0.0.1:0\n"
        << "realm: ccp\n"
        << "workers: 2\n"
        << "directory:\n"
        << "  servers: [{url: \"" << url << "\", site: lab}]\n"
        << "  site: lab\n"
        << "  starttls: " << (starttls ? "true" : "false") << "\n"
        << "  ca_file: " << lab_->caFile() << "\n"
        << "  timeout_ms: 2000\n"
        << "  retry_after_ms: 200\n"
        << "  bind: \"uid={user},ou=people,dc=lab,dc=example,dc=com\"\n"
        << "  nested: memberof\n"
        << "  group_base: \"ou=groups,dc=lab,dc=example,dc=com\"\n"
        << "allowed_group: \"" << group << "\"\n"
        << "blocked_urls: [\"/ccp/system/*\"]\n"
        << "groups:\n"
        << "  - group: \"cn=ccp-agents,ou=groups,dc=lab,dc=example,dc=com\"\n"
        << "    blocked_urls: [\"/ccp/admin/*\"]\n"
        << "cache: {ttl_s: 1, max_entries: 100}\n"
        << "throttle: {user_failures: 3, address_failures: 50, window_s: 60}\n"
        << "session: {ttl_s: 600, cookie: ccsec_authd}\n"
        << "audit: {store: \"sqlite:" << (dir_ / "audit.db").string() << "\"}\n";
  }
  void writeNginx() {
    const std::string d = dir_.string();
    std::ofstream(dir_ / "nginx.conf")
        << "worker_processes 1;\npid " << d << "/nginx.pid;\nerror_log " << d
        << "/error.log warn;\nevents { worker_connections 256; }\nhttp {\n"
        << "  access_log off;\n"
        << "  client_body_temp_path " << d << "/tmp/body;\n  proxy_temp_path " << d
        << "/tmp/proxy;\n  fastcgi_temp_path " << d << "/tmp/fcgi;\n  uwsgi_temp_path " << d
        << "/tmp/uwsgi;\n  scgi_temp_path " << d << "/tmp/scgi;\n"
        << "  upstream authd { server 127.0.0.1:" << authd_port_ << "; keepalive 8; }\n"
        << "  server {\n    listen 127.0.0.1:" << nginx_port_ << ";\n    root " << d << "/www;\n"
        << "    location /ccp/ {\n      auth_request /_authd;\n"
        << "      auth_request_set $authd_status $upstream_status;\n"
        << "      auth_request_set $authd_cookie $upstream_http_set_cookie;\n"
        << "      add_header Set-Cookie $authd_cookie;\n"
        << "      error_page 500 = @authd_error;\n    }\n"
        << "    location = /_authd {\n      internal;\n      proxy_pass http://authd/auth;\n"
        << "      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n"
        << "      proxy_pass_request_body off;\n      proxy_set_header Content-Length \"\";\n"
        << "      proxy_set_header X-Original-URI $request_uri;\n"
        << "      proxy_set_header X-Real-IP $remote_addr;\n    }\n"
        << "    location @authd_error {\n      if ($authd_status = 503) { return 503; }\n"
        << "      return 500;\n    }\n  }\n}\n";
  }
  // HTTP status (and optionally the headers) of GET path through nginx.
  int get(const std::string& path, const std::string& user = {}, const std::string& pw = {},
          std::string* headers = nullptr, const std::string& cookie = {}) {
    std::string cmd = "curl -s -o /dev/null -D - -w 'STATUS=%{http_code}' ";
    if (!cookie.empty()) cmd += "-H 'Cookie: " + cookie + "' ";
    if (!user.empty()) cmd += "-u '" + user + ":" + pw + "' ";
    cmd += "'http://127.0.0.1:" + std::to_string(nginx_port_) + path + "'";
    const std::string out = run(cmd);
    if (headers != nullptr) *headers = out;
    const auto at = out.rfind("STATUS=");
    return at == std::string::npos ? -1 : std::stoi(out.substr(at + 7));
  }

  std::unique_ptr<SlapdLab> lab_;
  std::filesystem::path dir_;
  std::unique_ptr<Process> authd_, nginx_;
  int authd_port_ = 0, nginx_port_ = 0;
};

TEST_F(AuthdNginx, EnforcesGroupAndUrlRulesEndToEnd) {
  EXPECT_EQ(get("/ccp/index.html", "alice", "pw-alice"), 200);
  EXPECT_EQ(get("/ccp/index.html", "carol", "pw-carol"), 200) << "nested member";
  EXPECT_EQ(get("/ccp/index.html", "bob", "pw-bob"), 403) << "in no group";
  EXPECT_EQ(get("/ccp/index.html", "dave", "pw-dave"), 403) << "in another group";
  // Blocked for members of ccp-agents, even though alice is allowed in general.
  EXPECT_EQ(get("/ccp/admin/", "alice", "pw-alice"), 403);
  EXPECT_EQ(get("/ccp/admin/index.html", "carol", "pw-carol"), 403);
  EXPECT_EQ(get("/ccp/%61dmin/index.html", "alice", "pw-alice"), 403);
  EXPECT_EQ(get("/ccp/ADMIN;x=1/index.html", "alice", "pw-alice"), 403);
  EXPECT_EQ(get("/ccp/x/../admin/index.html", "alice", "pw-alice"), 403);
  EXPECT_EQ(get("/ccp/system/status", "alice", "pw-alice"), 403);
  std::string h;
  EXPECT_EQ(get("/ccp/index.html", "alice", "wrong", &h), 401);
  EXPECT_NE(h.find("WWW-Authenticate: Basic realm=\"ccp\""), std::string::npos) << h;
  EXPECT_EQ(get("/ccp/index.html", "locked", "pw-locked"), 401) << "locked account";
  EXPECT_EQ(get("/ccp/index.html"), 401) << "no credentials";
  EXPECT_EQ(get("/ccp/index.html", "al*", "pw-alice"), 401);

  // Metrics from the same endpoint.
  const std::string metrics =
      run("curl -s http://127.0.0.1:" + std::to_string(authd_port_) + "/metrics");
  EXPECT_NE(metrics.find("ccsec_authd_decisions_total{verdict=\"allow\"}"), std::string::npos);
  EXPECT_NE(metrics.find("ccsec_authd_decisions_total{verdict=\"blocked_url\"}"),
            std::string::npos);

  // Audit: decisions with user and verdict, never a password.
  authd_->terminate();
  auto store = store::openAuditStore("sqlite:" + (dir_ / "audit.db").string());
  ASSERT_TRUE(store);
  auto events = (*store)->list();
  ASSERT_TRUE(events);
  std::set<std::string> kinds;
  for (const auto& e : *events) {
    kinds.insert(e.kind);
    for (const auto* f : {&e.reason, &e.detail, &e.peer_identity, &e.peer_address})
      EXPECT_EQ(f->find("pw-"), std::string::npos) << *f;
    EXPECT_EQ(e.detail.find("wrong"), std::string::npos);
  }
  for (const char* k : {"allow", "outside_group", "blocked_url", "bad_credentials"})
    EXPECT_TRUE(kinds.count(k)) << k;
}

TEST_F(AuthdNginx, SessionCookieIssuedAndHonoured) {
  std::string h;
  ASSERT_EQ(get("/ccp/index.html", "alice", "pw-alice", &h), 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(h, m, std::regex("Set-Cookie: (ccsec_authd=[0-9a-f]{64})"))) << h;
  EXPECT_NE(h.find("HttpOnly"), std::string::npos);
  EXPECT_NE(h.find("SameSite=Strict"), std::string::npos);
  const std::string cookie = m[1];
  EXPECT_EQ(get("/ccp/index.html", "", "", nullptr, cookie), 200) << "session without Basic";
  EXPECT_EQ(get("/ccp/admin/", "", "", nullptr, cookie), 403) << "blocklist applies to sessions";
  EXPECT_EQ(get("/ccp/index.html", "", "", nullptr, "ccsec_authd=" + std::string(64, 'a')), 401);
  EXPECT_EQ(get("/ccp/index.html", "", "", nullptr, "ccsec_authd=zz"), 401);
  // No session for a denied user.
  ASSERT_EQ(get("/ccp/index.html", "bob", "pw-bob", &h), 403);
  EXPECT_EQ(h.find("ccsec_authd="), std::string::npos);
}

TEST_F(AuthdNginx, DirectoryDownFailsClosedThenRecovers) {
  ASSERT_EQ(get("/ccp/index.html", "alice", "pw-alice"), 200);
  lab_->stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // cache TTL 1 s
  EXPECT_EQ(get("/ccp/index.html", "alice", "pw-alice"), 503);
  EXPECT_EQ(get("/ccp/index.html", "bob", "pw-bob"), 503);
  ASSERT_TRUE(lab_->start());
  EXPECT_TRUE(waitFor([&] { return get("/ccp/index.html", "alice", "pw-alice") == 200; },
                      std::chrono::seconds(5)));
  EXPECT_EQ(get("/ccp/index.html", "bob", "pw-bob"), 403);
}

TEST_F(AuthdNginx, ThrottlesGuessingBeforeTheDirectory) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get("/ccp/index.html", "alice", "guess"), 401);
  // The right password is not even tried now: throttled, 401, directory untouched.
  EXPECT_EQ(get("/ccp/index.html", "alice", "pw-alice"), 401);
  const std::string metrics =
      run("curl -s http://127.0.0.1:" + std::to_string(authd_port_) + "/metrics");
  EXPECT_NE(metrics.find("ccsec_authd_decisions_total{verdict=\"throttled\"} 1"), std::string::npos)
      << metrics;
  // Other users are not affected.
  EXPECT_EQ(get("/ccp/index.html", "carol", "pw-carol"), 200);
}

TEST_F(AuthdNginx, SighupReloadsRules) {
  ASSERT_EQ(get("/ccp/index.html", "alice", "pw-alice"), 200);
  ASSERT_EQ(get("/ccp/index.html", "dave", "pw-dave"), 403);
  writeConfig(lab_->ldapsUrl(), "cn=ccp-admins,ou=groups,dc=lab,dc=example,dc=com", false);
  ::kill(authd_->pid(), SIGHUP);
  ASSERT_TRUE(
      waitFor([&] { return readFile(dir_ / "authd.log").find("reloaded") != std::string::npos; },
              std::chrono::seconds(5)));
  EXPECT_EQ(get("/ccp/index.html", "dave", "pw-dave"), 200);
  EXPECT_EQ(get("/ccp/index.html", "alice", "pw-alice"), 403);
  // A broken configuration is refused and the running one kept.
  std::ofstream(dir_ / "authd.yaml") << "listen: [\n";
  ::kill(authd_->pid(), SIGHUP);
  ASSERT_TRUE(waitFor(
      [&] { return readFile(dir_ / "authd.log").find("reload refused") != std::string::npos; },
      std::chrono::seconds(5)));
  EXPECT_EQ(get("/ccp/index.html", "dave", "pw-dave"), 200);
}

TEST_F(AuthdNginx, StartTlsWorksAndPlaintextIsRefusedAtStart) {
  // ldap:// with StartTLS is accepted and works.
  writeConfig(lab_->ldapUrl(), "cn=ccp-agents,ou=groups,dc=lab,dc=example,dc=com", true);
  std::filesystem::copy_file(dir_ / "authd.yaml", dir_ / "starttls.yaml");
  ::kill(authd_->pid(), SIGHUP);
  ASSERT_TRUE(
      waitFor([&] { return readFile(dir_ / "authd.log").find("reloaded") != std::string::npos; },
              std::chrono::seconds(5)));
  EXPECT_EQ(get("/ccp/index.html", "alice", "pw-alice"), 200);
  // ldap:// without StartTLS: refused, exit 2, before anything listens.
  writeConfig(lab_->ldapUrl(), "cn=ccp-agents,ou=groups,dc=lab,dc=example,dc=com", false);
  Process plain({CCSEC_BIN, "authd", "--config", (dir_ / "authd.yaml").string()},
                dir_ / "plain.log");
  EXPECT_EQ(plain.wait(std::chrono::seconds(10)), 2);
  EXPECT_NE(readFile(dir_ / "plain.log").find("refusing plaintext LDAP URL"), std::string::npos)
      << readFile(dir_ / "plain.log");
}

}  // namespace
}  // namespace ccsec

namespace ccsec {
namespace {

TEST(AuthdPrintConfig, FromInventory) {
  const std::string out = run(std::string(CCSEC_BIN) + " authd --inventory " + CCSEC_SOURCE_DIR +
                              "/examples/reference.yaml --print-config");
  EXPECT_NE(out.find("allowed_group: \"CN=CC-Agents,OU=Groups,DC=corp,DC=example,DC=com\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  - \"/admin/*\""), std::string::npos);
  EXPECT_NE(out.find("nested: in-chain"), std::string::npos);
  // The collaboration host's site (east) first.
  const auto east = out.find("ldaps://dc1-east"), west = out.find("ldaps://dc1-west");
  ASSERT_NE(east, std::string::npos);
  ASSERT_NE(west, std::string::npos);
  EXPECT_LT(east, west);
  EXPECT_EQ(out.find("ldap://"), std::string::npos);
  // An inventory without an allowed group (CCS-CCP-001) gives no configuration.
  EXPECT_NE(std::system((std::string(CCSEC_BIN) + " authd --inventory " + CCSEC_SOURCE_DIR +
                         "/examples/insecure.yaml --print-config >/dev/null 2>&1")
                            .c_str()),
            0);
}

}  // namespace
}  // namespace ccsec
