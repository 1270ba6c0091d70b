#include "gateway/ged188.h"

#include <algorithm>
#include <array>

#include "gateway/redact.h"

namespace ccsec::gateway::ged188 {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

constexpr std::size_t kMaxClientId = 64;

// Bucket order = kTypeOfBucket order.
constexpr std::uint32_t kTypeOfBucket[kKnownTypes] = {
    kFailureConf,        kFailureEvent,         kOpenReq,          kOpenConf,
    kHeartbeatReq,       kHeartbeatConf,        kCloseReq,         kCloseConf,
    kCallDeliveredEvent, kCallEstablishedEvent, kCallClearedEvent, kBeginCallEvent,
    kEndCallEvent,       kCallDataUpdateEvent,  kSetCallDataReq,   kSetCallDataConf,
    kAgentStateEvent,    kSystemEvent};

constexpr std::array<std::uint8_t, 32> bucketTable() {
  std::array<std::uint8_t, 32> t{};
  for (auto& b : t) b = static_cast<std::uint8_t>(kOtherBucket);
  for (std::size_t i = 0; i < kKnownTypes; ++i) t[kTypeOfBucket[i]] = static_cast<std::uint8_t>(i);
  return t;
}
constexpr std::array<std::uint8_t, 32> kBucketTable = bucketTable();

}  // namespace

namespace detail {
const std::uint8_t kBucketOfType[32] = {
    kBucketTable[0],  kBucketTable[1],  kBucketTable[2],  kBucketTable[3],  kBucketTable[4],
    kBucketTable[5],  kBucketTable[6],  kBucketTable[7],  kBucketTable[8],  kBucketTable[9],
    kBucketTable[10], kBucketTable[11], kBucketTable[12], kBucketTable[13], kBucketTable[14],
    kBucketTable[15], kBucketTable[16], kBucketTable[17], kBucketTable[18], kBucketTable[19],
    kBucketTable[20], kBucketTable[21], kBucketTable[22], kBucketTable[23], kBucketTable[24],
    kBucketTable[25], kBucketTable[26], kBucketTable[27], kBucketTable[28], kBucketTable[29],
    kBucketTable[30], kBucketTable[31]};
}  // namespace detail

const char* bucketName(std::size_t bucket) {
  static const std::array<std::string, kKnownTypes> names = [] {
    std::array<std::string, kKnownTypes> n;
    for (std::size_t i = 0; i < kKnownTypes; ++i) n[i] = messageTypeName(kTypeOfBucket[i]);
    return n;
  }();
  return bucket < kKnownTypes ? names[bucket].c_str() : "other";
}

std::string messageTypeName(std::uint32_t type) {
  switch (type) {
    case kFailureConf:
      return "FAILURE_CONF";
    case kFailureEvent:
      return "FAILURE_EVENT";
    case kOpenReq:
      return "OPEN_REQ";
    case kOpenConf:
      return "OPEN_CONF";
    case kHeartbeatReq:
      return "HEARTBEAT_REQ";
    case kHeartbeatConf:
      return "HEARTBEAT_CONF";
    case kCloseReq:
      return "CLOSE_REQ";
    case kCloseConf:
      return "CLOSE_CONF";
    case kCallDeliveredEvent:
      return "CALL_DELIVERED_EVENT";
    case kCallEstablishedEvent:
      return "CALL_ESTABLISHED_EVENT";
    case kCallClearedEvent:
      return "CALL_CLEARED_EVENT";
    case kBeginCallEvent:
      return "BEGIN_CALL_EVENT";
    case kEndCallEvent:
      return "END_CALL_EVENT";
    case kCallDataUpdateEvent:
      return "CALL_DATA_UPDATE_EVENT";
    case kSetCallDataReq:
      return "SET_CALL_DATA_REQ";
    case kSetCallDataConf:
      return "SET_CALL_DATA_CONF";
    case kAgentStateEvent:
      return "AGENT_STATE_EVENT";
    case kSystemEvent:
      return "SYSTEM_EVENT";
    default:
      return "TYPE_" + std::to_string(type);
  }
}

int fixedPartSize(std::uint32_t type) {
  switch (type) {
    case kFailureConf:
      return 8;  // InvokeID, Status
    case kFailureEvent:
      return 4;  // Status
    case kOpenReq:
      return 44;  // 11 UINTs (InvokeID … Reserved3)
    case kHeartbeatReq:
      return 4;  // InvokeID
    case kHeartbeatConf:
      return 4;  // InvokeID
    case kCloseReq:
      return 8;  // InvokeID, Status
    case kCloseConf:
      return 4;  // InvokeID
    case kCallDeliveredEvent:
      return 54;  // 7 UINT + 13 USHORT (protocol v24 layout)
    case kEndCallEvent:
      return 16;  // MonitorID, PeripheralID, PeripheralType, ConnDevIDType, ConnCallID
    case kCallDataUpdateEvent:
      return 40;  // 6 UINT + 8 USHORT (protocol v24 layout)
    default:
      return -1;
  }
}

// Error texts name a number only when it is a known type or within the protocol's bounds: when
// frames are misaligned, the length, type and tag positions hold payload bytes (digits of an ANI
// or a card number), and an audit reason must not carry them.
namespace {
std::string typeLabel(std::uint32_t type) {
  return typeBucket(type) == kOtherBucket ? std::string("frame of unknown type")
                                          : messageTypeName(type);
}
std::string tagLabel(std::uint16_t tag) {
  return tag < 256 ? "tag " + std::to_string(tag) : std::string("tag out of range");
}
std::string runsPast(std::uint32_t type, std::uint16_t tag, std::uint32_t left) {
  return typeLabel(type) + " field (" + tagLabel(tag) +
         ") runs past the frame (length out of range, " + std::to_string(left) + " bytes left)";
}
}  // namespace

bool FrameParser::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  return false;
}

bool FrameParser::startFrame() {
  length_ = be32(buf_);
  type_ = be32(buf_ + 4);
  have_ = 0;
  if (length_ > kMaxFrame - kHeaderSize)
    return fail("message length out of range (over the " + std::to_string(kMaxFrame) +
                "-byte frame limit, " + typeLabel(type_) + ")");
  body_left_ = length_;
  int fixed = fixedPartSize(type_);
  if (fixed < 0) {
    part_left_ = body_left_;
    state_ = State::kSkipBody;
  } else {
    if (length_ < static_cast<std::uint32_t>(fixed))
      return fail(messageTypeName(type_) + " length " + std::to_string(length_) +
                  " is shorter than its " + std::to_string(fixed) + "-byte fixed part");
    part_left_ = static_cast<std::uint32_t>(fixed);
    state_ = State::kFixed;
  }
  if (type_ == kOpenReq && client_id_.empty()) capture_client_id_ = true;
  if (body_left_ == 0) endFrame();
  return true;
}

bool FrameParser::startField() {
  tag_ = be16(buf_);
  std::uint16_t len = be16(buf_ + 2);
  have_ = 0;
  body_left_ -= 4;
  if (len > body_left_) return fail(runsPast(type_, tag_, body_left_));
  if (tag_ == 82 && (len < 3 || len > 251))
    return fail("NamedVariable (tag 82) length out of range (3-251)");
  if (tag_ == 83 && (len < 4 || len > 252))
    return fail("NamedArray (tag 83) length out of range (4-252)");
  if (isSensitiveTag(tag_)) ++sensitive_fields_;
  part_left_ = len;
  state_ = State::kFieldData;
  if (part_left_ == 0) state_ = body_left_ == 0 ? State::kHeader : State::kFieldHeader;
  if (body_left_ == 0) endFrame();
  return true;
}

void FrameParser::consumePart(std::size_t take) {
  part_left_ -= static_cast<std::uint32_t>(take);
  body_left_ -= static_cast<std::uint32_t>(take);
  if (part_left_ != 0) return;
  if (body_left_ == 0) {
    endFrame();
  } else {
    state_ = State::kFieldHeader;
    have_ = 0;
  }
}

void FrameParser::endFrame() {
  capture_client_id_ = false;
  state_ = State::kHeader;
  have_ = 0;
  countFrame(type_);
}

bool FrameParser::checkWholeFrame(std::uint32_t type, const std::uint8_t* body, std::uint32_t len) {
  type_ = type;
  length_ = len;
  const int fixed = fixedPartSize(type);
  if (fixed >= 0) {
    const auto f = static_cast<std::uint32_t>(fixed);
    if (len < f)
      return fail(messageTypeName(type) + " length " + std::to_string(len) +
                  " is shorter than its " + std::to_string(fixed) + "-byte fixed part");
    const bool capture = type == kOpenReq && client_id_.empty();
    std::uint32_t p = f;
    while (p < len) {
      std::uint32_t left = len - p;
      if (left < 4)
        return fail(messageTypeName(type) + " has " + std::to_string(left) +
                    " stray bytes after its last floating field");
      std::uint16_t tag = be16(body + p);
      std::uint16_t flen = be16(body + p + 2);
      p += 4;
      left -= 4;
      if (flen > left) return fail(runsPast(type, tag, left));
      if (tag == 82 && (flen < 3 || flen > 251))
        return fail("NamedVariable (tag 82) length out of range (3-251)");
      if (tag == 83 && (flen < 4 || flen > 252))
        return fail("NamedArray (tag 83) length out of range (4-252)");
      if (isSensitiveTag(tag)) ++sensitive_fields_;
      if (capture && tag == 1) {
        for (std::uint32_t k = 0; k < flen && client_id_.size() < kMaxClientId; ++k) {
          std::uint8_t c = body[p + k];
          if (c >= 0x20 && c < 0x7f) client_id_ += static_cast<char>(c);
        }
      }
      p += flen;
    }
  }
  countFrame(type);
  return true;
}

bool FrameParser::feed(std::span<const std::uint8_t> bytes) {
  const bool ok = feedBytes(bytes);
  flushRun();
  return ok;
}

bool FrameParser::feedBytes(std::span<const std::uint8_t> bytes) {
  if (failed()) return false;
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  const std::uint8_t* d = bytes.data();
  std::size_t boundary = 0;  // end of the last frame completed in this chunk
  bool crossed = false;
  while (i < n) {
    // Fast path: a whole frame is in this chunk; check it in place.
    if (state_ == State::kHeader && have_ == 0 && n - i >= kHeaderSize) {
      std::uint32_t len = be32(d + i);
      if (len <= kMaxFrame - kHeaderSize && n - i - kHeaderSize >= len) {
        if (!checkWholeFrame(be32(d + i + 4), d + i + kHeaderSize, len)) return false;
        i += kHeaderSize + len;
        boundary = i;
        crossed = true;
        continue;
      }
    }
    switch (state_) {
      case State::kHeader: {
        std::size_t take = std::min(kHeaderSize - have_, n - i);
        std::copy_n(bytes.data() + i, take, buf_ + have_);
        have_ += take;
        i += take;
        if (have_ == kHeaderSize && !startFrame()) return false;
        break;
      }
      case State::kFixed:
      case State::kSkipBody: {
        std::size_t take = std::min<std::size_t>(part_left_, n - i);
        consumePart(take);
        i += take;
        break;
      }
      case State::kFieldHeader: {
        if (body_left_ < 4)
          return fail(messageTypeName(type_) + " has " + std::to_string(body_left_) +
                      " stray bytes after its last floating field");
        std::size_t take = std::min<std::size_t>(4 - have_, n - i);
        std::copy_n(bytes.data() + i, take, buf_ + have_);
        have_ += take;
        i += take;
        if (have_ == 4 && !startField()) return false;
        break;
      }
      case State::kFieldData: {
        std::size_t take = std::min<std::size_t>(part_left_, n - i);
        if (capture_client_id_ && tag_ == 1) {
          for (std::size_t k = 0; k < take && client_id_.size() < kMaxClientId; ++k) {
            std::uint8_t c = bytes[i + k];
            if (c >= 0x20 && c < 0x7f) client_id_ += static_cast<char>(c);
          }
        }
        consumePart(take);
        i += take;
        break;
      }
    }
    if (state_ == State::kHeader && have_ == 0) {
      boundary = i;
      crossed = true;
    }
  }
  partial_ = crossed ? n - boundary : partial_ + n;
  return true;
}

}  // namespace ccsec::gateway::ged188
