// Fuzzes the SDP parser, a=crypto parsing and the rewriter.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "media/sdp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ccsec::media;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto sdp = parseSdp(in);
  if (!sdp.ok()) return 0;
  SdpRewrite rw;
  rw.address = "127.0.0.1";
  for (const auto& m : sdp->media) {
    (void)supportedCrypto(m);
    (void)connectionAddress(*sdp, m);
    MediaRewrite r;
    r.port = 30000;
    r.proto = "RTP/AVP";
    r.rtcpMux = RtcpMuxMode::kOffer;
    rw.media.push_back(r);
  }
  const std::string out = rewriteSdp(*sdp, rw);
  if (!parseSdp(out).ok()) __builtin_trap();  // our output must parse again
  return 0;
}
