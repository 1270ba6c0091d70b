#pragma once
// The one hex encoder of ccsec: lower-case, two digits per byte, no separators (fingerprints,
// digests, redaction tokens). Decoding lives with the one caller that needs it (test vectors).

#include <cstdint>
#include <span>
#include <string>

namespace ccsec::core {

/// "00ff10" for {0x00, 0xff, 0x10}.
std::string hexLower(std::span<const std::uint8_t> bytes);

}  // namespace ccsec::core
