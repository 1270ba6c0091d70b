#pragma once
// IPv4/IPv6 addresses and CIDR prefixes as values (parsed with inet_pton, never by hand).

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ccsec::core {

class IpAddress {
 public:
  IpAddress() = default;
  /// "10.1.2.3" or "2001:db8::1"; nullopt on anything else (no zone ids, no brackets).
  static std::optional<IpAddress> parse(std::string_view text);
  bool isV6() const { return v6_; }
  /// Network byte order; 4 meaningful bytes for IPv4, 16 for IPv6.
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  std::string str() const;
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
  bool v6_ = false;
};

class Cidr {
 public:
  Cidr() = default;
  /// "10.0.0.0/8", "2001:db8::/32"; a bare address is a host prefix (/32, /128). Host bits
  /// set below the prefix are an error (nullopt), so that "10.1.2.3/8" is caught as a typo.
  static std::optional<Cidr> parse(std::string_view text);
  const IpAddress& base() const { return base_; }
  int prefix() const { return prefix_; }
  bool contains(const IpAddress& a) const;
  bool contains(const Cidr& inner) const {
    return inner.prefix_ >= prefix_ && contains(inner.base_);
  }
  std::string str() const;
  friend auto operator<=>(const Cidr&, const Cidr&) = default;

 private:
  IpAddress base_;
  int prefix_ = 0;
};

}  // namespace ccsec::core
