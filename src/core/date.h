#pragma once
// Civil dates (UTC, proleptic Gregorian) as used by the inventory ("2026-11-01") and the
// --as-of flag. A Date is a day count since 1970-01-01; no time of day, no time zone.

#include <compare>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace ccsec::core {

class Date {
 public:
  constexpr Date() = default;
  /// Parses exactly "YYYY-MM-DD" with a valid calendar day; anything else is nullopt.
  static std::optional<Date> parse(std::string_view text);
  /// Today in UTC from the system clock. Code that decides on dates takes a Date instead.
  static Date today();
  static Date fromDays(std::int64_t days_since_epoch) {
    Date d;
    d.days_ = days_since_epoch;
    return d;
  }

  std::int64_t days() const { return days_; }
  std::string str() const;  // "YYYY-MM-DD"
  Date plusDays(std::int64_t n) const { return fromDays(days_ + n); }
  friend std::int64_t operator-(Date a, Date b) { return a.days_ - b.days_; }
  friend auto operator<=>(Date a, Date b) = default;

 private:
  std::int64_t days_ = 0;
};

/// "YYYY-MM-DDTHH:MM:SSZ" (UTC, whole seconds): the one timestamp format of ccsec's reports,
/// history and PKI index.
std::string utcTimestamp(std::time_t seconds);

}  // namespace ccsec::core
