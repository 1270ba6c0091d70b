#include "core/subprocess.h"

#include <gtest/gtest.h>

#include <chrono>

namespace ccsec::core {
namespace {

TEST(RunFilter, PassesInputThroughAndReturnsStdout) {
  std::string big(3u << 20, 'x');  // larger than a pipe buffer both ways
  auto r = runFilter({"cat"}, big);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, big);
  auto e = runFilter({"printf", "%s", "no input"}, "");
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, "no input");
}

TEST(RunFilter, FailuresAreRuntimeErrorsNamingTheProgram) {
  auto missing = runFilter({"ccsec-no-such-program"}, "");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().isRuntime());
  auto status = runFilter({"sh", "-c", "echo broken >&2; exit 3"}, "");
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().message.find("status 3: broken"), std::string::npos)
      << status.error().message;
  // Exits without reading its input: no SIGPIPE for us.
  auto early = runFilter({"true"}, std::string(1u << 20, 'y'));
  EXPECT_TRUE(early) << early.error().message;
}

TEST(RunFilter, TimeoutAndOutputLimitKillTheChild) {
  const auto t0 = std::chrono::steady_clock::now();
  FilterLimits slow;
  slow.timeout = std::chrono::milliseconds(200);
  auto r = runFilter({"sleep", "10"}, "", slow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("did not finish within 200 ms"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  FilterLimits small;
  small.max_output = 1000;
  auto big = runFilter({"cat"}, std::string(100000, 'z'), small);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("more than 1000 bytes"), std::string::npos);
}

}  // namespace
}  // namespace ccsec::core
