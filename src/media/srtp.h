#pragma once
// SRTP / SRTCP transforms (RFC 3711, RFC 7714) on OpenSSL EVP.
//
// Suites: AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32 (SRTCP always uses an 80-bit tag,
// RFC 4568 §6.2.2) and AEAD_AES_128_GCM (16-byte tag). Key derivation is the RFC 3711 §4.3
// AES-CM PRF with key_derivation_rate 0; for GCM the 12-byte master salt is zero-padded to 14
// bytes (the layout libsrtp and rtpengine use). No MKI.
//
// Contracts:
//  * One SrtpContext holds the session keys of one master key and per-SSRC stream state
//    (rollover counter, highest index, 128-packet replay window, SRTCP index). A context is used
//    for one direction: protect() on the sending side, unprotect() on the receiving side.
//  * No allocation on the packet path: cipher contexts are created with the context and re-IVed
//    per packet through EVP_CipherInit_ex2 with a NULL key; the HMAC-SHA1 keys are precomputed
//    SHA-1 states copied per packet (HmacSha1Key below).
//  * Packets are transformed in place. protect*() needs `capacity - len >= kMaxSrtpTrailer`.
//  * Not thread-safe: one event-loop thread owns a context.
//  * Key material is wiped with OPENSSL_cleanse on destruction and is never logged.

#include <openssl/sha.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "core/handles.h"
#include "core/result.h"

namespace ccsec::media {

enum class SrtpSuite : std::uint8_t { kAesCm128HmacSha1_80, kAesCm128HmacSha1_32, kAeadAes128Gcm };

struct SuiteParams {
  std::size_t keyLength;   // master and session encryption key (bytes)
  std::size_t saltLength;  // master and session salt (bytes)
  std::size_t rtpTagLength;
  std::size_t rtcpTagLength;
  bool aead;
};

SuiteParams suiteParams(SrtpSuite suite);
std::string_view suiteName(SrtpSuite suite);  // SDES name, e.g. "AES_CM_128_HMAC_SHA1_80"
std::optional<SrtpSuite> suiteFromName(std::string_view name);

/// Largest growth of a packet by protect*(): 16-byte tag + 4-byte SRTCP index.
inline constexpr std::size_t kMaxSrtpTrailer = 20;
inline constexpr std::size_t kMaxKeyLength = 16;
inline constexpr std::size_t kMaxSaltLength = 14;
inline constexpr std::size_t kReplayWindow = 128;
/// SSRCs tracked per key; a new SSRC beyond this takes the slot of the least recently used one
/// (its replay window and ROC are forgotten). Only an authenticated packet creates a stream.
inline constexpr std::size_t kMaxStreamsPerContext = 8;

enum class SrtpStatus : std::uint8_t {
  kOk,
  kMalformed,    // not an RTP/RTCP packet, or too short for the tag
  kAuthFailed,   // tag mismatch: dropped
  kReplayed,     // index already seen or older than the window: dropped
  kNoSpace,      // capacity too small for the trailer
  kCryptoError,  // OpenSSL reported an error
};
std::string_view statusName(SrtpStatus status);

struct SrtpCounters {
  std::uint64_t packets = 0;  // transformed successfully
  std::uint64_t bytes = 0;    // payload bytes of those packets (input length)
  std::uint64_t authFailures = 0;
  std::uint64_t replays = 0;
  std::uint64_t malformed = 0;
  std::uint64_t evictions = 0;  // streams whose slot went to a new SSRC
};

/// 128-entry sliding window over 48-bit (SRTP) or 31-bit (SRTCP) indices (RFC 3711 §3.3.2).
class ReplayWindow {
 public:
  /// True when `index` is new (ahead of the window or inside it and unseen).
  bool check(std::uint64_t index) const;
  /// Records `index` (call only after authentication succeeded).
  void accept(std::uint64_t index);
  bool started() const { return started_; }
  std::uint64_t highest() const { return highest_; }

 private:
  std::uint64_t highest_ = 0;
  std::array<std::uint64_t, 2> bits_{};  // bit i of the window = highest_ - i seen
  bool started_ = false;
};

/// RFC 3711 Appendix A: the ROC guess `v` for sequence `seq` given highest seq `sl` and `roc`.
/// Returns the 48-bit packet index v * 65536 + seq (v may be roc-1, roc or roc+1).
std::uint64_t estimateIndex(std::uint32_t roc, std::uint16_t sl, std::uint16_t seq);

struct SessionKeys {
  std::array<std::uint8_t, kMaxKeyLength> rtpKey{}, rtcpKey{};
  std::array<std::uint8_t, 20> rtpAuth{}, rtcpAuth{};
  std::array<std::uint8_t, kMaxSaltLength> rtpSalt{}, rtcpSalt{};
  ~SessionKeys();
};

/// RFC 3711 §4.3.1 PRF: derives `out.size()` bytes for `label` from the master key and salt.
core::Result<void> deriveKey(std::span<const std::uint8_t> masterKey,
                             std::span<const std::uint8_t> masterSalt, std::uint8_t label,
                             std::span<std::uint8_t> out);

class SrtpContext {
 public:
  /// Derives the session keys for `suite` from the SDES master key and salt.
  static core::Result<std::unique_ptr<SrtpContext>> create(
      SrtpSuite suite, std::span<const std::uint8_t> masterKey,
      std::span<const std::uint8_t> masterSalt);
  /// Uses already-derived session keys (known-answer tests of RFC 7714 §16/§17).
  static core::Result<std::unique_ptr<SrtpContext>> createFromSessionKeys(SrtpSuite suite,
                                                                          const SessionKeys& keys);
  ~SrtpContext();
  SrtpContext(const SrtpContext&) = delete;
  SrtpContext& operator=(const SrtpContext&) = delete;

  SrtpStatus protectRtp(std::uint8_t* buf, std::size_t& len, std::size_t capacity);
  SrtpStatus unprotectRtp(std::uint8_t* buf, std::size_t& len);
  SrtpStatus protectRtcp(std::uint8_t* buf, std::size_t& len, std::size_t capacity);
  SrtpStatus unprotectRtcp(std::uint8_t* buf, std::size_t& len);

  /// Presets the rollover counter of a stream before its first packet (a receiver joining a
  /// stream whose ROC is known out of band; tests start streams just before a wrap).
  SrtpStatus setRolloverCounter(std::uint32_t ssrc, std::uint32_t roc);
  /// Presets the next SRTCP index of an outbound stream (tests of index behaviour).
  SrtpStatus setSrtcpIndex(std::uint32_t ssrc, std::uint32_t index);

  SrtpSuite suite() const { return suite_; }
  const SrtpCounters& counters() const { return counters_; }

 private:
  struct Stream {
    std::uint32_t ssrc = 0;
    bool used = false;
    bool started = false;  // first RTP packet seen (s_l valid)
    std::uint32_t roc = 0;
    std::uint16_t sl = 0;  // highest sequence number seen
    ReplayWindow rtpWindow;
    ReplayWindow rtcpWindow;
    std::uint32_t nextSrtcpIndex = 0;
    std::uint64_t lastUse = 0;
  };

  // HMAC-SHA1 with the key's inner and outer SHA-1 states computed once (RFC 2104 §4): a packet
  // costs two SHA-1 continuations copied from these states, no allocation and no provider
  // re-initialisation (EVP_MAC_init per packet cost ~40 % of a CM-80 protect).
  struct HmacSha1Key {
    SHA_CTX inner{};
    SHA_CTX outer{};
  };

  explicit SrtpContext(SrtpSuite suite);
  core::Result<void> init(const SessionKeys& keys);
  Stream* stream(std::uint32_t ssrc);
  /// A free slot, else the least recently used stream's (evicted).
  Stream* slotForNewStream();
  bool cipher(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, int enc, std::uint8_t* data,
              std::size_t len);
  static void hmacKey(HmacSha1Key& k, const std::uint8_t* key, std::size_t len);
  static void hmac(const HmacSha1Key& k, const std::uint8_t* a, std::size_t alen,
                   const std::uint8_t* b, std::size_t blen, std::uint8_t* out20);
  bool gcmSeal(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, const std::uint8_t* aad1,
               std::size_t aad1Len, const std::uint8_t* aad2, std::size_t aad2Len,
               std::uint8_t* data, std::size_t len, std::uint8_t* tagOut);
  bool gcmOpen(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, const std::uint8_t* aad1,
               std::size_t aad1Len, const std::uint8_t* aad2, std::size_t aad2Len,
               std::uint8_t* data, std::size_t len, std::uint8_t* tag);

  SrtpSuite suite_;
  SuiteParams params_;
  std::array<std::uint8_t, kMaxSaltLength> rtpSalt_{}, rtcpSalt_{};
  core::EvpCipherCtxPtr rtpCipher_, rtcpCipher_;
  HmacSha1Key rtpMac_, rtcpMac_;
  std::array<Stream, kMaxStreamsPerContext> streams_{};
  std::uint64_t useClock_ = 0;
  SrtpCounters counters_;
};

/// Known-answer self-test: RFC 3711 B.2 (AES-CM keystream), B.3 (key derivation), RFC 7714
/// §16.1 (SRTP GCM) and §17.1 (SRTCP GCM), a CM-32 known answer (computed with libsrtp 2) and a
/// CM-80 round trip, each with a tamper check.
/// The media anchor refuses to start when it fails.
core::Result<void> selfTest();

}  // namespace ccsec::media
