#include "store/audit_export.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/date.h"

namespace ccsec::store {

std::string formatUtcMs(std::int64_t ms) {
  constexpr std::int64_t kDayMs = 86'400'000;
  std::int64_t days = ms / kDayMs;
  std::int64_t rest = ms % kDayMs;
  if (rest < 0) {
    rest += kDayMs;
    --days;
  }
  const std::string date = core::Date::fromDays(days).str();
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d.%03dZ", static_cast<int>(rest / 3'600'000),
                static_cast<int>(rest / 60'000 % 60), static_cast<int>(rest / 1000 % 60),
                static_cast<int>(rest % 1000));
  return date + buf;
}

std::string auditEventJsonLine(const AuditEvent& e) {
  nlohmann::ordered_json o;
  o["id"] = e.id;
  o["time"] = formatUtcMs(e.time_ms);
  o["time_ms"] = e.time_ms;
  o["source"] = e.source;
  o["kind"] = e.kind;
  o["peer_address"] = e.peer_address;
  o["peer_identity"] = e.peer_identity;
  o["reason"] = e.reason;
  // The gateway stores detail as a JSON object; anything else is kept as its text.
  nlohmann::ordered_json detail = nlohmann::ordered_json::object();
  if (!e.detail.empty()) {
    detail = nlohmann::ordered_json::parse(e.detail, nullptr, false);
    if (detail.is_discarded()) detail = e.detail;
  }
  o["detail"] = std::move(detail);
  // Invalid UTF-8 (never written by ccsec) is replaced rather than failing the whole export.
  return o.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

core::Result<std::int64_t> parseAuditTime(std::string_view t) {
  auto bad = [&] {
    return core::makeError("invalid time '" + std::string(t) +
                           "' (expected YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]]Z or with "
                           "+HH:MM, or UNIX milliseconds)");
  };
  if (!t.empty() && t.size() <= 18 && t.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    return v;
  }
  if (t.size() < 10) return bad();
  auto date = core::Date::parse(t.substr(0, 10));
  if (!date) return bad();
  std::int64_t ms = date->days() * 86'400'000;
  if (t.size() == 10) return ms;
  int hh = 0, mm = 0, ss = 0, frac = 0;
  if ((t[10] != 'T' && t[10] != ' ') || !digits(t, 11, 2, &hh) || t.size() < 16 || t[13] != ':' ||
      !digits(t, 14, 2, &mm) || hh > 23 || mm > 59)
    return bad();
  std::size_t p = 16;
  if (p < t.size() && t[p] == ':') {
    if (!digits(t, p + 1, 2, &ss) || ss > 60) return bad();
    p += 3;
    if (p < t.size() && t[p] == '.') {
      std::size_t n = 0;
      ++p;
      while (p < t.size() && std::isdigit(static_cast<unsigned char>(t[p]))) {
        if (n < 3) frac = frac * 10 + (t[p] - '0');
        ++n;
        ++p;
      }
      if (n == 0) return bad();
      for (; n < 3; ++n) frac *= 10;
    }
  }
  ms += ((hh * 60 + mm) * 60 + ss) * 1000LL + frac;
  if (p == t.size()) return bad();  // a time of day needs its zone
  if ((t[p] == 'Z' || t[p] == 'z') && p + 1 == t.size()) return ms;
  int oh = 0, om = 0;
  if ((t[p] != '+' && t[p] != '-') || p + 6 != t.size() || !digits(t, p + 1, 2, &oh) ||
      t[p + 3] != ':' || !digits(t, p + 4, 2, &om) || oh > 23 || om > 59)
    return bad();
  const std::int64_t offset = (oh * 60 + om) * 60'000LL;
  return t[p] == '+' ? ms - offset : ms + offset;
}

}  // namespace ccsec::store
