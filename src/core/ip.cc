#include "core/ip.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace ccsec::core {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes_.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes_.data()) == 1) {
    a.v6_ = true;
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), buf, sizeof buf);
  return buf;
}

namespace {
bool bitsBelowPrefixClear(const IpAddress& a, int prefix) {
  int total = a.isV6() ? 128 : 32;
  for (int bit = prefix; bit < total; ++bit) {
    auto byte = a.bytes()[static_cast<size_t>(bit / 8)];
    if (byte & (0x80 >> (bit % 8))) return false;
  }
  return true;
}
}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  int max = addr->isV6() ? 128 : 32;
  int prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (ec != std::errc{} || end != p.data() + p.size() || p.empty() || prefix < 0 || prefix > max)
      return std::nullopt;
  }
  if (!bitsBelowPrefixClear(*addr, prefix)) return std::nullopt;
  Cidr c;
  c.base_ = *addr;
  c.prefix_ = prefix;
  return c;
}

bool Cidr::contains(const IpAddress& a) const {
  if (a.isV6() != base_.isV6()) return false;
  for (int bit = 0; bit < prefix_; ++bit) {
    auto i = static_cast<size_t>(bit / 8);
    int mask = 0x80 >> (bit % 8);
    if ((a.bytes()[i] & mask) != (base_.bytes()[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::str() const { return base_.str() + "/" + std::to_string(prefix_); }

}  // namespace ccsec::core
