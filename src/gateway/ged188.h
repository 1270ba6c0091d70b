#pragma once
// GED-188 (CTI Server protocol) framing, checked incrementally as bytes stream through the
// gateway (reference §2.1–2.3). No frame is buffered: the parser keeps a few bytes of state
// (header, field header, counters), so inspection costs no per-message allocation.
//
// Wire format (big-endian): 8-byte header {MessageLength: UINT = bytes after the header,
// MessageType: UINT}; body = fixed part (size depends on the type) + floating fields
// {Tag: USHORT, FieldLength: USHORT = data bytes, data}. Checks:
//   * header + MessageLength <= 12,500 bytes (kMaxFrame);
//   * for types with a known fixed part (table in ged188.cc): MessageLength >= fixed part, and
//     the floating fields tile the rest exactly (no field runs past the frame, no 1–3 stray
//     bytes); NamedVariable (82) length 3–251, NamedArray (83) length 4–252;
//   * unknown types, and OPEN_CONF (whose fixed part grew with protocol versions), get the
//     length bounds only.
// The parser never stores field values except ClientID (tag 1) of OPEN_REQ (≤ 64 bytes, not
// personal data) for the session audit; error texts name types, tags and lengths only.
//
// Threading: one parser per stream direction, used by one thread.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ccsec::gateway::ged188 {

inline constexpr std::size_t kHeaderSize = 8;
inline constexpr std::size_t kMaxFrame = 12500;  // including the header

enum MessageType : std::uint32_t {
  kFailureConf = 1,
  kFailureEvent = 2,
  kOpenReq = 3,
  kOpenConf = 4,
  kHeartbeatReq = 5,
  kHeartbeatConf = 6,
  kCloseReq = 7,
  kCloseConf = 8,
  kCallDeliveredEvent = 9,
  kCallEstablishedEvent = 10,
  kCallClearedEvent = 13,
  kBeginCallEvent = 23,
  kEndCallEvent = 24,
  kCallDataUpdateEvent = 25,
  kSetCallDataReq = 26,
  kSetCallDataConf = 27,
  kAgentStateEvent = 30,
  kSystemEvent = 31,
};

/// "OPEN_REQ", … or "TYPE_<n>" for types not in the table (never for text built from peer bytes:
/// an unknown type is four payload bytes when frames are misaligned; use typeBucket()).
std::string messageTypeName(std::uint32_t type);

/// Fixed-size accounting of message types: one bucket per type of the table above, one "other"
/// bucket for everything else, so counting costs one table load whatever types a peer sends and
/// a summary by bucket is bounded in size.
inline constexpr std::size_t kKnownTypes = 18;
inline constexpr std::size_t kOtherBucket = kKnownTypes;
inline constexpr std::size_t kTypeBuckets = kKnownTypes + 1;
namespace detail {
extern const std::uint8_t kBucketOfType[32];  // types 0..31 → bucket (kOtherBucket if unknown)
}
inline std::size_t typeBucket(std::uint32_t type) {
  return type < 32 ? detail::kBucketOfType[type] : kOtherBucket;
}
/// "OPEN_REQ", … for a known type's bucket, "other" for kOtherBucket.
const char* bucketName(std::size_t bucket);
/// Fixed-part size in bytes for types whose layout is checked; -1 when only bounds are checked.
int fixedPartSize(std::uint32_t type);

class FrameObserver {
 public:
  virtual ~FrameObserver() = default;
  /// `count` (≥ 1) complete, well-formed frames of `type` passed, consecutively. Runs of one type
  /// are reported together, and every run is reported before feed() returns, so an observer
  /// costs one call per feed() for a uniform stream instead of one per frame.
  virtual void onFrames(std::uint32_t type, std::uint64_t count) = 0;
};

class FrameParser {
 public:
  explicit FrameParser(FrameObserver* observer = nullptr) : observer_(observer) {}

  /// Consumes the next bytes of the stream. Returns false once the stream is malformed; the
  /// parser then stays failed (error() says why, without field values).
  bool feed(std::span<const std::uint8_t> bytes);
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  std::uint64_t frames() const { return frames_; }
  std::uint64_t sensitiveFields() const { return sensitive_fields_; }
  /// ClientID of the first OPEN_REQ seen (printable ASCII only), empty if none.
  const std::string& clientId() const { return client_id_; }
  /// True between frames (no partial frame pending).
  bool atFrameBoundary() const { return state_ == State::kHeader && have_ == 0; }
  /// Bytes of the frame in progress fed so far (0 at a frame boundary): the stream's last
  /// partialBytes() bytes are not yet known to belong to a valid frame. At most kMaxFrame - 1.
  std::size_t partialBytes() const { return partial_; }

 private:
  enum class State : std::uint8_t { kHeader, kFixed, kFieldHeader, kFieldData, kSkipBody };
  bool feedBytes(std::span<const std::uint8_t> bytes);
  bool fail(std::string why);
  bool checkWholeFrame(std::uint32_t type, const std::uint8_t* body, std::uint32_t len);
  bool startFrame();
  bool startField();
  /// Accounts `take` bytes of the current fixed part or field; moves to the next field header,
  /// or ends the frame, when the part is complete.
  void consumePart(std::size_t take);
  void endFrame();
  void countFrame(std::uint32_t type) {
    ++frames_;
    if (type == run_type_) {
      ++run_count_;
      return;
    }
    flushRun();
    run_type_ = type;
    run_count_ = 1;
  }
  void flushRun() {
    if (run_count_ != 0 && observer_ != nullptr) observer_->onFrames(run_type_, run_count_);
    run_count_ = 0;
  }

  FrameObserver* observer_;
  State state_ = State::kHeader;
  std::uint8_t buf_[kHeaderSize] = {};
  std::size_t have_ = 0;  // bytes collected in buf_
  std::uint32_t type_ = 0;
  std::uint32_t length_ = 0;
  std::uint32_t body_left_ = 0;  // bytes of the body not yet consumed
  std::uint32_t part_left_ = 0;  // bytes left of the fixed part / field data
  std::uint16_t tag_ = 0;
  bool capture_client_id_ = false;
  std::uint64_t frames_ = 0;
  std::uint32_t run_type_ = 0;   // type of the frames counted in run_count_
  std::uint64_t run_count_ = 0;  // consecutive frames of run_type_ not yet reported
  std::uint64_t sensitive_fields_ = 0;
  std::size_t partial_ = 0;  // bytes of the frame in progress consumed so far
  std::string client_id_;
  std::string error_;
};

}  // namespace ccsec::gateway::ged188
