#include "probe/hello.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>

namespace ccsec::probe::hello {

namespace {

// SHA-256("HelloRetryRequest"): the ServerHello.random of a HelloRetryRequest (RFC 8446 4.1.3).
constexpr std::array<unsigned char, 32> kHrrRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// signature_algorithms (TLS 1.2/1.3): OpenSSL's default client list at security level 0.
constexpr std::array<std::uint16_t, 20> kSigAlgs = {
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
    0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602};
constexpr std::array<std::uint16_t, 3> kSigAlgsSha1 = {0x0201, 0x0202, 0x0203};

void put8(std::string& o, unsigned v) { o.push_back(static_cast<char>(v & 0xff)); }
void put16(std::string& o, unsigned v) {
  put8(o, v >> 8);
  put8(o, v);
}
void put24(std::string& o, std::size_t v) {
  put8(o, static_cast<unsigned>(v >> 16));
  put16(o, static_cast<unsigned>(v & 0xffff));
}
void extension(std::string& o, unsigned type, const std::string& body) {
  put16(o, type);
  put16(o, static_cast<unsigned>(body.size()));
  o += body;
}

/// A bounds-checked cursor over untrusted bytes: every read fails (and stays failed) past the end.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  std::size_t left() const { return ok_ ? s_.size() - i_ : 0; }
  unsigned u8() {
    if (!need(1)) return 0;
    return static_cast<unsigned char>(s_[i_++]);
  }
  unsigned u16() {
    unsigned hi = u8();
    return (hi << 8) | u8();
  }
  std::size_t u24() {
    std::size_t hi = u8();
    return (hi << 16) | u16();
  }
  std::string_view bytes(std::size_t n) {
    if (!need(n)) return {};
    std::string_view v = s_.substr(i_, n);
    i_ += n;
    return v;
  }

 private:
  bool need(std::size_t n) {
    if (!ok_ || n > s_.size() - i_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view s_;
  std::size_t i_ = 0;
  bool ok_ = true;
};

/// Parses one ServerHello body into `out`; false when malformed.
bool parseServerHello(std::string_view body, ServerReply& out, bool& hrr) {
  Reader r(body);
  out.version = static_cast<std::uint16_t>(r.u16());
  std::string_view random = r.bytes(32);
  std::size_t sid = r.u8();
  if (sid > 32) return false;
  (void)r.bytes(sid);
  out.suite = static_cast<std::uint16_t>(r.u16());
  (void)r.u8();  // compression method
  if (!r.ok()) return false;
  hrr = random.size() == 32 &&
        std::equal(random.begin(), random.end(), kHrrRandom.begin(),
                   [](char c, unsigned char h) { return static_cast<unsigned char>(c) == h; });
  if (r.left() == 0) return true;  // no extensions (TLS <= 1.2)
  std::size_t ext_len = r.u16();
  Reader ext(r.bytes(ext_len));
  if (!r.ok()) return false;
  while (ext.ok() && ext.left() > 0) {
    unsigned type = ext.u16();
    std::size_t len = ext.u16();
    Reader e(ext.bytes(len));
    if (!ext.ok()) return false;
    if (type == 43) {  // supported_versions: the selected version
      out.version = static_cast<std::uint16_t>(e.u16());
      if (!e.ok()) return false;
    } else if (type == 51) {  // key_share: the selected group (HRR) or the server's share
      out.group = static_cast<std::uint16_t>(e.u16());
      if (!e.ok()) return false;
    }
  }
  return ext.ok();
}

}  // namespace

const char* toString(ReplyKind k) {
  switch (k) {
    case ReplyKind::kIncomplete:
      return "incomplete";
    case ReplyKind::kServerHello:
      return "ServerHello";
    case ReplyKind::kHelloRetry:
      return "HelloRetryRequest";
    case ReplyKind::kAlert:
      return "alert";
    case ReplyKind::kNotTls:
      return "not TLS";
    case ReplyKind::kMalformed:
      return "malformed TLS";
  }
  return "?";
}

const std::vector<std::uint16_t>& ecGroups() {
  static const std::vector<std::uint16_t> g = {29, 23, 30, 25, 24};
  return g;
}

const std::vector<std::uint16_t>& allGroups() {
  static const std::vector<std::uint16_t> g = {29, 23, 30, 25, 24, 256, 257, 258, 259, 260};
  return g;
}

std::string groupName(std::uint16_t group) {
  switch (group) {
    case 21:
      return "secp224r1";
    case 22:
      return "secp256k1";
    case 23:
      return "secp256r1";
    case 24:
      return "secp384r1";
    case 25:
      return "secp521r1";
    case 26:
      return "brainpoolP256r1";
    case 27:
      return "brainpoolP384r1";
    case 28:
      return "brainpoolP512r1";
    case 29:
      return "x25519";
    case 30:
      return "x448";
    case 256:
      return "ffdhe2048";
    case 257:
      return "ffdhe3072";
    case 258:
      return "ffdhe4096";
    case 259:
      return "ffdhe6144";
    case 260:
      return "ffdhe8192";
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", group);
  return buf;
}

std::string buildClientHello(const ClientHelloSpec& spec) {
  const bool v13 = spec.version >= kTls13;
  std::string exts;
  if (!spec.server_name.empty() &&
      spec.server_name.find_first_not_of("0123456789.:") != std::string::npos &&
      spec.server_name.size() < 256) {
    std::string sni;
    put16(sni, static_cast<unsigned>(spec.server_name.size() + 3));
    put8(sni, 0);  // host_name
    put16(sni, static_cast<unsigned>(spec.server_name.size()));
    sni += spec.server_name;
    extension(exts, 0, sni);
  }
  if (!spec.groups.empty()) {
    std::string g;
    put16(g, static_cast<unsigned>(spec.groups.size() * 2));
    for (auto v : spec.groups) put16(g, v);
    extension(exts, 10, g);
  }
  if (!v13) extension(exts, 11, std::string("\x01\x00", 2));  // ec_point_formats: uncompressed
  if (spec.version >= kTls12) {
    std::string s;
    std::size_t n = kSigAlgs.size() + (v13 ? 0 : kSigAlgsSha1.size());
    put16(s, static_cast<unsigned>(n * 2));
    for (auto v : kSigAlgs) put16(s, v);
    if (!v13)
      for (auto v : kSigAlgsSha1) put16(s, v);
    extension(exts, 13, s);
  }
  if (!v13) {
    extension(exts, 22, "");  // encrypt_then_mac
    extension(exts, 23, "");  // extended_master_secret
  } else {
    extension(exts, 43, std::string("\x02\x03\x04", 3));  // supported_versions: TLS 1.3 only
    extension(exts, 45, std::string("\x01\x01", 2));      // psk_key_exchange_modes: psk_dhe_ke
    extension(exts, 51, std::string("\x00\x00", 2));      // key_share: none (→ HelloRetryRequest)
  }

  std::string body;
  put16(body, v13 ? kTls12 : spec.version);
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1)
    for (std::size_t k = 0; k < sizeof random; ++k) random[k] = static_cast<unsigned char>(k * 37);
  body.append(reinterpret_cast<const char*>(random), sizeof random);
  if (v13) {  // a legacy session id (middlebox compatibility mode, RFC 8446 D.4)
    put8(body, 32);
    body.append(reinterpret_cast<const char*>(random), sizeof random);
  } else {
    put8(body, 0);
  }
  std::size_t n = spec.suites.size() + (v13 ? 0 : 1);
  put16(body, static_cast<unsigned>(n * 2));
  for (auto s : spec.suites) put16(body, s);
  if (!v13) put16(body, 0x00ff);  // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
  put8(body, 1);
  put8(body, 0);  // compression: null
  put16(body, static_cast<unsigned>(exts.size()));
  body += exts;

  std::string hs;
  put8(hs, 1);  // client_hello
  put24(hs, body.size());
  hs += body;
  std::string rec;
  put8(rec, 22);
  put16(rec, kTls10);
  put16(rec, static_cast<unsigned>(hs.size()));
  rec += hs;
  return rec;
}

ServerReply parseServerReply(std::string_view bytes, bool want_key_exchange) {
  ServerReply out;
  const bool truncated = bytes.size() > kMaxReplyBytes;
  if (truncated) bytes = bytes.substr(0, kMaxReplyBytes);
  std::string hs;     // handshake bytes so far (record payloads of type 22, concatenated)
  std::size_t j = 0;  // next handshake message in hs
  bool have_hello = false;
  Reader rec(bytes);
  bool first = true;
  while (rec.left() >= 5) {
    unsigned type = rec.u8();
    unsigned major = rec.u8();
    (void)rec.u8();
    std::size_t len = rec.u16();
    if (major != 3 || (type != 20 && type != 21 && type != 22 && type != 23)) {
      out.kind = first ? ReplyKind::kNotTls : ReplyKind::kMalformed;
      return out;
    }
    if (first && type != 21 && type != 22) {
      out.kind = ReplyKind::kNotTls;
      return out;
    }
    first = false;
    if (len > 16384 + 2048) {
      out.kind = ReplyKind::kMalformed;
      return out;
    }
    if (rec.left() < len) break;  // the rest of this record has not arrived yet
    std::string_view payload = rec.bytes(len);
    if (type == 21) {
      if (have_hello) {  // an alert after the hello: what was read stands
        out.kind = ReplyKind::kServerHello;
        return out;
      }
      if (payload.size() < 2) {
        out.kind = ReplyKind::kMalformed;
        return out;
      }
      out.kind = ReplyKind::kAlert;
      out.alert_level = static_cast<std::uint8_t>(payload[0]);
      out.alert = static_cast<std::uint8_t>(payload[1]);
      return out;
    }
    if (type != 22) continue;  // ChangeCipherSpec, encrypted records after a TLS 1.3 hello
    hs.append(payload);
    while (hs.size() - j >= 4) {
      Reader m(std::string_view(hs).substr(j));
      unsigned mtype = m.u8();
      std::size_t mlen = m.u24();
      if (m.left() < mlen) break;  // message continues in the next record
      std::string_view body = m.bytes(mlen);
      j += 4 + mlen;
      if (!have_hello) {
        bool hrr = false;
        if (mtype != 2 || !parseServerHello(body, out, hrr)) {
          out.kind = ReplyKind::kMalformed;
          return out;
        }
        have_hello = true;
        if (hrr) {
          out.kind = ReplyKind::kHelloRetry;
          return out;
        }
        if (!want_key_exchange || out.version >= kTls13) {
          out.kind = ReplyKind::kServerHello;
          return out;
        }
        continue;
      }
      if (mtype == 12) {  // ServerKeyExchange: ECDHE params start curve_type(3) named_curve
        Reader k(body);
        if (k.u8() == 3) {
          auto g = static_cast<std::uint16_t>(k.u16());
          if (k.ok()) out.group = g;
        }
        out.kind = ReplyKind::kServerHello;
        return out;
      }
      if (mtype == 14) {  // ServerHelloDone without a key exchange (RSA key transport)
        out.kind = ReplyKind::kServerHello;
        return out;
      }
    }
  }
  out.kind = truncated ? ReplyKind::kMalformed : ReplyKind::kIncomplete;
  return out;
}

}  // namespace ccsec::probe::hello
