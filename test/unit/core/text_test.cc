#include "core/text.h"

#include <gtest/gtest.h>

using namespace ccsec::core;

TEST(Text, EditDistance) {
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(editDistance("", "abc"), 3u);
  EXPECT_EQ(editDistance("same", "same"), 0u);
}

TEST(Text, ClosestMatchSuggestsOnlyPlausibleTypos) {
  std::vector<std::string> keys{"security_model", "tls_min_version", "instance", "name"};
  EXPECT_EQ(closestMatch("securty_model", keys), "security_model");
  EXPECT_EQ(closestMatch("instnace", keys), "instance");
  EXPECT_EQ(closestMatch("completely_different", keys), "");
}
