// The shipped systemd units and the service-manager protocol of the daemons.
//  - every unit under packaging/systemd passes `systemd-analyze verify` and scores an exposure
//    of at most 2.0 in `systemd-analyze security --offline` (the scores are printed);
//  - `ccsec media` run with NOTIFY_SOCKET/WATCHDOG_USEC sends READY=1, keeps the watchdog alive
//    from its control loop and sends STOPPING=1 on SIGTERM, read from a socket the test owns;
//  - `--log-format json` gives one JSON object per line with time, level, component, message.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "ccsec/paths.h"
#include "common/process.h"

namespace fs = std::filesystem;
using ccsec::testing::Process;

namespace {

struct Output {
  int status = -1;
  std::string text;
};

Output run(const std::string& cmd) {
  Output out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.text.append(buf.data(), n);
  const int st = ::pclose(p);
  out.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

fs::path tempDir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// The units as shipped, with ExecStart pointed at this build's binary so `verify` can check it.
std::vector<fs::path> unitsForVerify(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(CCSEC_SOURCE_DIR) / "packaging/systemd")) {
    if (e.path().extension() != ".service") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text = std::regex_replace(text, std::regex("/usr/bin/ccsec"), CCSEC_BIN);
    std::string name = e.path().filename().string();
    if (const auto at = name.find("@."); at != std::string::npos) name.insert(at + 1, "test");
    std::ofstream(dir / name) << text;
    out.push_back(dir / name);
  }
  return out;
}

bool haveAnalyze() { return run("command -v systemd-analyze").status == 0; }

}  // namespace

TEST(SystemdUnits, VerifyCleanAndExposureAtMostTwo) {
  if (!haveAnalyze()) GTEST_SKIP() << "systemd-analyze not installed";
  const fs::path dir = tempDir("ccsec-units");
  const auto units = unitsForVerify(dir);
  ASSERT_GE(units.size(), 2u);
  for (const auto& u : units) {
    const Output v = run("cd " + dir.string() + " && systemd-analyze verify --man=no ./" +
                         u.filename().string());
    EXPECT_EQ(v.status, 0) << u << ":\n" << v.text;
    EXPECT_EQ(v.text.find(u.filename().string() + ":"), std::string::npos) << v.text;
    const Output s = run("cd " + dir.string() + " && systemd-analyze security --offline=true ./" +
                         u.filename().string());
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(s.text, m, std::regex("Overall exposure level for [^:]+: ([0-9.]+)")))
        << s.text;
    const double score = std::stod(m[1].str());
    std::printf("systemd-analyze security %s: exposure %.1f\n", u.filename().c_str(), score);
    EXPECT_LE(score, 2.0) << s.text;
  }
  fs::remove_all(dir);
}

namespace {

// A NOTIFY_SOCKET the test listens on; collects the daemon's messages.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    fs::remove(path);
    ok_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{0, 100 * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() {
    ::close(fd_);
    fs::remove(path_);
  }
  bool ok() const { return ok_; }
  // Reads messages until `pred` holds for the concatenated log or the timeout passes.
  bool waitFor(const std::string& needle, int count, std::chrono::milliseconds timeout) {
    return ccsec::testing::waitFor(
        [&] {
          drain();
          return occurrences(needle) >= count;
        },
        timeout);
  }
  int occurrences(const std::string& needle) const {
    int n = 0;
    for (size_t at = log_.find(needle); at != std::string::npos; at = log_.find(needle, at + 1))
      ++n;
    return n;
  }
  const std::string& log() const { return log_; }

 private:
  void drain() {
    std::array<char, 4096> buf{};
    for (;;) {
      const ssize_t n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
      if (n <= 0) return;
      log_.append(buf.data(), static_cast<size_t>(n));
      log_.push_back('\n');
    }
  }
  fs::path path_;
  int fd_ = -1;
  bool ok_ = false;
  std::string log_;
};

}  // namespace

TEST(SystemdNotify, MediaReadyWatchdogStopping) {
  const fs::path dir = tempDir("ccsec-notify-media");
  NotifySocket sock(dir / "notify.sock");
  ASSERT_TRUE(sock.ok());
  ::setenv("NOTIFY_SOCKET", (dir / "notify.sock").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "300000", 1);
  Process media({CCSEC_BIN, "media", "--interface", "127.0.0.1", "--listen-ng", "127.0.0.1:0",
                 "--port-min", "47000", "--port-max", "47099"},
                dir / "media.log");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ASSERT_TRUE(sock.waitFor("READY=1", 1, std::chrono::seconds(10)))
      << sock.log() << ccsec::testing::readFile(dir / "media.log");
  EXPECT_NE(sock.log().find("STATUS=ccsec media ready"), std::string::npos) << sock.log();
  // 300 ms interval, pinged at half of it: at least 3 pings within a second and a half.
  EXPECT_TRUE(sock.waitFor("WATCHDOG=1", 3, std::chrono::milliseconds(1500))) << sock.log();
  EXPECT_EQ(media.terminate(), 0);
  EXPECT_TRUE(sock.waitFor("STOPPING=1", 1, std::chrono::seconds(2))) << sock.log();
  fs::remove_all(dir);
}

TEST(LogFormat, JsonLinesFromTheBinary) {
  const fs::path dir = tempDir("ccsec-logjson");
  // ng on a non-loopback address without --ng-allow: the daemon warns at start.
  Process media({CCSEC_BIN, "--log-format", "json", "media", "--interface", "127.0.0.1",
                 "--listen-ng", "0.0.0.0:0", "--port-min", "47100", "--port-max", "47199"},
                dir / "media.log");
  ASSERT_TRUE(ccsec::testing::waitFor(
      [&] {
        return ccsec::testing::readFile(dir / "media.log").find("ready") != std::string::npos;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(media.terminate(), 0);
  std::istringstream in(ccsec::testing::readFile(dir / "media.log"));
  int objects = 0;
  bool warned = false;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    const auto j = nlohmann::json::parse(line);  // every such line is one whole object
    ++objects;
    for (const char* key : {"time", "level", "component", "message"})
      EXPECT_TRUE(j.contains(key)) << line;
    if (j["level"] == "warning" && j["component"] == "media" &&
        j["message"].get<std::string>().find("--ng-allow") != std::string::npos)
      warned = true;
  }
  EXPECT_GE(objects, 1);
  EXPECT_TRUE(warned) << ccsec::testing::readFile(dir / "media.log");
  fs::remove_all(dir);
}

// journald's native protocol is datagrams of FIELD=value lines on /run/systemd/journal/socket.
// Without a running journald (CI containers) the test owns that socket and reads the fields.
TEST(LogFormat, JournaldNativeFields) {
  const fs::path jsock = "/run/systemd/journal/socket";
  if (fs::exists(jsock))
    GTEST_SKIP() << "a journald is running here; its socket is not ours to take";
  std::error_code ec;
  fs::create_directories(jsock.parent_path(), ec);
  if (ec) GTEST_SKIP() << "cannot create " << jsock.parent_path() << ": " << ec.message();
  NotifySocket journal(jsock);  // the same datagram listener serves
  ASSERT_TRUE(journal.ok());
  const fs::path dir = tempDir("ccsec-journald");
  Process media({CCSEC_BIN, "media", "--log-format", "journald", "--interface", "127.0.0.1",
                 "--listen-ng", "0.0.0.0:0", "--port-min", "47200", "--port-max", "47299"},
                dir / "media.log");
  // The warning comes after the packet-path line: wait for it, not for the first message.
  EXPECT_TRUE(journal.waitFor("--ng-allow", 1, std::chrono::seconds(10)))
      << journal.log() << ccsec::testing::readFile(dir / "media.log");
  EXPECT_EQ(media.terminate(), 0);
  EXPECT_NE(journal.log().find("SYSLOG_IDENTIFIER=ccsec"), std::string::npos) << journal.log();
  EXPECT_NE(journal.log().find("PRIORITY=4"), std::string::npos) << journal.log();
  EXPECT_NE(journal.log().find("--ng-allow"), std::string::npos) << journal.log();
  fs::remove_all(dir);
}
