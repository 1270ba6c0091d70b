// Fuzzes the RTP/RTCP header parsers and the SRTP/SRTCP unprotect paths that consume them.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "media/rtp.h"
#include "media/srtp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ccsec::media;
  if (auto h = parseRtpHeader(data, size); h && h->headerLength > size) __builtin_trap();
  (void)parseRtcpHeader(data, size);
  static const std::uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  static const std::uint8_t salt[14] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
  static auto cm = SrtpContext::create(SrtpSuite::kAesCm128HmacSha1_80, key, salt);
  static auto gcm = SrtpContext::create(SrtpSuite::kAeadAes128Gcm, key, {salt, 12});
  std::vector<std::uint8_t> buf(data, data + size);
  buf.resize(size + kMaxSrtpTrailer);
  for (auto* ctx : {cm->get(), gcm->get()}) {
    std::size_t len = size;
    std::memcpy(buf.data(), data, size);
    (void)ctx->unprotectRtp(buf.data(), len);
    len = size;
    std::memcpy(buf.data(), data, size);
    (void)ctx->unprotectRtcp(buf.data(), len);
  }
  return 0;
}
