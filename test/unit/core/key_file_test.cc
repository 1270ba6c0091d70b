#include "core/key_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace ccsec::core {
namespace {

TEST(KeyFileMode, RefusesGroupOrOthersAccessAndNamesTheRemedy) {
  char tmpl[] = "/tmp/ccsec-keyfile-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::string key = dir + "/k.key";
  std::ofstream(key) << "x";
  namespace fs = std::filesystem;
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_TRUE(checkKeyFileMode(key).ok());
  fs::permissions(key, fs::perms::group_read, fs::perm_options::add);
  auto r = checkKeyFileMode(key, ", or else");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            key + " is accessible by group or others (mode 0640); chmod 600 " + key + ", or else");
  EXPECT_TRUE(checkKeyFileMode(dir + "/missing.key").ok());  // loading it reports that
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ccsec::core
