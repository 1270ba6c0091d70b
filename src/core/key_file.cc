#include "core/key_file.h"

#include <sys/stat.h>

#include <cstdio>

namespace ccsec::core {

Result<void> checkKeyFileMode(const std::string& path, std::string_view remedy) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    return makeError(path + " is accessible by group or others (mode " + mode + "); chmod 600 " +
                     path + std::string(remedy));
  }
  return {};
}

}  // namespace ccsec::core
