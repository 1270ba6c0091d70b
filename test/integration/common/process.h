#pragma once
// Helpers for integration tests that run real binaries: a child process in its own process group
// (stdout+stderr to a log file, stopped by its id), file reading and polling for a condition.
//
// A spawned process dies with the test: the destructor stops its whole process group, and when
// the test process dies without running destructors (a crash, an abort, SIGKILL from a ctest
// timeout) the kernel sends the child SIGKILL (PR_SET_PDEATHSIG), so no slapd, haproxy or
// kamailio outlives a failed run. The death signal is tied to the thread that forked: create
// a Process on a thread that outlives it (the test's main thread). A daemon that forks again
// must be run in the foreground (its own children do not inherit the death signal).
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ccsec::testing {

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

class Process {
 public:
  Process(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Die with the test; if it died before this line, do not start at all.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      const int nul = ::open("/dev/null", O_RDONLY);
      ::dup2(nul, 0);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::setpgid(0, 0);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Process() { stop(); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  /// Waits for exit; returns the exit status or -1 on timeout.
  int wait(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return status_;
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    if (wait(std::chrono::seconds(5)) == -1) {
      ::kill(-pid_, SIGKILL);
      wait(std::chrono::seconds(5));
    }
  }
  /// SIGTERM to the process itself only; returns its exit status (-1 if it did not stop).
  int terminate() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    return wait(std::chrono::seconds(10));
  }
  bool running() {
    if (pid_ <= 0) return false;
    int st = 0;
    return ::waitpid(pid_, &st, WNOHANG) == 0;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

}  // namespace ccsec::testing

namespace ccsec::testing {

/// What a finished command left: exit status, stdout and stderr.
struct Ran {
  int rc = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` to completion in `cwd` with stdout and stderr captured (through files in `tmp`)
/// and `env` ("NAME=value", added to or replacing the inherited environment).
inline Ran runCaptured(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                       const std::filesystem::path& tmp, const std::vector<std::string>& env = {}) {
  static int seq = 0;
  const auto tag = std::to_string(::getpid()) + "-" + std::to_string(seq++);
  const auto out = tmp / ("run-" + tag + ".out");
  const auto err = tmp / ("run-" + tag + ".err");
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int nul = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || nul < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::dup2(nul, 0);
    for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execvp(a[0], a.data());
    ::_exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  Ran r{WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), readFile(out), readFile(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace ccsec::testing
