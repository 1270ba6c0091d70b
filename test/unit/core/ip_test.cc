#include "core/ip.h"

#include <gtest/gtest.h>

using ccsec::core::Cidr;
using ccsec::core::IpAddress;

TEST(IpAddress, ParsesV4AndV6) {
  EXPECT_EQ(IpAddress::parse("10.1.2.3")->str(), "10.1.2.3");
  EXPECT_TRUE(IpAddress::parse("2001:db8::1")->isV6());
  EXPECT_FALSE(IpAddress::parse("10.1.2"));
  EXPECT_FALSE(IpAddress::parse("10.1.2.256"));
  EXPECT_FALSE(IpAddress::parse("host.example"));
}

TEST(Cidr, ContainsAndRejectsHostBits) {
  auto c = Cidr::parse("10.10.0.0/16");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains(*IpAddress::parse("10.10.200.1")));
  EXPECT_FALSE(c->contains(*IpAddress::parse("10.11.0.1")));
  EXPECT_FALSE(c->contains(*IpAddress::parse("::1")));
  EXPECT_FALSE(Cidr::parse("10.10.1.0/8"));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33"));
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(*IpAddress::parse("203.0.113.9")));
  EXPECT_EQ(Cidr::parse("10.1.2.3")->prefix(), 32);
  EXPECT_TRUE(Cidr::parse("10.0.0.0/8")->contains(*Cidr::parse("10.10.0.0/16")));
}
