#include "core/hex.h"

#include <gtest/gtest.h>

#include <array>

namespace ccsec::core {
namespace {

TEST(Hex, LowerCaseTwoDigitsPerByte) {
  const std::array<std::uint8_t, 4> b{0x00, 0x0f, 0xa0, 0xff};
  EXPECT_EQ(hexLower(b), "000fa0ff");
  EXPECT_EQ(hexLower({}), "");
}

}  // namespace
}  // namespace ccsec::core
