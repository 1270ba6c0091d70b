#pragma once
// libsrtp2 as the test oracle: an independent SRTP implementation that protects what ccsec
// unprotects and vice versa.
#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <vector>

#include "media/srtp.h"

namespace ccsec::media {

class Libsrtp {
 public:
  Libsrtp(SrtpSuite suite, bool outbound, const std::vector<std::uint8_t>& keySalt) {
    static const bool once = [] { return srtp_init() == srtp_err_status_ok; }();
    EXPECT_TRUE(once);
    srtp_policy_t p;
    std::memset(&p, 0, sizeof p);
    switch (suite) {
      case SrtpSuite::kAesCm128HmacSha1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
        break;
      case SrtpSuite::kAesCm128HmacSha1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
        break;
      case SrtpSuite::kAeadAes128Gcm:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
        break;
    }
    p.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    key_ = keySalt;
    p.key = key_.data();
    p.window_size = 128;
    EXPECT_EQ(srtp_create(&s_, &p), srtp_err_status_ok);
  }
  ~Libsrtp() {
    if (s_) srtp_dealloc(s_);
  }
  srtp_err_status_t protect(std::vector<std::uint8_t>& p, std::size_t& len) {
    int l = static_cast<int>(len);
    auto st = srtp_protect(s_, p.data(), &l);
    len = static_cast<std::size_t>(l);
    return st;
  }
  srtp_err_status_t unprotect(std::vector<std::uint8_t>& p, std::size_t& len) {
    int l = static_cast<int>(len);
    auto st = srtp_unprotect(s_, p.data(), &l);
    len = static_cast<std::size_t>(l);
    return st;
  }
  srtp_err_status_t protectRtcp(std::vector<std::uint8_t>& p, std::size_t& len) {
    int l = static_cast<int>(len);
    auto st = srtp_protect_rtcp(s_, p.data(), &l);
    len = static_cast<std::size_t>(l);
    return st;
  }
  srtp_err_status_t unprotectRtcp(std::vector<std::uint8_t>& p, std::size_t& len) {
    int l = static_cast<int>(len);
    auto st = srtp_unprotect_rtcp(s_, p.data(), &l);
    len = static_cast<std::size_t>(l);
    return st;
  }

 private:
  srtp_t s_ = nullptr;
  std::vector<std::uint8_t> key_;
};

}  // namespace ccsec::media
