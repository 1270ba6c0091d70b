#pragma once
// A private OpenLDAP server for tests: slapd from Debian, started in the foreground from a temp
// directory on random loopback ports (ldaps:// and ldap:// for StartTLS, plus ldapi:// for
// setup), TLS certificates issued by `ccsec pki`, the memberOf overlay (groups added through the
// running server so the overlay fills memberOf) and ppolicy (a locked account). Stopped by pid.
//
// Directory (suffix dc=lab,dc=example,dc=com; passwords are "pw-" + uid):
//   alice    in cn=ccp-agents
//   bob      in no group
//   carol    in cn=ccp-supervisors, which is nested in cn=ccp-agents
//   dave     in cn=ccp-admins (not in ccp-agents)
//   locked   in cn=ccp-agents, pwdAccountLockedTime set (the bind fails)
// Simple binds need TLS ("security simple_bind=128"), so a bind that succeeds went over TLS.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/process.h"

namespace ccsec::testing {

inline int freeTcpPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline bool tcpOpen(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

inline int runQuiet(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str());
}

class SlapdLab {
 public:
  static constexpr const char* kSuffix = "dc=lab,dc=example,dc=com";
  static bool available() { return std::filesystem::exists("/usr/sbin/slapd"); }

  /// `ccsec` is the binary used to issue the certificates; extra_ldif is added after start.
  /// `root_dse`: LDIF of extra root DSE attributes (slapd's rootDSE directive; they must be
  /// defined by extra_schema).
  explicit SlapdLab(const std::string& ccsec, const std::string& extra_schema = {},
                    const std::string& extra_ldif = {}, const std::string& root_dse = {}) {
    char tmpl[] = "/tmp/ccsec-slapd-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::filesystem::create_directories(dir_ / "db");
    ok_ = runQuiet(ccsec + " pki init --dir " + (dir_ / "pki").string()) == 0 &&
          runQuiet(ccsec + " pki issue --dir " + (dir_ / "pki").string() +
                   " --name localhost --dns localhost --ip 127.0.0.1") == 0;
    if (!ok_) return;
    ldaps_port_ = freeTcpPort();
    do ldap_port_ = freeTcpPort();
    while (ldap_port_ == ldaps_port_);
    writeConf(extra_schema, root_dse);
    writeBase();
    ok_ = runQuiet("/usr/sbin/slapadd -q -f " + (dir_ / "slapd.conf").string() + " -l " +
                   (dir_ / "base.ldif").string()) == 0;
    if (!ok_) return;
    ok_ = start();
    if (!ok_) return;
    writeGroups(extra_ldif);
    ok_ = runQuiet("ldapadd -x -D cn=admin," + std::string(kSuffix) + " -w admin-pw -H '" +
                   ldapiUrl() + "' -f " + (dir_ / "groups.ldif").string()) == 0;
  }
  ~SlapdLab() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  SlapdLab(const SlapdLab&) = delete;
  SlapdLab& operator=(const SlapdLab&) = delete;

  bool ok() const { return ok_; }
  bool start() {
    const std::string urls = "ldaps://127.0.0.1:" + std::to_string(ldaps_port_) +
                             "/ ldap://127.0.0.1:" + std::to_string(ldap_port_) + "/ " + ldapiUrl();
    proc_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/sbin/slapd", "-d", "0", "-f", (dir_ / "slapd.conf").string(),
                                 "-h", urls},
        dir_ / "slapd.log");
    return waitFor([&] { return tcpOpen(ldaps_port_) && tcpOpen(ldap_port_); },
                   std::chrono::seconds(10));
  }
  void stop() {
    if (proc_) proc_->stop();
    proc_.reset();
  }
  std::string ldapsUrl() const { return "ldaps://127.0.0.1:" + std::to_string(ldaps_port_); }
  std::string ldapUrl() const { return "ldap://127.0.0.1:" + std::to_string(ldap_port_); }
  std::string ldapiUrl() const {
    std::string p = (dir_ / "ldapi").string(), out = "ldapi://";
    for (char c : p) out += c == '/' ? std::string("%2F") : std::string(1, c);
    return out;
  }
  std::string caFile() const { return (dir_ / "pki" / "ca.pem").string(); }
  std::string dn(const std::string& rdn) const { return rdn + "," + kSuffix; }
  const std::filesystem::path& dir() const { return dir_; }
  /// Runs ldapmodify/ldapadd-style LDIF as the admin over ldapi.
  bool modify(const std::string& ldif) const {
    std::ofstream(dir_ / "mod.ldif") << ldif;
    return runQuiet("ldapmodify -x -D cn=admin," + std::string(kSuffix) + " -w admin-pw -H '" +
                    ldapiUrl() + "' -f " + (dir_ / "mod.ldif").string()) == 0;
  }

 private:
  void writeConf(const std::string& extra_schema, const std::string& root_dse) {
    const std::string d = dir_.string();
    std::ofstream c(dir_ / "slapd.conf");
    c << "include /etc/ldap/schema/core.schema\n"
         "include /etc/ldap/schema/cosine.schema\n"
         "include /etc/ldap/schema/inetorgperson.schema\n"
         "include /etc/ldap/schema/nis.schema\n";
    if (!extra_schema.empty()) {
      std::ofstream(dir_ / "extra.schema") << extra_schema;
      c << "include " << d << "/extra.schema\n";
    }
    c << "modulepath /usr/lib/ldap\nmoduleload back_mdb\nmoduleload memberof\nmoduleload ppolicy\n"
      << "pidfile " << d << "/slapd.pid\nargsfile " << d << "/slapd.args\n"
      << "sizelimit 1000\n";
    if (!root_dse.empty()) {
      std::ofstream(dir_ / "rootdse.ldif") << root_dse;
      c << "rootDSE " << d << "/rootdse.ldif\n";
    }
    c << "TLSCACertificateFile " << d << "/pki/ca.pem\n"
      << "TLSCertificateFile " << d << "/pki/hosts/localhost.pem\n"
      << "TLSCertificateKeyFile " << d << "/pki/hosts/localhost.key\n"
      << "TLSVerifyClient allow\n"
      << "security simple_bind=71\n"
      << "database mdb\nsuffix \"" << kSuffix << "\"\nrootdn \"cn=admin," << kSuffix
      << "\"\nrootpw admin-pw\ndirectory " << d << "/db\nmaxsize 67108864\n"
      << "index objectClass eq\nindex uid eq\nindex member eq\nindex memberOf eq\n"
      << "access to attrs=userPassword by anonymous auth by self write by * none\n"
      << "access to * by * read\n"
      << "overlay memberof\nmemberof-group-oc groupOfNames\nmemberof-member-ad member\n"
      << "memberof-memberof-ad memberOf\nmemberof-refint TRUE\n"
      << "overlay ppolicy\nppolicy_default \"cn=default,ou=policies," << kSuffix
      << "\"\nppolicy_use_lockout\n";
  }
  static std::string user(const std::string& uid, const std::string& extra = {}) {
    return "dn: uid=" + uid + ",ou=people," + kSuffix +
           "\nobjectClass: inetOrgPerson\nuid: " + uid + "\ncn: " + uid + "\nsn: " + uid +
           "\nuserPassword: pw-" + uid + "\n" + extra + "\n";
  }
  void writeBase() {
    std::ofstream b(dir_ / "base.ldif");
    b << "dn: " << kSuffix
      << "\nobjectClass: dcObject\nobjectClass: organization\ndc: lab\no: lab\n\n";
    for (const char* ou : {"people", "groups", "policies", "services", "computers"})
      b << "dn: ou=" << ou << "," << kSuffix << "\nobjectClass: organizationalUnit\nou: " << ou
        << "\n\n";
    b << "dn: cn=default,ou=policies," << kSuffix
      << "\nobjectClass: organizationalRole\nobjectClass: pwdPolicy\ncn: default\n"
         "pwdAttribute: userPassword\npwdLockout: TRUE\npwdMaxFailure: 0\n\n";
    for (const char* u : {"alice", "bob", "carol", "dave"}) b << user(u);
    b << user("locked", "pwdAccountLockedTime: 000001010000Z\n");
  }
  void writeGroups(const std::string& extra_ldif) {
    const std::string p = std::string(",ou=people,") + kSuffix;
    const std::string g = std::string(",ou=groups,") + kSuffix;
    std::ofstream f(dir_ / "groups.ldif");
    f << "dn: cn=ccp-supervisors" << g << "\nobjectClass: groupOfNames\ncn: ccp-supervisors\n"
      << "member: uid=carol" << p << "\n\n";
    f << "dn: cn=ccp-agents" << g << "\nobjectClass: groupOfNames\ncn: ccp-agents\n"
      << "member: uid=alice" << p << "\nmember: uid=locked" << p << "\nmember: cn=ccp-supervisors"
      << g << "\n\n";
    f << "dn: cn=ccp-admins" << g << "\nobjectClass: groupOfNames\ncn: ccp-admins\n"
      << "member: uid=dave" << p << "\n\n";
    f << extra_ldif;
  }

  std::filesystem::path dir_;
  int ldaps_port_ = 0, ldap_port_ = 0;
  bool ok_ = false;
  std::unique_ptr<Process> proc_;
};

}  // namespace ccsec::testing
