// process.h: a process a test spawns does not outlive the test, even when the test process is
// killed without running destructors (what a crash or a ctest timeout does).
#include "common/process.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>

namespace ccsec::testing {
namespace {

std::string commOf(pid_t pid) {
  std::string comm = readFile("/proc/" + std::to_string(pid) + "/comm");
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  return comm;
}

TEST(Process, ChildDiesWhenItsParentIsKilled) {
  // Orphans are re-parented to this process, so it can reap the grandchild and see its end.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t parent = ::fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {  // the "test process": spawns a child, then waits to be killed
    ::close(fds[0]);
    Process child({"sleep", "60"}, "/dev/null");
    const pid_t pid = child.pid();
    if (::write(fds[1], &pid, sizeof pid) != static_cast<ssize_t>(sizeof pid)) ::_exit(1);
    for (;;) ::pause();
  }
  ::close(fds[1]);
  pid_t child = 0;
  ASSERT_EQ(::read(fds[0], &child, sizeof child), static_cast<ssize_t>(sizeof child));
  ::close(fds[0]);
  ASSERT_GT(child, 0);
  // The child runs `sleep` (it has passed the death-signal setup) before its parent is killed.
  ASSERT_TRUE(waitFor([child] { return commOf(child) == "sleep"; }, std::chrono::seconds(10)));
  ASSERT_EQ(::kill(parent, SIGKILL), 0);
  int st = 0;
  ASSERT_EQ(::waitpid(parent, &st, 0), parent);
  // The orphaned child must end at once, killed by SIGKILL (not after its 60 s sleep).
  pid_t reaped = 0;
  EXPECT_TRUE(waitFor(
      [&] {
        reaped = ::waitpid(child, &st, WNOHANG);
        return reaped == child;
      },
      std::chrono::seconds(5)));
  if (reaped != child) {
    ::kill(child, SIGKILL);  // do not leave it behind on failure
    ::waitpid(child, &st, 0);
    FAIL() << "the child outlived its killed parent";
  }
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGKILL);
}

TEST(Process, DestructorStopsTheChild) {
  pid_t pid = 0;
  {
    Process p({"sleep", "60"}, "/dev/null");
    pid = p.pid();
    ASSERT_TRUE(p.running());
  }
  EXPECT_NE(::kill(pid, 0), 0);  // reaped by stop(): the pid no longer exists
}

}  // namespace
}  // namespace ccsec::testing
