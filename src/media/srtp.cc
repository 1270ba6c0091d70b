#include "media/srtp.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "media/rtp.h"

namespace ccsec::media {
namespace {

using core::makeError;

constexpr std::uint8_t kLabelRtpEncryption = 0;
constexpr std::uint8_t kLabelRtpAuth = 1;
constexpr std::uint8_t kLabelRtpSalt = 2;
constexpr std::uint8_t kLabelRtcpEncryption = 3;
constexpr std::uint8_t kLabelRtcpAuth = 4;
constexpr std::uint8_t kLabelRtcpSalt = 5;
constexpr std::size_t kHmacSha1Length = 20;
constexpr std::size_t kAuthKeyLength = 20;
constexpr std::size_t kGcmTagLength = 16;
constexpr std::size_t kSrtcpTrailer = 4;
constexpr std::uint32_t kSrtcpEncryptedFlag = 0x80000000U;

int asInt(std::size_t v) { return static_cast<int>(v); }

// AES-CM IV (RFC 3711 §4.1.1): (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
void cmIv(const std::uint8_t* salt, std::uint32_t ssrc, std::uint64_t index, std::uint8_t* iv) {
  std::memcpy(iv, salt, 14);
  iv[14] = 0;
  iv[15] = 0;
  iv[4] ^= static_cast<std::uint8_t>(ssrc >> 24);
  iv[5] ^= static_cast<std::uint8_t>(ssrc >> 16);
  iv[6] ^= static_cast<std::uint8_t>(ssrc >> 8);
  iv[7] ^= static_cast<std::uint8_t>(ssrc);
  for (int i = 0; i < 6; ++i) iv[8 + i] ^= static_cast<std::uint8_t>(index >> (8 * (5 - i)));
}

// AES-GCM IV for SRTP (RFC 7714 §8.1): (0x0000 || SSRC || ROC || SEQ) XOR salt.
void gcmRtpIv(const std::uint8_t* salt, std::uint32_t ssrc, std::uint64_t index, std::uint8_t* iv) {
  std::uint8_t v[12] = {};
  storeBe32(v + 2, ssrc);
  storeBe32(v + 6, static_cast<std::uint32_t>(index >> 16));
  storeBe16(v + 10, static_cast<std::uint16_t>(index & 0xffff));
  for (int i = 0; i < 12; ++i) iv[i] = static_cast<std::uint8_t>(v[i] ^ salt[i]);
}

// AES-GCM IV for SRTCP (RFC 7714 §9.1): (0x0000 || SSRC || 0x0000 || 0 || index) XOR salt.
void gcmRtcpIv(const std::uint8_t* salt, std::uint32_t ssrc, std::uint32_t index,
               std::uint8_t* iv) {
  std::uint8_t v[12] = {};
  storeBe32(v + 2, ssrc);
  storeBe32(v + 8, index & 0x7fffffffU);
  for (int i = 0; i < 12; ++i) iv[i] = static_cast<std::uint8_t>(v[i] ^ salt[i]);
}

void storeBe32Roc(std::uint8_t* p, std::uint64_t index) {
  storeBe32(p, static_cast<std::uint32_t>(index >> 16));
}

}  // namespace

SuiteParams suiteParams(SrtpSuite suite) {
  switch (suite) {
    case SrtpSuite::kAesCm128HmacSha1_80:
      return {16, 14, 10, 10, false};
    case SrtpSuite::kAesCm128HmacSha1_32:
      return {16, 14, 4, 10, false};
    case SrtpSuite::kAeadAes128Gcm:
      return {16, 12, 16, 16, true};
  }
  return {16, 14, 10, 10, false};
}

std::string_view suiteName(SrtpSuite suite) {
  switch (suite) {
    case SrtpSuite::kAesCm128HmacSha1_80:
      return "AES_CM_128_HMAC_SHA1_80";
    case SrtpSuite::kAesCm128HmacSha1_32:
      return "AES_CM_128_HMAC_SHA1_32";
    case SrtpSuite::kAeadAes128Gcm:
      return "AEAD_AES_128_GCM";
  }
  return "?";
}

std::optional<SrtpSuite> suiteFromName(std::string_view name) {
  for (auto s : {SrtpSuite::kAesCm128HmacSha1_80, SrtpSuite::kAesCm128HmacSha1_32,
                 SrtpSuite::kAeadAes128Gcm})
    if (suiteName(s) == name) return s;
  return std::nullopt;
}

std::string_view statusName(SrtpStatus status) {
  switch (status) {
    case SrtpStatus::kOk:
      return "ok";
    case SrtpStatus::kMalformed:
      return "malformed";
    case SrtpStatus::kAuthFailed:
      return "auth-failed";
    case SrtpStatus::kReplayed:
      return "replayed";
    case SrtpStatus::kNoSpace:
      return "no-space";
    case SrtpStatus::kCryptoError:
      return "crypto-error";
  }
  return "?";
}

// ---- replay window ----------------------------------------------------------------------------

bool ReplayWindow::check(std::uint64_t index) const {
  if (!started_ || index > highest_) return true;
  const std::uint64_t delta = highest_ - index;
  if (delta >= kReplayWindow) return false;
  return ((bits_[delta / 64] >> (delta % 64)) & 1U) == 0;
}

void ReplayWindow::accept(std::uint64_t index) {
  if (!started_) {
    started_ = true;
    highest_ = index;
    bits_ = {1, 0};
    return;
  }
  if (index > highest_) {
    const std::uint64_t shift = index - highest_;
    if (shift >= 128) {
      bits_ = {0, 0};
    } else if (shift >= 64) {
      bits_[1] = bits_[0] << (shift - 64);
      bits_[0] = 0;
    } else {
      bits_[1] = (bits_[1] << shift) | (bits_[0] >> (64 - shift));
      bits_[0] <<= shift;
    }
    bits_[0] |= 1;
    highest_ = index;
    return;
  }
  const std::uint64_t delta = highest_ - index;
  if (delta < kReplayWindow) bits_[delta / 64] |= (std::uint64_t{1} << (delta % 64));
}

std::uint64_t estimateIndex(std::uint32_t roc, std::uint16_t sl, std::uint16_t seq) {
  std::int64_t v = roc;
  const int s = seq;
  const int l = sl;
  if (l < 32768) {
    if (s - l > 32768) v = static_cast<std::int64_t>(roc) - 1;
  } else {
    if (l - 32768 > s) v = static_cast<std::int64_t>(roc) + 1;
  }
  if (v < 0) return static_cast<std::uint64_t>(seq);  // before the stream start: index < highest
  return (static_cast<std::uint64_t>(v) << 16) | seq;
}

// ---- key derivation ---------------------------------------------------------------------------

SessionKeys::~SessionKeys() {
  OPENSSL_cleanse(rtpKey.data(), rtpKey.size());
  OPENSSL_cleanse(rtcpKey.data(), rtcpKey.size());
  OPENSSL_cleanse(rtpAuth.data(), rtpAuth.size());
  OPENSSL_cleanse(rtcpAuth.data(), rtcpAuth.size());
  OPENSSL_cleanse(rtpSalt.data(), rtpSalt.size());
  OPENSSL_cleanse(rtcpSalt.data(), rtcpSalt.size());
}

core::Result<void> deriveKey(std::span<const std::uint8_t> masterKey,
                             std::span<const std::uint8_t> masterSalt, std::uint8_t label,
                             std::span<std::uint8_t> out) {
  if (masterKey.size() != 16 || masterSalt.size() > kMaxSaltLength || out.size() > 64)
    return makeError("SRTP key derivation: unsupported master key or salt length");
  std::uint8_t iv[16] = {};
  std::memcpy(iv, masterSalt.data(), masterSalt.size());  // 12-byte GCM salt is zero-padded
  iv[7] ^= label;
  core::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  std::uint8_t zeros[64] = {};
  int outl = 0;
  const bool ok =
      ctx &&
      EVP_EncryptInit_ex2(ctx.get(), EVP_aes_128_ctr(), masterKey.data(), iv, nullptr) == 1 &&
      EVP_EncryptUpdate(ctx.get(), out.data(), &outl, zeros, asInt(out.size())) == 1;
  OPENSSL_cleanse(iv, sizeof iv);
  if (!ok) return core::runtimeError("SRTP key derivation failed: " + core::opensslError());
  return {};
}

// ---- context ----------------------------------------------------------------------------------

SrtpContext::SrtpContext(SrtpSuite suite) : suite_(suite), params_(suiteParams(suite)) {}

SrtpContext::~SrtpContext() {
  OPENSSL_cleanse(rtpSalt_.data(), rtpSalt_.size());
  OPENSSL_cleanse(rtcpSalt_.data(), rtcpSalt_.size());
  OPENSSL_cleanse(&rtpMac_, sizeof rtpMac_);
  OPENSSL_cleanse(&rtcpMac_, sizeof rtcpMac_);
  // EVP_CIPHER_CTX_free cleanses the expanded keys it holds.
}

core::Result<std::unique_ptr<SrtpContext>> SrtpContext::create(
    SrtpSuite suite, std::span<const std::uint8_t> masterKey,
    std::span<const std::uint8_t> masterSalt) {
  const SuiteParams p = suiteParams(suite);
  if (masterKey.size() != p.keyLength || masterSalt.size() != p.saltLength)
    return makeError("SRTP " + std::string(suiteName(suite)) + ": master key must be " +
                     std::to_string(p.keyLength) + " bytes and salt " +
                     std::to_string(p.saltLength) + " bytes");
  SessionKeys k;
  struct Job {
    std::uint8_t label;
    std::span<std::uint8_t> out;
  };
  const Job jobs[] = {
      {kLabelRtpEncryption, {k.rtpKey.data(), p.keyLength}},
      {kLabelRtpAuth, {k.rtpAuth.data(), kAuthKeyLength}},
      {kLabelRtpSalt, {k.rtpSalt.data(), p.saltLength}},
      {kLabelRtcpEncryption, {k.rtcpKey.data(), p.keyLength}},
      {kLabelRtcpAuth, {k.rtcpAuth.data(), kAuthKeyLength}},
      {kLabelRtcpSalt, {k.rtcpSalt.data(), p.saltLength}},
  };
  for (const auto& j : jobs) {
    if (p.aead && (j.label == kLabelRtpAuth || j.label == kLabelRtcpAuth)) continue;
    auto r = deriveKey(masterKey, masterSalt, j.label, j.out);
    if (!r) return r.error();
  }
  return createFromSessionKeys(suite, k);
}

core::Result<std::unique_ptr<SrtpContext>> SrtpContext::createFromSessionKeys(
    SrtpSuite suite, const SessionKeys& keys) {
  std::unique_ptr<SrtpContext> ctx(new SrtpContext(suite));
  auto r = ctx->init(keys);
  if (!r) return r.error();
  return ctx;
}

core::Result<void> SrtpContext::init(const SessionKeys& keys) {
  rtpSalt_ = keys.rtpSalt;
  rtcpSalt_ = keys.rtcpSalt;
  const EVP_CIPHER* c = params_.aead ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
  rtpCipher_.reset(EVP_CIPHER_CTX_new());
  rtcpCipher_.reset(EVP_CIPHER_CTX_new());
  if (!rtpCipher_ || !rtcpCipher_ ||
      EVP_CipherInit_ex2(rtpCipher_.get(), c, keys.rtpKey.data(), nullptr, 1, nullptr) != 1 ||
      EVP_CipherInit_ex2(rtcpCipher_.get(), c, keys.rtcpKey.data(), nullptr, 1, nullptr) != 1)
    return core::runtimeError("SRTP cipher setup failed: " + core::opensslError());
  if (params_.aead) return {};
  hmacKey(rtpMac_, keys.rtpAuth.data(), kAuthKeyLength);
  hmacKey(rtcpMac_, keys.rtcpAuth.data(), kAuthKeyLength);
  return {};
}

// OpenSSL's SHA1_* block interface is deprecated in 3.0 in favour of EVP_Digest*, which cannot
// resume from a saved state without a provider context copy per packet; it remains OpenSSL's own
// SHA-1 (same assembly, SHA-NI where present).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
void SrtpContext::hmacKey(HmacSha1Key& k, const std::uint8_t* key, std::size_t len) {
  std::uint8_t pad[SHA_CBLOCK];  // key ≤ 64 bytes (SRTP: 20), so no pre-hash
  std::memset(pad, 0x36, sizeof pad);
  for (std::size_t i = 0; i < len && i < sizeof pad; ++i) pad[i] ^= key[i];
  SHA1_Init(&k.inner);
  SHA1_Update(&k.inner, pad, sizeof pad);
  std::memset(pad, 0x5c, sizeof pad);
  for (std::size_t i = 0; i < len && i < sizeof pad; ++i) pad[i] ^= key[i];
  SHA1_Init(&k.outer);
  SHA1_Update(&k.outer, pad, sizeof pad);
  OPENSSL_cleanse(pad, sizeof pad);
}

void SrtpContext::hmac(const HmacSha1Key& k, const std::uint8_t* a, std::size_t alen,
                       const std::uint8_t* b, std::size_t blen, std::uint8_t* out20) {
  SHA_CTX c = k.inner;
  SHA1_Update(&c, a, alen);
  if (blen != 0) SHA1_Update(&c, b, blen);
  std::uint8_t innerHash[SHA_DIGEST_LENGTH];
  SHA1_Final(innerHash, &c);
  c = k.outer;
  SHA1_Update(&c, innerHash, sizeof innerHash);
  SHA1_Final(out20, &c);
  OPENSSL_cleanse(&c, sizeof c);
}
#pragma GCC diagnostic pop

SrtpContext::Stream* SrtpContext::stream(std::uint32_t ssrc) {
  for (auto& s : streams_)
    if (s.used && s.ssrc == ssrc) return &s;
  return nullptr;
}

SrtpContext::Stream* SrtpContext::slotForNewStream() {
  Stream* victim = &streams_[0];
  for (auto& s : streams_) {
    if (!s.used) return &s;
    if (s.lastUse < victim->lastUse) victim = &s;
  }
  ++counters_.evictions;
  return victim;
}

bool SrtpContext::cipher(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, int enc, std::uint8_t* data,
                         std::size_t len) {
  int outl = 0;
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, enc, nullptr) != 1) return false;
  if (len == 0) return true;
  return EVP_CipherUpdate(ctx, data, &outl, data, asInt(len)) == 1;
}

bool SrtpContext::gcmSeal(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, const std::uint8_t* aad1,
                          std::size_t aad1Len, const std::uint8_t* aad2, std::size_t aad2Len,
                          std::uint8_t* data, std::size_t len, std::uint8_t* tagOut) {
  int outl = 0;
  std::uint8_t fin[16];
  return EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, 1, nullptr) == 1 &&
         EVP_CipherUpdate(ctx, nullptr, &outl, aad1, asInt(aad1Len)) == 1 &&
         (aad2Len == 0 || EVP_CipherUpdate(ctx, nullptr, &outl, aad2, asInt(aad2Len)) == 1) &&
         (len == 0 || EVP_CipherUpdate(ctx, data, &outl, data, asInt(len)) == 1) &&
         EVP_CipherFinal_ex(ctx, fin, &outl) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, asInt(kGcmTagLength), tagOut) == 1;
}

bool SrtpContext::gcmOpen(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, const std::uint8_t* aad1,
                          std::size_t aad1Len, const std::uint8_t* aad2, std::size_t aad2Len,
                          std::uint8_t* data, std::size_t len, std::uint8_t* tag) {
  int outl = 0;
  std::uint8_t fin[16];
  return EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, 0, nullptr) == 1 &&
         EVP_CipherUpdate(ctx, nullptr, &outl, aad1, asInt(aad1Len)) == 1 &&
         (aad2Len == 0 || EVP_CipherUpdate(ctx, nullptr, &outl, aad2, asInt(aad2Len)) == 1) &&
         (len == 0 || EVP_CipherUpdate(ctx, data, &outl, data, asInt(len)) == 1) &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, asInt(kGcmTagLength), tag) == 1 &&
         EVP_CipherFinal_ex(ctx, fin, &outl) == 1;
}

SrtpStatus SrtpContext::setRolloverCounter(std::uint32_t ssrc, std::uint32_t roc) {
  Stream* s = stream(ssrc);
  if (s == nullptr) {
    s = slotForNewStream();
    *s = Stream{};
    s->used = true;
    s->ssrc = ssrc;
  }
  if (s->started) return SrtpStatus::kMalformed;
  s->roc = roc;
  return SrtpStatus::kOk;
}

SrtpStatus SrtpContext::setSrtcpIndex(std::uint32_t ssrc, std::uint32_t index) {
  auto st = setRolloverCounter(ssrc, 0);
  if (st != SrtpStatus::kOk && st != SrtpStatus::kMalformed) return st;
  stream(ssrc)->nextSrtcpIndex = index & 0x7fffffffU;
  return SrtpStatus::kOk;
}

// ---- SRTP ---------------------------------------------------------------------------------------

SrtpStatus SrtpContext::protectRtp(std::uint8_t* buf, std::size_t& len, std::size_t capacity) {
  auto h = parseRtpHeader(buf, len);
  if (!h) {
    ++counters_.malformed;
    return SrtpStatus::kMalformed;
  }
  if (capacity < len || capacity - len < params_.rtpTagLength) return SrtpStatus::kNoSpace;
  Stream* s = stream(h->ssrc);
  if (s == nullptr) {
    auto st = setRolloverCounter(h->ssrc, 0);
    if (st != SrtpStatus::kOk) return st;
    s = stream(h->ssrc);
  }
  std::uint64_t index;
  if (!s->started) {
    index = (static_cast<std::uint64_t>(s->roc) << 16) | h->sequence;
    s->started = true;
  } else {
    index = estimateIndex(s->roc, s->sl, h->sequence);
  }
  if (!s->rtpWindow.started() || index > s->rtpWindow.highest()) {
    s->rtpWindow.accept(index);
    s->roc = static_cast<std::uint32_t>(index >> 16);
    s->sl = h->sequence;
  }
  s->lastUse = ++useClock_;
  std::uint8_t* payload = buf + h->headerLength;
  const std::size_t plen = len - h->headerLength;
  if (params_.aead) {
    std::uint8_t iv[12];
    gcmRtpIv(rtpSalt_.data(), h->ssrc, index, iv);
    if (!gcmSeal(rtpCipher_.get(), iv, buf, h->headerLength, nullptr, 0, payload, plen, buf + len))
      return SrtpStatus::kCryptoError;
  } else {
    std::uint8_t iv[16];
    cmIv(rtpSalt_.data(), h->ssrc, index, iv);
    if (!cipher(rtpCipher_.get(), iv, 1, payload, plen)) return SrtpStatus::kCryptoError;
    std::uint8_t roc[4];
    storeBe32Roc(roc, index);
    std::uint8_t mac[kHmacSha1Length];
    hmac(rtpMac_, buf, len, roc, 4, mac);
    std::memcpy(buf + len, mac, params_.rtpTagLength);
  }
  counters_.packets++;
  counters_.bytes += len;
  len += params_.rtpTagLength;
  return SrtpStatus::kOk;
}

SrtpStatus SrtpContext::unprotectRtp(std::uint8_t* buf, std::size_t& len) {
  const std::size_t tagLen = params_.rtpTagLength;
  auto h = len > tagLen ? parseRtpHeader(buf, len - tagLen) : std::nullopt;
  if (!h) {
    ++counters_.malformed;
    return SrtpStatus::kMalformed;
  }
  Stream tmp;
  Stream* s = stream(h->ssrc);
  if (s == nullptr) {
    tmp.used = true;
    tmp.ssrc = h->ssrc;
    s = &tmp;
  }
  const std::uint64_t index = s->started ? estimateIndex(s->roc, s->sl, h->sequence)
                                         : (static_cast<std::uint64_t>(s->roc) << 16) | h->sequence;
  if (!s->rtpWindow.check(index)) {
    ++counters_.replays;
    return SrtpStatus::kReplayed;
  }
  const std::size_t bodyLen = len - tagLen;
  std::uint8_t* payload = buf + h->headerLength;
  const std::size_t plen = bodyLen - h->headerLength;
  if (params_.aead) {
    std::uint8_t iv[12];
    gcmRtpIv(rtpSalt_.data(), h->ssrc, index, iv);
    if (!gcmOpen(rtpCipher_.get(), iv, buf, h->headerLength, nullptr, 0, payload, plen,
                 buf + bodyLen)) {
      ++counters_.authFailures;
      return SrtpStatus::kAuthFailed;
    }
  } else {
    std::uint8_t roc[4];
    storeBe32Roc(roc, index);
    std::uint8_t mac[kHmacSha1Length];
    hmac(rtpMac_, buf, bodyLen, roc, 4, mac);
    if (CRYPTO_memcmp(mac, buf + bodyLen, tagLen) != 0) {
      ++counters_.authFailures;
      return SrtpStatus::kAuthFailed;
    }
    std::uint8_t iv[16];
    cmIv(rtpSalt_.data(), h->ssrc, index, iv);
    if (!cipher(rtpCipher_.get(), iv, 0, payload, plen)) return SrtpStatus::kCryptoError;
  }
  if (s == &tmp) {
    s = slotForNewStream();  // only an authenticated packet can take (or evict) a slot
    *s = tmp;
  }
  s->rtpWindow.accept(index);
  if (!s->started || index >= (static_cast<std::uint64_t>(s->roc) << 16 | s->sl)) {
    s->roc = static_cast<std::uint32_t>(index >> 16);
    s->sl = static_cast<std::uint16_t>(index & 0xffff);
  }
  s->started = true;
  s->lastUse = ++useClock_;
  counters_.packets++;
  counters_.bytes += bodyLen;
  len = bodyLen;
  return SrtpStatus::kOk;
}

// ---- SRTCP --------------------------------------------------------------------------------------

SrtpStatus SrtpContext::protectRtcp(std::uint8_t* buf, std::size_t& len, std::size_t capacity) {
  auto h = parseRtcpHeader(buf, len);
  if (!h) {
    ++counters_.malformed;
    return SrtpStatus::kMalformed;
  }
  const std::size_t tagLen = params_.rtcpTagLength;
  if (capacity < len || capacity - len < tagLen + kSrtcpTrailer) return SrtpStatus::kNoSpace;
  Stream* s = stream(h->ssrc);
  if (s == nullptr) {
    auto st = setRolloverCounter(h->ssrc, 0);
    if (st != SrtpStatus::kOk) return st;
    s = stream(h->ssrc);
  }
  const std::uint32_t index = s->nextSrtcpIndex;
  s->nextSrtcpIndex = (index + 1) & 0x7fffffffU;
  s->lastUse = ++useClock_;
  std::uint8_t trailer[4];
  storeBe32(trailer, kSrtcpEncryptedFlag | index);
  std::uint8_t* body = buf + kRtcpFixedHeader;
  const std::size_t blen = len - kRtcpFixedHeader;
  if (params_.aead) {
    std::uint8_t iv[12];
    gcmRtcpIv(rtcpSalt_.data(), h->ssrc, index, iv);
    if (!gcmSeal(rtcpCipher_.get(), iv, buf, kRtcpFixedHeader, trailer, 4, body, blen, buf + len))
      return SrtpStatus::kCryptoError;
    std::memcpy(buf + len + tagLen, trailer, 4);
  } else {
    std::uint8_t iv[16];
    cmIv(rtcpSalt_.data(), h->ssrc, index, iv);
    if (!cipher(rtcpCipher_.get(), iv, 1, body, blen)) return SrtpStatus::kCryptoError;
    std::memcpy(buf + len, trailer, 4);
    std::uint8_t mac[kHmacSha1Length];
    hmac(rtcpMac_, buf, len + 4, nullptr, 0, mac);
    std::memcpy(buf + len + 4, mac, tagLen);
  }
  counters_.packets++;
  counters_.bytes += len;
  len += tagLen + kSrtcpTrailer;
  return SrtpStatus::kOk;
}

SrtpStatus SrtpContext::unprotectRtcp(std::uint8_t* buf, std::size_t& len) {
  const std::size_t tagLen = params_.rtcpTagLength;
  if (len < kRtcpFixedHeader + tagLen + kSrtcpTrailer) {
    ++counters_.malformed;
    return SrtpStatus::kMalformed;
  }
  auto h = parseRtcpHeader(buf, len);
  if (!h) {
    ++counters_.malformed;
    return SrtpStatus::kMalformed;
  }
  // CM: header | body | E+index | tag.   GCM: header | body | tag | E+index.
  const std::size_t trailerPos = params_.aead ? len - kSrtcpTrailer : len - tagLen - kSrtcpTrailer;
  const std::size_t bodyEnd = len - tagLen - kSrtcpTrailer;
  const std::uint32_t word = loadBe32(buf + trailerPos);
  const bool encrypted = (word & kSrtcpEncryptedFlag) != 0;
  const std::uint32_t index = word & 0x7fffffffU;
  Stream tmp;
  Stream* s = stream(h->ssrc);
  if (s == nullptr) {
    tmp.used = true;
    tmp.ssrc = h->ssrc;
    s = &tmp;
  }
  if (!s->rtcpWindow.check(index)) {
    ++counters_.replays;
    return SrtpStatus::kReplayed;
  }
  std::uint8_t* body = buf + kRtcpFixedHeader;
  const std::size_t blen = bodyEnd - kRtcpFixedHeader;
  if (params_.aead) {
    std::uint8_t iv[12];
    gcmRtcpIv(rtcpSalt_.data(), h->ssrc, index, iv);
    std::uint8_t trailer[4];
    std::memcpy(trailer, buf + trailerPos, 4);
    const bool ok = encrypted ? gcmOpen(rtcpCipher_.get(), iv, buf, kRtcpFixedHeader, trailer, 4,
                                        body, blen, buf + bodyEnd)
                              : gcmOpen(rtcpCipher_.get(), iv, buf, bodyEnd, trailer, 4, nullptr, 0,
                                        buf + bodyEnd);
    if (!ok) {
      ++counters_.authFailures;
      return SrtpStatus::kAuthFailed;
    }
  } else {
    std::uint8_t mac[kHmacSha1Length];
    hmac(rtcpMac_, buf, len - tagLen, nullptr, 0, mac);
    if (CRYPTO_memcmp(mac, buf + len - tagLen, tagLen) != 0) {
      ++counters_.authFailures;
      return SrtpStatus::kAuthFailed;
    }
    if (encrypted) {
      std::uint8_t iv[16];
      cmIv(rtcpSalt_.data(), h->ssrc, index, iv);
      if (!cipher(rtcpCipher_.get(), iv, 0, body, blen)) return SrtpStatus::kCryptoError;
    }
  }
  if (s == &tmp) {
    s = slotForNewStream();  // only an authenticated packet can take (or evict) a slot
    *s = tmp;
  }
  s->rtcpWindow.accept(index);
  s->lastUse = ++useClock_;
  counters_.packets++;
  counters_.bytes += bodyEnd;
  len = bodyEnd;
  return SrtpStatus::kOk;
}

// ---- known-answer self-test ---------------------------------------------------------------------

namespace {

std::vector<std::uint8_t> unhex(std::string_view h) {
  std::vector<std::uint8_t> out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  int hi = -1;
  for (char c : h) {
    const int n = nib(c);
    if (n < 0) continue;
    if (hi < 0) {
      hi = n;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + n));
      hi = -1;
    }
  }
  return out;
}

core::Result<void> kat(bool ok, const char* what) {
  if (!ok) return makeError(std::string("SRTP self-test failed: ") + what);
  return {};
}

}  // namespace

core::Result<void> selfTest() {
  // RFC 3711 Appendix B.3: key derivation.
  const auto mk = unhex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto ms = unhex("0EC675AD498AFEEBB6960B3AABE6");
  std::uint8_t ck[16], cs[14], ak[20];
  if (!deriveKey(mk, ms, kLabelRtpEncryption, ck) || !deriveKey(mk, ms, kLabelRtpSalt, cs) ||
      !deriveKey(mk, ms, kLabelRtpAuth, ak))
    return makeError("SRTP self-test failed: key derivation error");
  if (auto r = kat(
          std::memcmp(ck, unhex("C61E7A93744F39EE10734AFE3FF7A087").data(), 16) == 0 &&
              std::memcmp(cs, unhex("30CBBC08863D8C85D49DB34A9AE1").data(), 14) == 0 &&
              std::memcmp(ak, unhex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4").data(), 20) == 0,
          "RFC 3711 B.3 key derivation");
      !r)
    return r;

  // RFC 3711 Appendix B.2: AES-CM keystream for session salt F0..FD, SSRC 0, index 0.
  {
    const auto key = unhex("2B7E151628AED2A6ABF7158809CF4F3C");
    const auto salt = unhex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
    std::uint8_t iv[16];
    cmIv(salt.data(), 0, 0, iv);
    std::uint8_t ks[48] = {};
    core::EvpCipherCtxPtr c(EVP_CIPHER_CTX_new());
    int outl = 0;
    const bool ok = c &&
                    EVP_EncryptInit_ex2(c.get(), EVP_aes_128_ctr(), key.data(), iv, nullptr) == 1 &&
                    EVP_EncryptUpdate(c.get(), ks, &outl, ks, 48) == 1;
    const auto want = unhex(
        "E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB "
        "41E95B3BB0A2E8DD477901E4FCA894C0");
    if (auto r = kat(ok && std::memcmp(ks, want.data(), 48) == 0, "RFC 3711 B.2 AES-CM keystream");
        !r)
      return r;
  }

  // RFC 7714 §16.1.1 (SRTP) and §17.1 (SRTCP), AEAD_AES_128_GCM with given session keys.
  SessionKeys k;
  const auto gkey = unhex("000102030405060708090a0b0c0d0e0f");
  const auto gsalt = unhex("517569642070726f2071756f");
  std::copy(gkey.begin(), gkey.end(), k.rtpKey.begin());
  std::copy(gkey.begin(), gkey.end(), k.rtcpKey.begin());
  std::copy(gsalt.begin(), gsalt.end(), k.rtpSalt.begin());
  std::copy(gsalt.begin(), gsalt.end(), k.rtcpSalt.begin());
  {
    auto tx = SrtpContext::createFromSessionKeys(SrtpSuite::kAeadAes128Gcm, k);
    auto rx = SrtpContext::createFromSessionKeys(SrtpSuite::kAeadAes128Gcm, k);
    if (!tx || !rx) return makeError("SRTP self-test failed: GCM context");
    auto pkt = unhex(
        "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e2070617274"
        "65732074726573");
    const auto plain = pkt;
    const auto want = unhex(
        "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d1"
        "9b36de3adf8833899d7f27beb16a9152cf765ee4390cce");
    std::size_t len = pkt.size();
    pkt.resize(len + kMaxSrtpTrailer);
    bool ok = (*tx)->protectRtp(pkt.data(), len, pkt.size()) == SrtpStatus::kOk &&
              len == want.size() && std::memcmp(pkt.data(), want.data(), len) == 0;
    ok = ok && (*rx)->unprotectRtp(pkt.data(), len) == SrtpStatus::kOk && len == plain.size() &&
         std::memcmp(pkt.data(), plain.data(), len) == 0;
    if (auto r = kat(ok, "RFC 7714 16.1 SRTP AEAD_AES_128_GCM"); !r) return r;
  }
  {
    auto tx = SrtpContext::createFromSessionKeys(SrtpSuite::kAeadAes128Gcm, k);
    auto rx = SrtpContext::createFromSessionKeys(SrtpSuite::kAeadAes128Gcm, k);
    if (!tx || !rx) return makeError("SRTP self-test failed: GCM context");
    auto pkt = unhex(
        "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeef"
        "deadbeefdeadbeef");
    const auto plain = pkt;
    const auto want = unhex(
        "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b46"
        "86303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4");
    (void)(*tx)->setSrtcpIndex(0x4d617273, 0x5d4);
    std::size_t len = pkt.size();
    pkt.resize(len + kMaxSrtpTrailer);
    bool ok = (*tx)->protectRtcp(pkt.data(), len, pkt.size()) == SrtpStatus::kOk &&
              len == want.size() && std::memcmp(pkt.data(), want.data(), len) == 0;
    ok = ok && (*rx)->unprotectRtcp(pkt.data(), len) == SrtpStatus::kOk && len == plain.size() &&
         std::memcmp(pkt.data(), plain.data(), len) == 0;
    if (auto r = kat(ok, "RFC 7714 17.1 SRTCP AEAD_AES_128_GCM"); !r) return r;
  }
  // CM-80 round trip with the B.3 master key, and a tamper check.
  {
    auto tx = SrtpContext::create(SrtpSuite::kAesCm128HmacSha1_80, mk, ms);
    auto rx = SrtpContext::create(SrtpSuite::kAesCm128HmacSha1_80, mk, ms);
    if (!tx || !rx) return makeError("SRTP self-test failed: CM context");
    std::uint8_t pkt[12 + 20 + kMaxSrtpTrailer] = {0x80, 0x00, 0x12, 0x34, 0,    0,
                                                   0,    1,    0xde, 0xad, 0xbe, 0xef};
    std::size_t len = 32;
    bool ok = (*tx)->protectRtp(pkt, len, sizeof pkt) == SrtpStatus::kOk && len == 42;
    std::uint8_t bad[sizeof pkt];
    std::memcpy(bad, pkt, sizeof pkt);
    bad[20] ^= 1;
    std::size_t badLen = len;
    ok = ok && (*rx)->unprotectRtp(bad, badLen) == SrtpStatus::kAuthFailed;
    ok = ok && (*rx)->unprotectRtp(pkt, len) == SrtpStatus::kOk && len == 32 && pkt[12] == 0;
    if (auto r = kat(ok, "AES_CM_128_HMAC_SHA1_80 round trip"); !r) return r;
  }
  // AES_CM_128_HMAC_SHA1_32 known answer (B.3 master key and salt, SSRC deadbeef, seq 0x1234,
  // payload bytes 0x0c..0x1f; expected output computed with libsrtp 2, see srtp_test.cc), then
  // unprotect and a tamper check.
  {
    auto tx = SrtpContext::create(SrtpSuite::kAesCm128HmacSha1_32, mk, ms);
    auto rx = SrtpContext::create(SrtpSuite::kAesCm128HmacSha1_32, mk, ms);
    if (!tx || !rx) return makeError("SRTP self-test failed: CM-32 context");
    std::uint8_t pkt[32 + kMaxSrtpTrailer] = {0x80, 0x00, 0x12, 0x34, 0,    0,
                                              0,    1,    0xde, 0xad, 0xbe, 0xef};
    for (std::uint8_t i = 12; i < 32; ++i) pkt[i] = i;
    const auto want =
        unhex("8000123400000001deadbeef121a21e1661f542e3638022c931dfe57d40487c964776ae1");
    std::size_t len = 32;
    bool ok = (*tx)->protectRtp(pkt, len, sizeof pkt) == SrtpStatus::kOk && len == want.size() &&
              std::memcmp(pkt, want.data(), len) == 0;
    std::uint8_t bad[sizeof pkt];
    std::memcpy(bad, pkt, sizeof pkt);
    bad[len - 1] ^= 0x80;
    std::size_t badLen = len;
    ok = ok && (*rx)->unprotectRtp(bad, badLen) == SrtpStatus::kAuthFailed;
    ok = ok && (*rx)->unprotectRtp(pkt, len) == SrtpStatus::kOk && len == 32 && pkt[31] == 31;
    if (auto r = kat(ok, "AES_CM_128_HMAC_SHA1_32 known answer"); !r) return r;
  }
  return {};
}

}  // namespace ccsec::media
