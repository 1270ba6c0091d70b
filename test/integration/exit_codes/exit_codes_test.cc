// exit_codes: the README's contract (0 clean, 1 findings at/above --fail-on, 2 usage or input
// error, 3 runtime failure) through the `ccsec` binary, one test per command family. Runtime
// failures are real: a port another socket holds, stdout on /dev/full, an output path under a
// regular file. Loopback only; every port is kernel-chosen.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "ccsec/paths.h"
#include "common/process.h"

namespace ccsec {
namespace {

namespace fs = std::filesystem;

struct Outcome {
  int rc = -1;
  std::string err;
};

// Runs ccsec ARGS from the source tree with stdout to `out` (default /dev/null); stderr captured.
Outcome ccsec(const std::vector<std::string>& args, const std::string& out = "/dev/null") {
  const fs::path err = fs::temp_directory_path() / ("ccsec-exit-" + std::to_string(::getpid()));
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int nul = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || nul < 0 || ::chdir(CCSEC_SOURCE_DIR) != 0) ::_exit(126);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::dup2(nul, 0);
    std::vector<std::string> argv{CCSEC_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(s.data());
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  Outcome r{WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), testing::readFile(err)};
  fs::remove(err);
  return r;
}

// A socket bound to 127.0.0.1 on a kernel-chosen port (listening when TCP), held for the test.
class HeldPort {
 public:
  explicit HeldPort(int type) {
    fd_ = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    if (type == SOCK_STREAM) {
      EXPECT_EQ(::listen(fd_, 1), 0);
    }
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~HeldPort() { ::close(fd_); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  std::string port() const { return std::to_string(port_); }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

class ExitCodes : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccsec-exit-codes-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "file") << "a regular file, not a directory\n";
    std::ofstream(dir_ / "broken.yaml") << "version: 1\ndeployment: {name: x, nmae: y}\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

constexpr const char* kDate = "--as-of=2026-11-28";

// Every verb that takes an inventory loads it through one helper: the same diagnostics, the same
// summary line, the same exit code.
TEST_F(ExitCodes, InventoryErrorsReadTheSameInEveryVerb) {
  const std::string bad = path("broken.yaml");
  const Outcome check = ccsec({"check", bad});
  ASSERT_EQ(check.rc, 2);
  EXPECT_NE(check.err.find("broken.yaml:2:"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("inventory rejected"), std::string::npos) << check.err;
  const std::vector<std::vector<std::string>> verbs{
      {"graph", bad},
      {"render", bad, "--out", path("out")},
      {"reach", bad, "--shadowed"},
      {"diff", bad, "examples/lab.yaml"},
      {"pki", "verify", bad},
      {"pki", "issue", "--dir", path("pki"), bad, "--all"},
      {"gateway", "--inventory", bad, "--host", "x"}};
  for (const auto& v : verbs) {
    const Outcome r = ccsec(v);
    EXPECT_EQ(r.rc, 2) << v[0];
    EXPECT_EQ(r.err, check.err) << v[0];
  }
}

TEST_F(ExitCodes, Check) {
  EXPECT_EQ(ccsec({"check", "examples/lab.yaml", kDate}).rc, 0);
  EXPECT_EQ(ccsec({"check", "examples/insecure.yaml", kDate}).rc, 1);
  EXPECT_EQ(ccsec({"check", path("broken.yaml")}).rc, 2);
  EXPECT_EQ(ccsec({"check", path("missing.yaml")}).rc, 2);
  EXPECT_EQ(ccsec({"check", "examples/lab.yaml", "--fail-on", "severe"}).rc, 2);
  const Outcome full = ccsec({"check", "examples/insecure.yaml", kDate}, "/dev/full");
  EXPECT_EQ(full.rc, 3) << full.err;
}

TEST_F(ExitCodes, Graph) {
  EXPECT_EQ(ccsec({"graph", "examples/lab.yaml"}).rc, 0);
  EXPECT_EQ(ccsec({"graph", path("broken.yaml")}).rc, 2);
  EXPECT_EQ(ccsec({"graph", "examples/lab.yaml", "--format", "svg"}).rc, 2);
  const Outcome full = ccsec({"graph", "examples/reference.yaml"}, "/dev/full");
  EXPECT_EQ(full.rc, 3) << full.err;
  EXPECT_NE(full.err.find("ccsec graph: cannot write"), std::string::npos) << full.err;
}

TEST_F(ExitCodes, Diff) {
  EXPECT_EQ(ccsec({"diff", "examples/insecure.yaml", "examples/lab.yaml", kDate}).rc, 0);
  EXPECT_EQ(ccsec({"diff", "examples/lab.yaml", "examples/insecure.yaml", kDate}).rc, 1);
  EXPECT_EQ(ccsec({"diff", "examples/lab.yaml", path("broken.yaml")}).rc, 2);
  const Outcome full =
      ccsec({"diff", "examples/lab.yaml", "examples/insecure.yaml", kDate}, "/dev/full");
  EXPECT_EQ(full.rc, 3) << full.err;
}

TEST_F(ExitCodes, RulesAndExplain) {
  EXPECT_EQ(ccsec({"rules"}).rc, 0);
  EXPECT_EQ(ccsec({"explain", "CCS-TLS-001"}).rc, 0);
  EXPECT_EQ(ccsec({"explain", "CCS-TLS-01"}).rc, 2);
  EXPECT_EQ(ccsec({"rules"}, "/dev/full").rc, 3);
  EXPECT_EQ(ccsec({"explain", "CCS-TLS-001"}, "/dev/full").rc, 3);
}

TEST_F(ExitCodes, Render) {
  EXPECT_EQ(
      ccsec({"render", "examples/lab.yaml", "--out", path("bundle"), "--target", "nftables"}).rc,
      0);
  EXPECT_EQ(ccsec({"render", path("broken.yaml"), "--out", path("b2")}).rc, 2);
  const Outcome unknown =
      ccsec({"render", "examples/lab.yaml", "--out", path("b3"), "--target", "pf"});
  EXPECT_EQ(unknown.rc, 2);
  EXPECT_NE(unknown.err.find("ccsec render: unknown target \"pf\""), std::string::npos)
      << unknown.err;
  const Outcome unwritable =
      ccsec({"render", "examples/lab.yaml", "--out", path("file/bundle"), "--target", "nftables"});
  EXPECT_EQ(unwritable.rc, 3) << unwritable.err;
}

TEST_F(ExitCodes, Reach) {
  const std::vector<std::string> denied{"reach", "examples/reference.yaml", "--from", "internet",
                                        "--to",  "cube-east:445/udp"};
  EXPECT_EQ(ccsec(denied).rc, 1);
  EXPECT_EQ(ccsec({"reach", "examples/reference.yaml", "--shadowed"}).rc, 0);
  const Outcome bad =
      ccsec({"reach", "examples/reference.yaml", "--from", "internet", "--to", "x"});
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.err.find("ccsec reach: --to \"x\""), std::string::npos) << bad.err;
  EXPECT_EQ(ccsec({"reach", path("broken.yaml"), "--shadowed"}).rc, 2);
  EXPECT_EQ(ccsec(denied, "/dev/full").rc, 3);
}

TEST_F(ExitCodes, Pki) {
  const std::string pki = path("pki");
  EXPECT_EQ(ccsec({"pki", "init", "--dir", pki}).rc, 0);
  EXPECT_EQ(ccsec({"pki", "init", "--dir", pki}).rc, 2);  // refuses to overwrite a CA
  EXPECT_EQ(ccsec({"pki", "init", "--dir", path("file/pki")}).rc, 3);
  EXPECT_EQ(ccsec({"pki", "issue", "--dir", pki, "examples/lab.yaml", "--all"}).rc, 0);
  EXPECT_EQ(ccsec({"pki", "issue", "--dir", pki, path("broken.yaml"), "--all"}).rc, 2);
  EXPECT_EQ(ccsec({"pki", "verify", path("broken.yaml"), "--dir", pki}).rc, 2);
  EXPECT_EQ(ccsec({"pki", "verify", "examples/lab.yaml", "--dir", path("nothing")}).rc, 2);
  const Outcome full = ccsec({"pki", "verify", "examples/lab.yaml", "--dir", pki}, "/dev/full");
  EXPECT_EQ(full.rc, 3) << full.err;
}

TEST_F(ExitCodes, GatewayStartFailures) {
  const std::string pki = path("pki");
  ASSERT_EQ(ccsec({"pki", "init", "--dir", pki}).rc, 0);
  ASSERT_EQ(ccsec({"pki", "issue", "--dir", pki, "--name", "gw", "--ip", "127.0.0.1"}).rc, 0);
  ASSERT_EQ(ccsec({"pki", "crl", "--dir", pki}).rc, 0);
  HeldPort held(SOCK_STREAM);
  const auto config = [&](const std::string& listen, const std::string& store) {
    const std::string file = path("gw-" + std::to_string(::rand()) + ".yaml");
    std::ofstream(file) << "listeners:\n  - name: cti\n    mode: server\n    listen: " << listen
                        << "\n    forward: 127.0.0.1:9\n    tls: {cert: " << pki
                        << "/hosts/gw.pem, key: " << pki << "/hosts/gw.key, ca: " << pki
                        << "/ca.pem, crl: " << pki << "/crl.pem, allowed_peers: [gw]}\n"
                        << "audit: {store: \"" << store << "\"}\n";
    return file;
  };
  const std::string store = "sqlite:" + path("audit.db");
  // Port in use: the environment, not the config.
  const Outcome in_use = ccsec({"gateway", "--config", config("127.0.0.1:" + held.port(), store)});
  EXPECT_EQ(in_use.rc, 3) << in_use.err;
  EXPECT_NE(in_use.err.find("already in use"), std::string::npos) << in_use.err;
  // An audit store that cannot be opened.
  const Outcome no_store =
      ccsec({"gateway", "--config", config("127.0.0.1:0", "sqlite:" + path("file/audit.db"))});
  EXPECT_EQ(no_store.rc, 3) << no_store.err;
  // Config that is missing, malformed, or names a certificate that does not exist: input.
  EXPECT_EQ(ccsec({"gateway", "--config", path("missing.yaml")}).rc, 2);
  EXPECT_EQ(ccsec({"gateway", "--config", path("broken.yaml")}).rc, 2);
  std::ofstream(path("nocert.yaml"))
      << "listeners:\n  - name: cti\n    mode: server\n    listen: 127.0.0.1:0\n"
      << "    forward: 127.0.0.1:9\n    tls: {cert: " << path("none.pem")
      << ", key: " << path("none.key") << ", ca: " << pki << "/ca.pem, allowed_peers: [gw]}\n"
      << "audit: {store: \"" << store << "\"}\n";
  EXPECT_EQ(ccsec({"gateway", "--config", path("nocert.yaml")}).rc, 2);
  EXPECT_EQ(ccsec({"gateway", "--inventory", path("broken.yaml"), "--host", "x"}).rc, 2);
}

TEST_F(ExitCodes, MediaStartFailures) {
  HeldPort held(SOCK_DGRAM);
  const Outcome in_use = ccsec({"media", "--listen-ng", "127.0.0.1:" + held.port(), "--port-min",
                                "41000", "--port-max", "41099"});
  EXPECT_EQ(in_use.rc, 3) << in_use.err;
  EXPECT_NE(in_use.err.find("--listen-ng: cannot bind"), std::string::npos) << in_use.err;
  EXPECT_EQ(ccsec({"media", "--config", path("missing.yaml")}).rc, 2);
  const Outcome threads = ccsec({"media", "--listen-ng", "127.0.0.1:0", "--num-threads", "65"});
  EXPECT_EQ(threads.rc, 2) << threads.err;
  EXPECT_EQ(ccsec({"media", "--listen-ng", "nowhere"}).rc, 2);
}

}  // namespace
}  // namespace ccsec
