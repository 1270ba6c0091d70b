#include "render/text_util.h"

#include <filesystem>

namespace ccsec::render {

bool isHostPrefix(const core::Cidr& c) { return c.prefix() == (c.base().isV6() ? 128 : 32); }

std::string prefixText(const core::Cidr& c) { return isHostPrefix(c) ? c.base().str() : c.str(); }

std::string netmask(int prefix) {
  std::uint32_t mask =
      prefix <= 0 ? 0u : (prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1u));
  return std::to_string(mask >> 24) + "." + std::to_string((mask >> 16) & 0xffu) + "." +
         std::to_string((mask >> 8) & 0xffu) + "." + std::to_string(mask & 0xffu);
}

std::string psQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "''";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out.push_back(c);
  }
  out += "'";
  return out;
}

std::string commentText(std::string_view s, std::size_t max_len) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\'' || c == '\\' || c == '\n' || c == '\r' || c == ';' || c == '#') {
      out.push_back(' ');
    } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
      out.push_back('?');
    } else {
      out.push_back(c);
    }
  }
  if (out.size() > max_len) out.resize(max_len);
  return out;
}

std::vector<core::Cidr> ofFamily(const std::vector<core::Cidr>& v, bool v6) {
  std::vector<core::Cidr> out;
  for (const auto& c : v) {
    if (c.base().isV6() == v6) out.push_back(c);
  }
  return out;
}

std::string renderedBy(std::string_view p, std::string_view what, std::string_view inv) {
  return std::string(p) + " " + std::string(what) + "\n" + std::string(p) +
         " Rendered by ccsec render from " + std::string(inv) + "; do not edit: re-render instead.";
}

std::string inventoryName(std::string_view source_file) {
  return std::filesystem::path(source_file).filename().string();
}

}  // namespace ccsec::render
