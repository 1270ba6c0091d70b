// core::ServiceNotifier: silent without a service manager; one message per call with one; the
// watchdog pinged at most once per half interval; STATUS kept to one line.
#include "core/service_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using ccsec::core::ServiceNotifier;

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

struct Listener {
  int fd = -1;
  std::string path;
  Listener() {
    path = "/tmp/ccsec-notify-unit-" + std::to_string(::getpid());
    ::unlink(path.c_str());
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  ~Listener() {
    ::close(fd);
    ::unlink(path.c_str());
  }
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    std::array<char, 2048> buf{};
    for (ssize_t n; (n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT)) > 0;)
      out.emplace_back(buf.data(), static_cast<size_t>(n));
    return out;
  }
};

}  // namespace

TEST(ServiceNotifier, SilentWithoutAManager) {
  ::unsetenv("NOTIFY_SOCKET");
  ServiceNotifier n;
  EXPECT_FALSE(n.enabled());
  EXPECT_EQ(n.watchdogInterval().count(), 0);
  n.ready("x");
  n.watchdogTick();
  n.stopping();
}

TEST(ServiceNotifier, SendsStateTransitionsAndOneLineStatus) {
  Listener l;
  ScopedEnv sock("NOTIFY_SOCKET", l.path);
  ServiceNotifier n;
  ASSERT_TRUE(n.enabled());
  n.ready("up\nINJECTED=1");
  n.reloading();
  n.stopping();
  const auto m = l.messages();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0], "READY=1\nSTATUS=up INJECTED=1");
  EXPECT_EQ(m[1].rfind("RELOADING=1", 0), 0u);
  EXPECT_EQ(m[2].rfind("STOPPING=1", 0), 0u);
}

TEST(ServiceNotifier, WatchdogPingedOncePerHalfInterval) {
  Listener l;
  ScopedEnv sock("NOTIFY_SOCKET", l.path);
  ScopedEnv wd("WATCHDOG_USEC", "200000");
  ServiceNotifier n;
  EXPECT_EQ(n.watchdogInterval().count(), 200000);
  n.ready("up");
  for (int i = 0; i < 50; ++i) n.watchdogTick();  // immediately after READY: nothing due
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  for (int i = 0; i < 50; ++i) n.watchdogTick();  // due once
  const auto m = l.messages();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1], "WATCHDOG=1");
}
