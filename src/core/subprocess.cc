#include "core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/unique_fd.h"

extern char** environ;

namespace ccsec::core {

namespace {

bool makePipe(UniqueFd& r, UniqueFd& w) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  r.reset(fds[0]);
  w.reset(fds[1]);
  return true;
}

std::string firstLine(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

}  // namespace

Result<std::string> runFilter(const std::vector<std::string>& argv, std::string_view input,
                              const FilterLimits& limits) {
  if (argv.empty()) return makeError("runFilter: empty argv");
  const std::string& prog = argv[0];
  UniqueFd in_r, in_w, out_r, out_w, err_r, err_w;
  if (!makePipe(in_r, in_w) || !makePipe(out_r, out_w) || !makePipe(err_r, err_w))
    return runtimeError("cannot run " + prog + ": pipe: " + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&fa, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, err_w.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, prog.c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return runtimeError("cannot run " + prog + ": " + std::strerror(rc));
  in_r.reset();
  out_w.reset();
  err_w.reset();
  for (UniqueFd* fd : {&in_w, &out_r, &err_r}) ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);

  // A child that exits before reading all its input must not kill us with SIGPIPE: block it in
  // this thread for the exchange (write then fails with EPIPE) and drop a pending one afterwards.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
  std::string out, err;
  std::size_t written = 0;
  if (input.empty()) in_w.reset();
  const auto deadline = std::chrono::steady_clock::now() + limits.timeout;
  std::string failure;
  char buf[65536];
  while (out_r || err_r) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      failure = prog + " did not finish within " + std::to_string(limits.timeout.count()) + " ms";
      break;
    }
    pollfd p[3];
    nfds_t n = 0;
    if (in_w) p[n++] = {in_w.get(), POLLOUT, 0};
    if (out_r) p[n++] = {out_r.get(), POLLIN, 0};
    if (err_r) p[n++] = {err_r.get(), POLLIN, 0};
    if (::poll(p, n, static_cast<int>(left.count())) < 0) {
      if (errno == EINTR) continue;
      failure = std::string("poll: ") + std::strerror(errno);
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (p[i].revents == 0) continue;
      if (in_w && p[i].fd == in_w.get()) {
        const ssize_t w = ::write(in_w.get(), input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN) || written == input.size()) in_w.reset();
      } else {
        const bool is_out = out_r && p[i].fd == out_r.get();
        UniqueFd& fd = is_out ? out_r : err_r;
        const ssize_t r = ::read(fd.get(), buf, sizeof buf);
        if (r > 0) {
          std::string& dst = is_out ? out : err;
          if (is_out || dst.size() < 4096) dst.append(buf, static_cast<std::size_t>(r));
        } else if (r == 0 || errno != EAGAIN) {
          fd.reset();
        }
      }
    }
    if (out.size() > limits.max_output) {
      failure = prog + " wrote more than " + std::to_string(limits.max_output) + " bytes";
      break;
    }
  }
  in_w.reset();
  out_r.reset();
  err_r.reset();
  sigset_t pending;
  sigpending(&pending);
  if (sigismember(&pending, SIGPIPE) == 1 && sigismember(&old_set, SIGPIPE) == 0) {
    const timespec zero{0, 0};
    (void)sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  if (!failure.empty()) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!failure.empty()) return runtimeError(failure);
  if (WIFSIGNALED(status))
    return runtimeError(prog + " was killed by signal " + std::to_string(WTERMSIG(status)));
  if (WEXITSTATUS(status) != 0)
    return runtimeError(prog + " exited with status " + std::to_string(WEXITSTATUS(status)) +
                        (err.empty() ? std::string() : ": " + firstLine(err)));
  return out;
}

}  // namespace ccsec::core
