#include "media/rtp.h"

namespace ccsec::media {

std::optional<RtpHeaderView> parseRtpHeader(const std::uint8_t* data, std::size_t size) {
  if (data == nullptr || size < kRtpFixedHeader) return std::nullopt;
  if ((data[0] >> 6) != 2) return std::nullopt;
  RtpHeaderView h;
  h.padding = (data[0] & 0x20) != 0;
  const bool extension = (data[0] & 0x10) != 0;
  const std::size_t csrcCount = data[0] & 0x0f;
  h.marker = (data[1] & 0x80) != 0;
  h.payloadType = static_cast<std::uint8_t>(data[1] & 0x7f);
  h.sequence = loadBe16(data + 2);
  h.timestamp = loadBe32(data + 4);
  h.ssrc = loadBe32(data + 8);
  std::size_t len = kRtpFixedHeader + 4 * csrcCount;
  if (len > size) return std::nullopt;
  if (extension) {
    if (len + 4 > size) return std::nullopt;
    const std::size_t words = loadBe16(data + len + 2);
    len += 4 + 4 * words;
    if (len > size) return std::nullopt;
  }
  h.headerLength = len;
  return h;
}

std::optional<RtcpHeaderView> parseRtcpHeader(const std::uint8_t* data, std::size_t size) {
  if (data == nullptr || size < kRtcpFixedHeader) return std::nullopt;
  if ((data[0] >> 6) != 2) return std::nullopt;
  RtcpHeaderView h;
  h.packetType = data[1];
  if (h.packetType < 192 || h.packetType > 223) return std::nullopt;
  h.declaredLength = (static_cast<std::size_t>(loadBe16(data + 2)) + 1) * 4;
  h.ssrc = loadBe32(data + 4);
  return h;
}

}  // namespace ccsec::media
