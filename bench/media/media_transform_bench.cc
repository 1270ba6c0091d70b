// Raw SRTP transform bound: ccsec (OpenSSL EVP) vs libsrtp2 (Debian, NSS backend), protect and
// unprotect of 172-byte G.711 packets, one context and 1,000 live contexts round-robin.
#include <benchmark/benchmark.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <memory>
#include <vector>

#include "media/rtp.h"
#include "media/srtp.h"

using namespace ccsec::media;

namespace {

std::vector<std::uint8_t> keyFor(SrtpSuite s, int i) {
  const auto p = suiteParams(s);
  std::vector<std::uint8_t> k(p.keyLength + p.saltLength);
  for (std::size_t j = 0; j < k.size(); ++j) k[j] = static_cast<std::uint8_t>(i * 31 + j);
  return k;
}

void fillRtp(std::uint8_t* p, std::uint32_t ssrc, std::uint16_t seq) {
  std::memset(p, 0, 172);
  p[0] = 0x80;
  storeBe16(p + 2, seq);
  storeBe32(p + 8, ssrc);
  std::memset(p + 12, 0xd5, 160);
}

void ccsecProtect(benchmark::State& st, SrtpSuite suite, int contexts) {
  std::vector<std::unique_ptr<SrtpContext>> ctx;
  for (int i = 0; i < contexts; ++i) {
    auto k = keyFor(suite, i);
    const auto p = suiteParams(suite);
    ctx.push_back(
        SrtpContext::create(suite, {k.data(), p.keyLength}, {k.data() + p.keyLength, p.saltLength})
            .value());
  }
  std::uint8_t buf[256];
  std::uint16_t seq = 0;
  std::size_t i = 0;
  for (auto _ : st) {
    fillRtp(buf, 1234, seq++);
    std::size_t len = 172;
    benchmark::DoNotOptimize(ctx[i]->protectRtp(buf, len, sizeof buf));
    if (++i == ctx.size()) i = 0;
  }
  st.SetItemsProcessed(st.iterations());
}

void ccsecUnprotect(benchmark::State& st, SrtpSuite suite, int contexts) {
  std::vector<std::unique_ptr<SrtpContext>> tx, rx;
  const auto p = suiteParams(suite);
  for (int i = 0; i < contexts; ++i) {
    auto k = keyFor(suite, i);
    tx.push_back(
        SrtpContext::create(suite, {k.data(), p.keyLength}, {k.data() + p.keyLength, p.saltLength})
            .value());
    rx.push_back(
        SrtpContext::create(suite, {k.data(), p.keyLength}, {k.data() + p.keyLength, p.saltLength})
            .value());
  }
  // Pre-protect a ring of packets per context so that only unprotect is timed.
  constexpr int kRing = 4096;
  std::vector<std::vector<std::uint8_t>> ring(kRing, std::vector<std::uint8_t>(256));
  std::vector<std::size_t> lens(kRing);
  std::vector<std::uint8_t> work(256);
  std::uint16_t seq = 0;
  std::size_t i = 0;
  int r = 0;
  auto refill = [&] {
    for (int j = 0; j < kRing; ++j) {
      const std::size_t c = (i + static_cast<std::size_t>(j)) % tx.size();
      fillRtp(ring[static_cast<std::size_t>(j)].data(), 1234,
              static_cast<std::uint16_t>(seq + j / static_cast<int>(tx.size())));
      lens[static_cast<std::size_t>(j)] = 172;
      (void)tx[c]->protectRtp(ring[static_cast<std::size_t>(j)].data(),
                              lens[static_cast<std::size_t>(j)], 256);
    }
    seq = static_cast<std::uint16_t>(seq + kRing / static_cast<int>(tx.size()) + 1);
  };
  refill();
  for (auto _ : st) {
    std::memcpy(work.data(), ring[static_cast<std::size_t>(r)].data(),
                lens[static_cast<std::size_t>(r)]);
    std::size_t len = lens[static_cast<std::size_t>(r)];
    benchmark::DoNotOptimize(
        rx[(i + static_cast<std::size_t>(r)) % rx.size()]->unprotectRtp(work.data(), len));
    if (++r == kRing) {
      st.PauseTiming();
      i = (i + kRing) % tx.size();
      refill();
      r = 0;
      st.ResumeTiming();
    }
  }
  st.SetItemsProcessed(st.iterations());
}

void setPolicy(srtp_policy_t& p, SrtpSuite suite) {
  std::memset(&p, 0, sizeof p);
  if (suite == SrtpSuite::kAeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
  }
  p.window_size = 128;
}

void libsrtpProtect(benchmark::State& st, SrtpSuite suite, int contexts) {
  srtp_init();
  std::vector<srtp_t> ctx(static_cast<std::size_t>(contexts));
  std::vector<std::vector<std::uint8_t>> keys;
  for (int i = 0; i < contexts; ++i) {
    keys.push_back(keyFor(suite, i));
    srtp_policy_t p;
    setPolicy(p, suite);
    p.ssrc.type = ssrc_any_outbound;
    p.key = keys.back().data();
    p.allow_repeat_tx = 1;
    srtp_create(&ctx[static_cast<std::size_t>(i)], &p);
  }
  std::uint8_t buf[256];
  std::uint16_t seq = 0;
  std::size_t i = 0;
  for (auto _ : st) {
    fillRtp(buf, 1234, seq++);
    int len = 172;
    benchmark::DoNotOptimize(srtp_protect(ctx[i], buf, &len));
    if (++i == ctx.size()) i = 0;
  }
  for (auto c : ctx) srtp_dealloc(c);
  st.SetItemsProcessed(st.iterations());
}

void libsrtpUnprotect(benchmark::State& st, SrtpSuite suite, int contexts) {
  srtp_init();
  std::vector<srtp_t> tx(static_cast<std::size_t>(contexts)),
      rx(static_cast<std::size_t>(contexts));
  std::vector<std::vector<std::uint8_t>> keys;
  for (int i = 0; i < contexts; ++i) {
    keys.push_back(keyFor(suite, i));
    srtp_policy_t p;
    setPolicy(p, suite);
    p.key = keys.back().data();
    p.ssrc.type = ssrc_any_outbound;
    srtp_create(&tx[static_cast<std::size_t>(i)], &p);
    p.ssrc.type = ssrc_any_inbound;
    srtp_create(&rx[static_cast<std::size_t>(i)], &p);
  }
  constexpr int kRing = 4096;
  std::vector<std::vector<std::uint8_t>> ring(kRing, std::vector<std::uint8_t>(256));
  std::vector<int> lens(kRing);
  std::vector<std::uint8_t> work(256);
  std::uint16_t seq = 0;
  std::size_t i = 0;
  int r = 0;
  auto refill = [&] {
    for (int j = 0; j < kRing; ++j) {
      const std::size_t c = (i + static_cast<std::size_t>(j)) % tx.size();
      fillRtp(ring[static_cast<std::size_t>(j)].data(), 1234,
              static_cast<std::uint16_t>(seq + j / static_cast<int>(tx.size())));
      lens[static_cast<std::size_t>(j)] = 172;
      srtp_protect(tx[c], ring[static_cast<std::size_t>(j)].data(),
                   &lens[static_cast<std::size_t>(j)]);
    }
    seq = static_cast<std::uint16_t>(seq + kRing / static_cast<int>(tx.size()) + 1);
  };
  refill();
  for (auto _ : st) {
    std::memcpy(work.data(), ring[static_cast<std::size_t>(r)].data(),
                static_cast<std::size_t>(lens[static_cast<std::size_t>(r)]));
    int len = lens[static_cast<std::size_t>(r)];
    benchmark::DoNotOptimize(
        srtp_unprotect(rx[(i + static_cast<std::size_t>(r)) % rx.size()], work.data(), &len));
    if (++r == kRing) {
      st.PauseTiming();
      i = (i + kRing) % tx.size();
      refill();
      r = 0;
      st.ResumeTiming();
    }
  }
  for (auto c : tx) srtp_dealloc(c);
  for (auto c : rx) srtp_dealloc(c);
  st.SetItemsProcessed(st.iterations());
}

}  // namespace

BENCHMARK_CAPTURE(ccsecProtect, cm80_1ctx, SrtpSuite::kAesCm128HmacSha1_80, 1);
BENCHMARK_CAPTURE(ccsecUnprotect, cm80_1ctx, SrtpSuite::kAesCm128HmacSha1_80, 1);
BENCHMARK_CAPTURE(ccsecProtect, gcm_1ctx, SrtpSuite::kAeadAes128Gcm, 1);
BENCHMARK_CAPTURE(ccsecUnprotect, gcm_1ctx, SrtpSuite::kAeadAes128Gcm, 1);
BENCHMARK_CAPTURE(ccsecUnprotect, cm80_1000ctx, SrtpSuite::kAesCm128HmacSha1_80, 1000);
BENCHMARK_CAPTURE(libsrtpProtect, cm80_1ctx, SrtpSuite::kAesCm128HmacSha1_80, 1);
BENCHMARK_CAPTURE(libsrtpUnprotect, cm80_1ctx, SrtpSuite::kAesCm128HmacSha1_80, 1);
BENCHMARK_CAPTURE(libsrtpProtect, gcm_1ctx, SrtpSuite::kAeadAes128Gcm, 1);
BENCHMARK_CAPTURE(libsrtpUnprotect, gcm_1ctx, SrtpSuite::kAeadAes128Gcm, 1);
BENCHMARK_CAPTURE(libsrtpUnprotect, cm80_1000ctx, SrtpSuite::kAesCm128HmacSha1_80, 1000);

BENCHMARK_MAIN();
