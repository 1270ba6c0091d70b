#include "gateway/redact.h"

#include <gtest/gtest.h>

#include <string>

namespace ccsec::gateway {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Redact, ClassifiesReferenceTags) {
  for (int tag :
       {8, 9, 10, 11, 12, 13, 22, 25, 27, 28, 38, 46, 67, 77, 78, 82, 83, 95, 96, 137, 138, 215})
    EXPECT_TRUE(isPersonalDataTag(static_cast<std::uint16_t>(tag))) << tag;
  for (int tag : {2, 49}) EXPECT_TRUE(isCredentialTag(static_cast<std::uint16_t>(tag))) << tag;
  for (int tag : {1, 3, 7, 23, 24, 39, 100})
    EXPECT_FALSE(isSensitiveTag(static_cast<std::uint16_t>(tag))) << tag;
}

TEST(Redact, LookupTableMatchesTheClassification) {
  for (int t = 0; t < 70000; t += (t < 300 ? 1 : 997)) {
    auto tag = static_cast<std::uint16_t>(t);
    EXPECT_EQ(isSensitiveTag(tag), isPersonalDataTag(tag) || isCredentialTag(tag)) << t;
  }
}

TEST(Redact, SensitiveValuesNeverAppear) {
  std::string ani = "5551234567";
  std::string d = describeField(8, bytes(ani));
  EXPECT_EQ(d.find(ani), std::string::npos);
  EXPECT_NE(d.find("tag=8 len=10 hmac="), std::string::npos);
  std::string pw = "hunter2";
  std::string p = describeField(2, bytes(pw));
  EXPECT_EQ(p, "tag=2 len=7");
}

TEST(Redact, DigestIsStableWithinTheProcessAndKeyed) {
  std::string a = "4111111111111111";
  EXPECT_EQ(keyedDigest(bytes(a)), keyedDigest(bytes(a)));
  EXPECT_NE(keyedDigest(bytes(a)), keyedDigest(bytes(std::string("4111111111111112"))));
  EXPECT_EQ(keyedDigest(bytes(a)).size(), 16u);
}

TEST(Redact, NonSensitiveValuesAreEscaped) {
  std::string id = std::string("finesse\x01", 8);
  EXPECT_EQ(describeField(1, bytes(id)), "tag=1 len=8 value=finesse\\x01");
}

}  // namespace
}  // namespace ccsec::gateway
