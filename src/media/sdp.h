#pragma once
// SDP (RFC 8866) parsing and rewriting for the media anchor, and SDES a=crypto (RFC 4568).
// The parser keeps every line it does not rewrite verbatim, so the anchor changes only what it
// must: connection addresses, media ports and protocol, crypto lines, ICE and RTCP attributes.
// parseSdp() takes untrusted bytes (bounded: at most kMaxSdpLines lines, kMaxMedia m= sections).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "media/srtp.h"

namespace ccsec::media {

inline constexpr std::size_t kMaxSdpLines = 512;
inline constexpr std::size_t kMaxMedia = 8;

struct CryptoAttr {
  std::uint32_t tag = 1;
  SrtpSuite suite = SrtpSuite::kAesCm128HmacSha1_80;
  std::vector<std::uint8_t> key;   // master key (sensitive: never logged)
  std::vector<std::uint8_t> salt;  // master salt
  ~CryptoAttr();
  CryptoAttr() = default;
  CryptoAttr(const CryptoAttr&) = default;
  CryptoAttr& operator=(const CryptoAttr&) = default;
  bool sameKey(const CryptoAttr& o) const {
    return suite == o.suite && key == o.key && salt == o.salt;
  }
};

/// Parses the value of an `a=crypto:` attribute (without the "crypto:" prefix). Returns nullopt
/// for suites ccsec does not implement, MKI use, or malformed key material.
std::optional<CryptoAttr> parseCrypto(std::string_view value);
/// Formats `crypto:<tag> <suite> inline:<base64(key||salt)>`.
std::string formatCrypto(const CryptoAttr& c);
/// New attribute with key and salt from RAND_bytes.
core::Result<CryptoAttr> generateCrypto(SrtpSuite suite, std::uint32_t tag);

struct SdpMedia {
  std::string type;  // "audio"
  std::uint16_t port = 0;
  std::string portCount;           // "/2" suffix if present
  std::string proto;               // "RTP/AVP", "RTP/SAVP", ...
  std::string formats;             // rest of the m= line
  std::vector<std::string> lines;  // following lines, without CRLF
};

struct Sdp {
  std::vector<std::string> session;  // lines before the first m=
  std::vector<SdpMedia> media;
};

core::Result<Sdp> parseSdp(std::string_view text);

/// Values of `a=<name>:...` (or flag `a=<name>`) in a media section, in order.
std::vector<std::string> attributes(const SdpMedia& m, std::string_view name);
bool hasAttribute(const SdpMedia& m, std::string_view name);
/// Connection address of a media section (media c= or else session c=), "" if none.
std::string connectionAddress(const Sdp& sdp, const SdpMedia& m);
bool isSecureProto(std::string_view proto);  // RTP/SAVP, RTP/SAVPF
/// Offered crypto attributes that ccsec supports, in the offer's order of preference.
std::vector<CryptoAttr> supportedCrypto(const SdpMedia& m);

enum class RtcpMuxMode : std::uint8_t { kKeep, kOffer, kRemove };

struct MediaRewrite {
  std::uint16_t port = 0;          // local RTP port facing the recipient (RTCP = port + 1)
  std::string proto;               // protocol towards the recipient
  std::vector<CryptoAttr> crypto;  // our a=crypto lines (empty for plain RTP)
  RtcpMuxMode rtcpMux = RtcpMuxMode::kKeep;
};

struct SdpRewrite {
  std::string address;  // the anchor's address on the recipient's side
  bool replaceOrigin = true;
  std::vector<MediaRewrite> media;  // one per m= section (missing: section left disabled)
};

/// Renders `sdp` for the recipient: addresses and ports point at the anchor, crypto lines are
/// replaced by ours, ICE candidates/credentials and a=rtcp removed, CRLF line endings.
std::string rewriteSdp(const Sdp& sdp, const SdpRewrite& rw);

}  // namespace ccsec::media
