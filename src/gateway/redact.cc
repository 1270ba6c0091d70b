#include "gateway/redact.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "core/hex.h"

namespace ccsec::gateway {
namespace {

const std::array<std::uint8_t, 32>& processKey() {
  static const std::array<std::uint8_t, 32> key = [] {
    std::array<std::uint8_t, 32> k{};
    if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1)
      std::abort();  // no entropy: refuse to run
    return k;
  }();
  return key;
}

}  // namespace

bool isPersonalDataTag(std::uint16_t tag) {
  if (tag >= 8 && tag <= 22)
    return true;  // ANI, UUI, DNIS, dialed number, CED, call variables 1–10
  if (tag >= 25 && tag <= 38) return true;  // device ids (calling/called numbers)
  switch (tag) {
    case 46:
    case 67:
    case 77:
    case 78:
    case 82:
    case 83:
    case 95:
    case 96:
    case 137:
    case 138:
    case 215:
      return true;
    default:
      return false;
  }
}

bool isCredentialTag(std::uint16_t tag) { return tag == 2 || tag == 49; }

namespace detail {
const std::array<bool, 256> kSensitiveTags = [] {
  std::array<bool, 256> t{};
  for (std::uint16_t i = 0; i < 256; ++i) t[i] = isPersonalDataTag(i) || isCredentialTag(i);
  return t;
}();
}  // namespace detail

std::string keyedDigest(std::span<const std::uint8_t> value) {
  const auto& key = processKey();
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), value.data(), value.size(),
       md.data(), &len);
  return core::hexLower({md.data(), std::min<std::size_t>(len, 8)});
}

std::string describeField(std::uint16_t tag, std::span<const std::uint8_t> value) {
  std::string head = "tag=" + std::to_string(tag) + " len=" + std::to_string(value.size());
  if (isCredentialTag(tag)) return head;
  if (isPersonalDataTag(tag)) return head + " hmac=" + keyedDigest(value);
  std::string out = head + " value=";
  std::size_t n = value.size() < 64 ? value.size() : 64;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t c = value[i];
    if (c == 0 && i + 1 == value.size()) break;  // STRING terminator
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      out += static_cast<char>(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace ccsec::gateway
