#include "pki/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ccsec::pki {
namespace {

constexpr std::size_t kMaxReadBytes = 16u * 1024u * 1024u;

std::string errnoText() { return std::strerror(errno); }

}  // namespace

core::Result<void> writeFileAtomic(const std::string& path, std::string_view data, mode_t mode,
                                   bool exclusive) {
  if (exclusive && fileExists(path)) return core::makeError(path + ": already exists");
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());  // a stale temporary from a crashed run of this pid
  core::UniqueFd fd(
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (fd.get() < 0) return core::runtimeError("cannot create " + tmp + ": " + errnoText());
  if (::fchmod(fd.get(), mode) != 0) {
    ::unlink(tmp.c_str());
    return core::runtimeError("cannot set mode of " + tmp + ": " + errnoText());
  }
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::unlink(tmp.c_str());
      return core::runtimeError("cannot write " + tmp + ": " + errnoText());
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
    ::unlink(tmp.c_str());
    return core::runtimeError("cannot flush " + tmp + ": " + errnoText());
  }
  if (exclusive) {
    // link(2) fails with EEXIST instead of replacing: no window where a concurrent file is lost.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      std::string why = errnoText();
      ::unlink(tmp.c_str());
      return core::makeError("cannot create " + path + ": " + why);
    }
    ::unlink(tmp.c_str());
    return {};
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = errnoText();
    ::unlink(tmp.c_str());
    return core::runtimeError("cannot replace " + path + ": " + why);
  }
  return {};
}

core::Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::makeError("cannot read " + path + ": " + errnoText());
  std::ostringstream out;
  out << in.rdbuf();
  std::string s = std::move(out).str();
  if (s.size() > kMaxReadBytes) return core::makeError(path + ": larger than 16 MiB");
  return s;
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

core::Result<void> makeDirectories(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::path p(path);
  std::filesystem::path cur;
  for (const auto& part : p) {
    cur /= part;
    if (cur.empty() || std::filesystem::exists(cur, ec)) continue;
    if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST)
      return core::runtimeError("cannot create directory " + cur.string() + ": " + errnoText());
  }
  if (!std::filesystem::is_directory(p, ec)) return core::makeError(path + ": not a directory");
  return {};
}

core::Result<DirectoryLock> DirectoryLock::acquire(const std::string& dir) {
  const std::string path = dir + "/.lock";
  core::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) return core::runtimeError("cannot open lock " + path + ": " + errnoText());
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    return core::runtimeError("cannot lock " + path + ": " + errnoText());
  }
  return DirectoryLock(std::move(fd));
}

}  // namespace ccsec::pki
