#pragma once
// Redaction of GED-188 floating fields (reference §2.4). Personal-data tags (ANI, UUI, DNIS,
// dialed number, caller-entered digits, call variables 1–10, device ids 25–38, wrap-up data,
// DTMF, authorization/account codes, ECC named variables/arrays, customer phone/account numbers,
// first/last name, ANI II) and credentials (client password 2, agent password 49) are never
// written in clear: logs, audit, metrics and error messages see only the tag, the length and, if
// wanted, a keyed HMAC-SHA256 under a per-process random key (equal values correlate within one
// process run; nothing can be recovered or correlated across runs).
//
// Threading: all functions are thread-safe; the key is created once, on first use.

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace ccsec::gateway {

bool isPersonalDataTag(std::uint16_t tag);
bool isCredentialTag(std::uint16_t tag);

namespace detail {
// Lookup table for the hot path (one load per floating field); built from the two functions'
// definitions in redact.cc and checked against them by the unit tests.
extern const std::array<bool, 256> kSensitiveTags;
}  // namespace detail

/// Personal data or credential: anything that must not appear in clear.
inline bool isSensitiveTag(std::uint16_t tag) { return tag < 256 && detail::kSensitiveTags[tag]; }

/// First 16 hex digits of HMAC-SHA256(process key, value).
std::string keyedDigest(std::span<const std::uint8_t> value);

/// "tag=8 len=10 hmac=…" for sensitive tags (credentials: no digest at all, only tag and length);
/// for other tags the printable value itself, with non-printable bytes escaped as \xNN and cut to
/// 64 bytes.
std::string describeField(std::uint16_t tag, std::span<const std::uint8_t> value);

}  // namespace ccsec::gateway
