#pragma once
// File helpers for the PKI directory: atomic writes with an explicit mode, exclusive creation of
// key files, and an advisory lock that serialises mutating operations on one directory.
//
// Contract: a file written with writeFileAtomic() is created with open(O_CREAT|O_EXCL, mode) and
// fchmod(mode) under a temporary name before any byte is written, then renamed over `path`, so
// readers see either the old or the new content and a 0600 key is never readable by others, not
// even briefly. Not thread-safe on the same path; DirectoryLock serialises processes.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/unique_fd.h"

namespace ccsec::pki {

inline constexpr mode_t kKeyMode = 0600;
inline constexpr mode_t kPublicMode = 0644;

/// Writes `data` to `path` via a temporary file in the same directory, then rename(2).
/// With `exclusive`, fails if `path` already exists.
core::Result<void> writeFileAtomic(const std::string& path, std::string_view data, mode_t mode,
                                   bool exclusive = false);
/// Reads a whole file (limit: 16 MiB).
core::Result<std::string> readFile(const std::string& path);
bool fileExists(const std::string& path);
/// mkdir -p with `mode` for created directories.
core::Result<void> makeDirectories(const std::string& path, mode_t mode);

/// An exclusive flock(2) on DIR/.lock, held for the object's lifetime.
class DirectoryLock {
 public:
  static core::Result<DirectoryLock> acquire(const std::string& dir);
  DirectoryLock(DirectoryLock&&) noexcept = default;
  DirectoryLock& operator=(DirectoryLock&&) = delete;
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  ~DirectoryLock() = default;  // closing the descriptor releases the flock

 private:
  explicit DirectoryLock(core::UniqueFd fd) : fd_(std::move(fd)) {}
  core::UniqueFd fd_;
};

}  // namespace ccsec::pki
