#pragma once
// RTP / RTCP header views (RFC 3550, RFC 5761 demultiplexing). Parsers of untrusted bytes: they
// never read past `size`, never allocate, and return std::nullopt for anything malformed.
// All multi-byte fields are network byte order on the wire and host order in the views.

#include <cstddef>
#include <cstdint>
#include <optional>

namespace ccsec::media {

inline constexpr std::size_t kRtpFixedHeader = 12;
inline constexpr std::size_t kRtcpFixedHeader = 8;

struct RtpHeaderView {
  std::uint8_t payloadType = 0;
  bool marker = false;
  bool padding = false;
  std::uint16_t sequence = 0;
  std::uint32_t timestamp = 0;
  std::uint32_t ssrc = 0;
  std::size_t headerLength = 0;  // fixed header + CSRCs + extension (bytes)
};

struct RtcpHeaderView {
  std::uint8_t packetType = 0;
  std::uint32_t ssrc = 0;          // sender SSRC (bytes 4..7)
  std::size_t declaredLength = 0;  // (length field + 1) * 4 bytes, first packet of a compound
};

/// Parses the RTP header of `data[0..size)`. Requires version 2 and the CSRC list and header
/// extension to fit inside `size`.
std::optional<RtpHeaderView> parseRtpHeader(const std::uint8_t* data, std::size_t size);

/// Parses the first RTCP header of a (possibly compound, possibly SRTCP-protected) packet.
std::optional<RtcpHeaderView> parseRtcpHeader(const std::uint8_t* data, std::size_t size);

/// RFC 5761 §4: on a multiplexed port, second byte 192..223 (payload types 64..95) means RTCP.
inline bool looksLikeRtcp(const std::uint8_t* data, std::size_t size) {
  return size >= 2 && data[1] >= 192 && data[1] <= 223;
}

inline std::uint16_t loadBe16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t loadBe32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}
inline void storeBe16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void storeBe32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace ccsec::media
