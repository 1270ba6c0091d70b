#pragma once
// A hand-built TLS ClientHello and a bounds-checked reader of what the server answers, for the
// probe's enumeration attempts (versions, suites, groups). Offering one version, a suite list and
// a group list costs the probe no key generation: TLS <= 1.2 hellos carry no key material, and
// TLS 1.3 hellos offer the groups with an empty key_share, so the server answers with a
// HelloRetryRequest naming its suite and group, and neither end does any cryptography. The
// attempt is closed as soon as the answer is read.
//
// Contract: buildClientHello() returns one complete TLS record. parseServerReply() reads the
// server's bytes so far (hostile input: every length checked against what is there, linear in the
// input, at most kMaxReplyBytes looked at) and says whether it is complete enough to decide.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ccsec::probe::hello {

constexpr std::uint16_t kTls10 = 0x0301;
constexpr std::uint16_t kTls11 = 0x0302;
constexpr std::uint16_t kTls12 = 0x0303;
constexpr std::uint16_t kTls13 = 0x0304;
constexpr std::size_t kMaxReplyBytes = 64 * 1024;  // certificate chains fit; more is refused

struct ClientHelloSpec {
  std::uint16_t version = kTls12;     // the one version offered
  std::vector<std::uint16_t> suites;  // IANA cipher suite code points
  std::vector<std::uint16_t> groups;  // supported_groups (TLS 1.3: with an empty key_share)
  std::string server_name;            // SNI host name (empty, or an IP literal: none sent)
  bool want_key_exchange = false;     // TLS <= 1.2: read on to the ServerKeyExchange's group
};

std::string buildClientHello(const ClientHelloSpec& spec);

enum class ReplyKind {
  kIncomplete,   // more bytes needed
  kServerHello,  // a ServerHello (TLS 1.3: a real one, a key share was chosen)
  kHelloRetry,   // a TLS 1.3 HelloRetryRequest
  kAlert,        // the server refused with an alert
  kNotTls,       // the first bytes are not a TLS handshake or alert record
  kMalformed,    // a TLS record or handshake message with inconsistent lengths
};
const char* toString(ReplyKind k);

struct ServerReply {
  ReplyKind kind = ReplyKind::kIncomplete;
  std::uint16_t version = 0;  // negotiated (supported_versions when present)
  std::uint16_t suite = 0;
  std::uint16_t group = 0;  // TLS 1.3: key_share group; TLS 1.2: ServerKeyExchange named curve
  std::uint8_t alert_level = 0;
  std::uint8_t alert = 0;
};

/// Reads the server's first flight. With `want_key_exchange` (TLS <= 1.2) a ServerHello is only
/// complete once the ServerKeyExchange (its named curve) or the ServerHelloDone was read.
ServerReply parseServerReply(std::string_view bytes, bool want_key_exchange = false);

/// Group code point → OpenSSL's name ("x25519", "secp256r1", "ffdhe2048", …); "0x…" otherwise.
std::string groupName(std::uint16_t group);
/// The groups the probe enumerates (EC and FFDHE), in OpenSSL's default client order.
const std::vector<std::uint16_t>& allGroups();
const std::vector<std::uint16_t>& ecGroups();

}  // namespace ccsec::probe::hello
