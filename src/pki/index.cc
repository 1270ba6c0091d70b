#include "pki/index.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/date.h"
#include "pki/files.h"

namespace ccsec::pki {
namespace {

struct ReasonName {
  RevocationReason reason;
  const char* name;
};
constexpr std::array<ReasonName, 6> kReasons{{
    {RevocationReason::kUnspecified, "unspecified"},
    {RevocationReason::kKeyCompromise, "keyCompromise"},
    {RevocationReason::kAffiliationChanged, "affiliationChanged"},
    {RevocationReason::kSuperseded, "superseded"},
    {RevocationReason::kCessationOfOperation, "cessationOfOperation"},
    {RevocationReason::kPrivilegeWithdrawn, "privilegeWithdrawn"},
}};

std::string fold(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-' || c == '_') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

bool isUpperHex(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
  });
}

bool isFingerprint(std::string_view s) {
  if (s.size() != 7 + 64 || s.substr(0, 7) != "sha256:") return false;
  return std::all_of(s.begin() + 7, s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::optional<RevocationReason> parseRevocationReason(std::string_view text) {
  const std::string want = fold(text);
  for (const auto& r : kReasons)
    if (fold(r.name) == want) return r.reason;
  return std::nullopt;
}

const char* toString(RevocationReason reason) {
  for (const auto& r : kReasons)
    if (r.reason == reason) return r.name;
  return "unspecified";
}

std::string formatUtc(std::time_t t) { return core::utcTimestamp(t); }

std::optional<std::time_t> parseUtc(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SSZ"
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z')
    return std::nullopt;
  auto day = core::Date::parse(text.substr(0, 10));
  if (!day) return std::nullopt;
  auto two = [&](std::size_t at) -> int {
    char a = text[at], b = text[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    return (a - '0') * 10 + (b - '0');
  };
  int h = two(11), m = two(14), s = two(17);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return std::nullopt;
  return static_cast<std::time_t>(day->days() * 86400 + h * 3600 + m * 60 + s);
}

IndexEntry* CertificateIndex::findSerial(std::string_view serial) {
  for (auto& e : entries)
    if (e.serial == serial) return &e;
  return nullptr;
}

const IndexEntry* CertificateIndex::findSerial(std::string_view serial) const {
  for (const auto& e : entries)
    if (e.serial == serial) return &e;
  return nullptr;
}

std::string CertificateIndex::serialize() const {
  nlohmann::json certs = nlohmann::json::array();
  for (const auto& e : entries) {
    nlohmann::json j;
    j["serial"] = e.serial;
    j["name"] = e.name;
    j["fingerprint"] = e.fingerprint;
    j["not_before"] = formatUtc(e.not_before);
    j["not_after"] = formatUtc(e.not_after);
    j["status"] = e.revoked ? "revoked" : "valid";
    if (e.revoked) {
      j["revoked_at"] = formatUtc(e.revoked_at);
      j["reason"] = toString(e.reason);
    }
    certs.push_back(std::move(j));
  }
  nlohmann::json root;
  root["version"] = 1;
  root["crl_number"] = crl_number;
  root["certificates"] = std::move(certs);
  return root.dump(2) + "\n";  // nlohmann::json objects are key-sorted: deterministic
}

core::Result<CertificateIndex> CertificateIndex::parse(std::string_view json,
                                                       const std::string& source) {
  auto bad = [&](const std::string& what) { return core::makeError(source + ": " + what); };
  nlohmann::json root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return bad("not valid JSON");
  if (!root.is_object()) return bad("expected a JSON object");
  auto version = root.find("version");
  if (version == root.end() || !version->is_number_unsigned() || version->get<std::uint64_t>() != 1)
    return bad("expected \"version\": 1");
  CertificateIndex index;
  auto number = root.find("crl_number");
  if (number == root.end() || !number->is_number_unsigned())
    return bad("expected \"crl_number\" as a non-negative integer");
  index.crl_number = number->get<std::uint64_t>();
  auto certs = root.find("certificates");
  if (certs == root.end() || !certs->is_array()) return bad("expected \"certificates\" array");
  std::size_t i = 0;
  for (const auto& j : *certs) {
    const std::string at = "certificates[" + std::to_string(i++) + "]";
    if (!j.is_object()) return bad(at + ": expected an object");
    auto str = [&](const char* key) -> std::optional<std::string> {
      auto it = j.find(key);
      if (it == j.end() || !it->is_string()) return std::nullopt;
      return it->get<std::string>();
    };
    auto time = [&](const char* key) -> std::optional<std::time_t> {
      auto s = str(key);
      return s ? parseUtc(*s) : std::nullopt;
    };
    IndexEntry e;
    auto serial = str("serial");
    if (!serial || !isUpperHex(*serial)) return bad(at + ".serial: expected upper-case hex");
    e.serial = *serial;
    auto name = str("name");
    if (!name || name->empty()) return bad(at + ".name: expected a host name");
    e.name = *name;
    auto fp = str("fingerprint");
    if (!fp || !isFingerprint(*fp)) return bad(at + ".fingerprint: expected sha256:<64 hex>");
    e.fingerprint = *fp;
    auto nb = time("not_before");
    auto na = time("not_after");
    if (!nb || !na) return bad(at + ": expected not_before/not_after as YYYY-MM-DDTHH:MM:SSZ");
    e.not_before = *nb;
    e.not_after = *na;
    auto status = str("status");
    if (status == "revoked") {
      e.revoked = true;
      auto ra = time("revoked_at");
      if (!ra) return bad(at + ".revoked_at: expected YYYY-MM-DDTHH:MM:SSZ");
      e.revoked_at = *ra;
      auto reason_text = str("reason");
      auto reason = reason_text ? parseRevocationReason(*reason_text) : std::nullopt;
      if (!reason) return bad(at + ".reason: expected an RFC 5280 reason");
      e.reason = *reason;
    } else if (status != "valid") {
      return bad(at + ".status: expected \"valid\" or \"revoked\"");
    }
    if (index.findSerial(e.serial)) return bad(at + ".serial: duplicate serial " + e.serial);
    index.entries.push_back(std::move(e));
  }
  return index;
}

core::Result<CertificateIndex> loadIndex(const std::string& path) {
  if (!fileExists(path)) return CertificateIndex{};
  auto text = readFile(path);
  if (!text) return text.error();
  return CertificateIndex::parse(*text, path);
}

core::Result<void> saveIndex(const std::string& path, const CertificateIndex& index) {
  return writeFileAtomic(path, index.serialize(), kPublicMode);
}

}  // namespace ccsec::pki
