#include "gateway/ged188.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "ged188_builder.h"

namespace ccsec::gateway::ged188 {
namespace {

using testing::FrameBuilder;
namespace t = ccsec::gateway::testing;

struct Counter : FrameObserver {
  std::map<std::uint32_t, int> types;
  void onFrames(std::uint32_t type, std::uint64_t n) override {
    types[type] += static_cast<int>(n);
  }
};

std::vector<std::uint8_t> session() {
  std::vector<std::uint8_t> all;
  for (const auto& f :
       {t::openReq("finesse-a", "s3cret"), t::openConf(), t::heartbeatReq(7), t::heartbeatConf(7),
        t::callDelivered("5551234567", "4111111111111111", "cv-one", "card-9876"),
        t::callDataUpdate("cv-two", "ACCT-777"), t::closeReq(), t::closeConf()})
    all.insert(all.end(), f.begin(), f.end());
  return all;
}

TEST(Ged188Parser, AcceptsASessionInOneChunk) {
  Counter c;
  FrameParser p(&c);
  auto bytes = session();
  EXPECT_TRUE(p.feed(bytes)) << p.error();
  EXPECT_EQ(p.frames(), 8u);
  EXPECT_TRUE(p.atFrameBoundary());
  EXPECT_EQ(c.types[kCallDeliveredEvent], 1);
  EXPECT_EQ(c.types[kOpenReq], 1);
  EXPECT_EQ(p.clientId(), "finesse-a");
  // ANI, DNIS, CED, CV1, ECC (5) + CV2, account (2) + password (1)
  EXPECT_EQ(p.sensitiveFields(), 8u);
}

TEST(Ged188Parser, AcceptsTheSameSessionByteByByte) {
  FrameParser p;
  auto bytes = session();
  for (auto b : bytes) ASSERT_TRUE(p.feed({&b, 1})) << p.error();
  EXPECT_EQ(p.frames(), 8u);
  EXPECT_EQ(p.clientId(), "finesse-a");
}

TEST(Ged188Parser, PartialBytesMarkWhereTheLastCompleteFrameEnds) {
  auto bytes = session();
  const std::size_t first = t::openReq("finesse-a", "s3cret").size();
  for (std::size_t cut : {std::size_t{3}, first - 1, first, first + 5, bytes.size()}) {
    FrameParser p;
    ASSERT_TRUE(p.feed({bytes.data(), cut}));
    const std::size_t expect =
        cut < first ? cut : (cut == first || cut == bytes.size() ? 0 : cut - first);
    EXPECT_EQ(p.partialBytes(), expect) << cut;
    EXPECT_EQ(p.partialBytes() == 0, p.atFrameBoundary());
  }
  FrameParser p;  // byte by byte
  for (std::size_t i = 0; i < first; ++i) ASSERT_TRUE(p.feed({&bytes[i], 1}));
  EXPECT_EQ(p.partialBytes(), 0u);
  ASSERT_TRUE(p.feed({&bytes[first], 1}));
  EXPECT_EQ(p.partialBytes(), 1u);
}

TEST(Ged188Parser, TypeBucketsAreFixed) {
  EXPECT_EQ(std::string(bucketName(typeBucket(kCallDeliveredEvent))), "CALL_DELIVERED_EVENT");
  EXPECT_EQ(std::string(bucketName(typeBucket(kSystemEvent))), "SYSTEM_EVENT");
  EXPECT_EQ(typeBucket(11), kOtherBucket);
  EXPECT_EQ(typeBucket(0x35353539), kOtherBucket);
  EXPECT_EQ(std::string(bucketName(kOtherBucket)), "other");
  std::set<std::size_t> seen;
  for (std::uint32_t type = 0; type < 64; ++type) seen.insert(typeBucket(type));
  EXPECT_EQ(seen.size(), kTypeBuckets);
}

TEST(Ged188Parser, RejectsOversizedFrame) {
  FrameParser p;
  std::vector<std::uint8_t> hdr{0, 0, 0x30, 0xD5, 0, 0, 0, 9};  // 12501 bytes after header
  EXPECT_FALSE(p.feed(hdr));
  EXPECT_NE(p.error().find("12500"), std::string::npos);
  EXPECT_FALSE(p.feed(hdr)) << "stays failed";
}

TEST(Ged188Parser, AcceptsMaximumSizeUnknownType) {
  FrameParser p;
  auto f = FrameBuilder(200).zeros(kMaxFrame - kHeaderSize).bytes();
  EXPECT_TRUE(p.feed(f)) << p.error();
  EXPECT_EQ(p.frames(), 1u);
}

TEST(Ged188Parser, RejectsFrameShorterThanFixedPart) {
  FrameParser p;
  EXPECT_FALSE(p.feed(FrameBuilder(kOpenReq).u32(1).u32(24).bytes()));
  EXPECT_NE(p.error().find("OPEN_REQ"), std::string::npos);
}

TEST(Ged188Parser, RejectsFieldRunningPastTheFrame) {
  FrameParser p;
  auto f = FrameBuilder(kHeartbeatReq).u32(1).u16(8).u16(40).zeros(4).bytes();  // ANI claims 40
                                                                                // bytes, 4 present
  EXPECT_FALSE(p.feed(f));
  EXPECT_NE(p.error().find("tag 8"), std::string::npos);
}

TEST(Ged188Parser, RejectsStrayBytesAfterLastField) {
  FrameParser p;
  auto f = FrameBuilder(kHeartbeatReq).u32(1).zeros(2).bytes();
  EXPECT_FALSE(p.feed(f));
  EXPECT_NE(p.error().find("stray"), std::string::npos);
}

TEST(Ged188Parser, ChecksNamedVariableBounds) {
  FrameParser p;
  auto f = FrameBuilder(kHeartbeatReq).u32(1).field(82, "a", false).bytes();  // 1 byte < 3
  EXPECT_FALSE(p.feed(f));
}

TEST(Ged188Parser, ErrorsNeverCarryFieldValues) {
  FrameParser p;
  auto f =
      FrameBuilder(kCallDeliveredEvent).zeros(54).field(8, "5551234567").u16(12).u16(200).bytes();
  EXPECT_FALSE(p.feed(f));
  EXPECT_EQ(p.error().find("5551234567"), std::string::npos);
}

TEST(Ged188Parser, UnknownTypesOnlyGetBounds) {
  FrameParser p;
  auto f = FrameBuilder(77).zeros(3).bytes();  // 3 bytes would be stray for a known type
  EXPECT_TRUE(p.feed(f)) << p.error();
}

TEST(Ged188Names, KnownAndUnknown) {
  EXPECT_EQ(messageTypeName(kCallDataUpdateEvent), "CALL_DATA_UPDATE_EVENT");
  EXPECT_EQ(messageTypeName(999), "TYPE_999");
  EXPECT_EQ(fixedPartSize(kOpenReq), 44);
  EXPECT_EQ(fixedPartSize(kOpenConf), -1);
}

}  // namespace
}  // namespace ccsec::gateway::ged188
