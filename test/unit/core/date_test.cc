#include "core/date.h"

#include <gtest/gtest.h>

using ccsec::core::Date;

TEST(Date, ParsesAndFormatsRoundTrip) {
  auto d = Date::parse("2026-11-01");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->str(), "2026-11-01");
  EXPECT_EQ(Date::parse("1970-01-01")->days(), 0);
}

TEST(Date, RejectsInvalidDates) {
  EXPECT_FALSE(Date::parse("2026-02-30"));
  EXPECT_FALSE(Date::parse("2026-13-01"));
  EXPECT_FALSE(Date::parse("2026-1-01"));
  EXPECT_FALSE(Date::parse("yesterday"));
  EXPECT_FALSE(Date::parse(""));
}

TEST(Date, DifferenceIsInDays) {
  EXPECT_EQ(*Date::parse("2026-03-01") - *Date::parse("2026-02-28"), 1);
  EXPECT_EQ(*Date::parse("2024-03-01") - *Date::parse("2024-02-28"), 2);  // leap year
  EXPECT_EQ(Date::parse("2026-11-01")->plusDays(30).str(), "2026-12-01");
}
