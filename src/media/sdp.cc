#include "media/sdp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>

namespace ccsec::media {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::optional<std::vector<std::uint8_t>> base64Decode(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 256) return std::nullopt;
  std::vector<std::uint8_t> out(in.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  if (in.back() == '=') --len;
  if (in.size() >= 2 && in[in.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::string base64Encode(const std::vector<std::uint8_t>& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), in.data(),
                                static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool isIceAttribute(std::string_view line) {
  for (std::string_view a :
       {"a=candidate:", "a=ice-ufrag:", "a=ice-pwd:", "a=ice-options:", "a=remote-candidates:",
        "a=end-of-candidates", "a=ice-lite", "a=ice-mismatch"})
    if (startsWith(line, a)) return true;
  return false;
}

}  // namespace

CryptoAttr::~CryptoAttr() {
  if (!key.empty()) OPENSSL_cleanse(key.data(), key.size());
  if (!salt.empty()) OPENSSL_cleanse(salt.data(), salt.size());
}

std::optional<CryptoAttr> parseCrypto(std::string_view value) {
  value = trim(value);
  const auto sp1 = value.find(' ');
  if (sp1 == std::string_view::npos) return std::nullopt;
  CryptoAttr c;
  std::string_view tag = value.substr(0, sp1);
  auto [p, ec] = std::from_chars(tag.data(), tag.data() + tag.size(), c.tag);
  if (ec != std::errc() || p != tag.data() + tag.size() || c.tag > 999999999) return std::nullopt;
  std::string_view rest = trim(value.substr(sp1 + 1));
  const auto sp2 = rest.find(' ');
  if (sp2 == std::string_view::npos) return std::nullopt;
  auto suite = suiteFromName(rest.substr(0, sp2));
  if (!suite) return std::nullopt;
  c.suite = *suite;
  std::string_view keyParams = trim(rest.substr(sp2 + 1));
  if (const auto sp3 = keyParams.find(' '); sp3 != std::string_view::npos)
    keyParams = keyParams.substr(0, sp3);  // session parameters follow; none change the keys
  if (keyParams.find(';') != std::string_view::npos) return std::nullopt;  // multiple keys
  if (!startsWith(keyParams, "inline:")) return std::nullopt;
  keyParams.remove_prefix(7);
  std::string_view b64 = keyParams.substr(0, keyParams.find('|'));
  if (keyParams.find('|') != std::string_view::npos) {
    // lifetime and/or MKI: ccsec does not use MKI (a second '|' or a ':' in the last field).
    std::string_view tail = keyParams.substr(keyParams.find('|') + 1);
    for (std::string_view part = tail; !part.empty();) {
      const auto bar = part.find('|');
      std::string_view field = part.substr(0, bar);
      if (field.find(':') != std::string_view::npos) return std::nullopt;
      part = bar == std::string_view::npos ? std::string_view() : part.substr(bar + 1);
    }
  }
  auto raw = base64Decode(b64);
  const auto params = suiteParams(c.suite);
  if (!raw || raw->size() != params.keyLength + params.saltLength) {
    if (raw) OPENSSL_cleanse(raw->data(), raw->size());
    return std::nullopt;
  }
  c.key.assign(raw->begin(), raw->begin() + static_cast<std::ptrdiff_t>(params.keyLength));
  c.salt.assign(raw->begin() + static_cast<std::ptrdiff_t>(params.keyLength), raw->end());
  OPENSSL_cleanse(raw->data(), raw->size());
  return c;
}

std::string formatCrypto(const CryptoAttr& c) {
  std::vector<std::uint8_t> raw = c.key;
  raw.insert(raw.end(), c.salt.begin(), c.salt.end());
  std::string out = "crypto:" + std::to_string(c.tag) + " " + std::string(suiteName(c.suite)) +
                    " inline:" + base64Encode(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return out;
}

core::Result<CryptoAttr> generateCrypto(SrtpSuite suite, std::uint32_t tag) {
  const auto p = suiteParams(suite);
  CryptoAttr c;
  c.tag = tag;
  c.suite = suite;
  c.key.resize(p.keyLength);
  c.salt.resize(p.saltLength);
  if (RAND_bytes(c.key.data(), static_cast<int>(c.key.size())) != 1 ||
      RAND_bytes(c.salt.data(), static_cast<int>(c.salt.size())) != 1)
    return core::runtimeError("RAND_bytes failed: cannot generate SRTP master key");
  return c;
}

core::Result<Sdp> parseSdp(std::string_view text) {
  Sdp sdp;
  std::size_t count = 0;
  bool sawVersion = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (++count > kMaxSdpLines) return core::makeError("SDP: too many lines");
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
      return core::makeError("SDP: malformed line " + std::to_string(count));
    if (line[0] == 'v') sawVersion = true;
    if (line[0] == 'm') {
      if (sdp.media.size() >= kMaxMedia) return core::makeError("SDP: too many media sections");
      // m=<media> <port>[/<count>] <proto> <fmt> ...
      std::string_view v = line.substr(2);
      SdpMedia m;
      const auto s1 = v.find(' ');
      if (s1 == std::string_view::npos) return core::makeError("SDP: malformed m= line");
      m.type = std::string(v.substr(0, s1));
      v = v.substr(s1 + 1);
      const auto s2 = v.find(' ');
      if (s2 == std::string_view::npos) return core::makeError("SDP: malformed m= line");
      std::string_view port = v.substr(0, s2);
      if (const auto slash = port.find('/'); slash != std::string_view::npos) {
        m.portCount = std::string(port.substr(slash));
        port = port.substr(0, slash);
      }
      auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), m.port);
      if (ec != std::errc() || p != port.data() + port.size())
        return core::makeError("SDP: bad port in m= line");
      v = v.substr(s2 + 1);
      const auto s3 = v.find(' ');
      m.proto = std::string(v.substr(0, s3));
      m.formats = s3 == std::string_view::npos ? std::string() : std::string(v.substr(s3 + 1));
      if (m.proto.empty()) return core::makeError("SDP: missing protocol in m= line");
      sdp.media.push_back(std::move(m));
      continue;
    }
    if (sdp.media.empty())
      sdp.session.emplace_back(line);
    else
      sdp.media.back().lines.emplace_back(line);
  }
  if (!sawVersion) return core::makeError("SDP: missing v= line");
  return sdp;
}

std::vector<std::string> attributes(const SdpMedia& m, std::string_view name) {
  std::vector<std::string> out;
  const std::string prefix = "a=" + std::string(name);
  for (const auto& l : m.lines) {
    if (l == prefix)
      out.emplace_back();
    else if (startsWith(l, prefix + ":"))
      out.push_back(l.substr(prefix.size() + 1));
  }
  return out;
}

bool hasAttribute(const SdpMedia& m, std::string_view name) { return !attributes(m, name).empty(); }

namespace {
std::string addressOf(std::string_view cline) {
  // c=IN IP4 1.2.3.4[/ttl]
  std::string_view v = cline.substr(2);
  const auto sp = v.rfind(' ');
  if (sp == std::string_view::npos) return {};
  std::string_view a = v.substr(sp + 1);
  return std::string(a.substr(0, a.find('/')));
}
}  // namespace

std::string connectionAddress(const Sdp& sdp, const SdpMedia& m) {
  for (const auto& l : m.lines)
    if (startsWith(l, "c=")) return addressOf(l);
  for (const auto& l : sdp.session)
    if (startsWith(l, "c=")) return addressOf(l);
  return {};
}

bool isSecureProto(std::string_view proto) { return proto == "RTP/SAVP" || proto == "RTP/SAVPF"; }

std::vector<CryptoAttr> supportedCrypto(const SdpMedia& m) {
  std::vector<CryptoAttr> out;
  for (const auto& v : attributes(m, "crypto"))
    if (auto c = parseCrypto(v)) out.push_back(std::move(*c));
  return out;
}

std::string rewriteSdp(const Sdp& sdp, const SdpRewrite& rw) {
  const std::string family = rw.address.find(':') != std::string::npos ? "IP6" : "IP4";
  std::string out;
  auto emit = [&out](std::string_view l) {
    out += l;
    out += "\r\n";
  };
  for (const auto& l : sdp.session) {
    if (startsWith(l, "c=")) {
      emit("c=IN " + family + " " + rw.address);
    } else if (startsWith(l, "o=") && rw.replaceOrigin) {
      // o=<user> <sess-id> <sess-version> IN IP4 <address>
      std::string_view v(l);
      std::size_t pos = 0;
      for (int i = 0; i < 3 && pos != std::string_view::npos; ++i) pos = v.find(' ', pos + 1);
      if (pos == std::string_view::npos)
        emit(l);
      else
        emit(std::string(v.substr(0, pos)) + " IN " + family + " " + rw.address);
    } else if (isIceAttribute(l)) {
      continue;
    } else {
      emit(l);
    }
  }
  for (std::size_t i = 0; i < sdp.media.size(); ++i) {
    const SdpMedia& m = sdp.media[i];
    if (i >= rw.media.size() || m.port == 0) {
      emit("m=" + m.type + " 0 " + m.proto + (m.formats.empty() ? "" : " " + m.formats));
      for (const auto& l : m.lines)
        if (!startsWith(l, "a=crypto:") && !isIceAttribute(l)) emit(l);
      continue;
    }
    const MediaRewrite& r = rw.media[i];
    emit("m=" + m.type + " " + std::to_string(r.port) + m.portCount + " " + r.proto +
         (m.formats.empty() ? "" : " " + m.formats));
    bool mux = false;
    for (const auto& l : m.lines) {
      if (startsWith(l, "c=")) {
        emit("c=IN " + family + " " + rw.address);
      } else if (startsWith(l, "a=crypto:") || startsWith(l, "a=rtcp:") || isIceAttribute(l)) {
        continue;
      } else if (l == "a=rtcp-mux") {
        if (r.rtcpMux == RtcpMuxMode::kRemove) continue;
        mux = true;
        emit(l);
      } else {
        emit(l);
      }
    }
    if (r.rtcpMux == RtcpMuxMode::kOffer && !mux) {
      emit("a=rtcp-mux");
      mux = true;
    }
    if (!mux) emit("a=rtcp:" + std::to_string(r.port + 1));
    for (const auto& c : r.crypto) emit("a=" + formatCrypto(c));
  }
  return out;
}

}  // namespace ccsec::media
