// Fuzzes what `ccsec authd` reads from every request before any decision: the Authorization
// header (HTTP Basic), the Cookie header (session id) and the original URI (normalised, then
// matched against the blocklist globs). Hostile bytes from any client; each parser must stay
// bounded and its output must keep its documented shape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "identity/authd.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ccsec::identity;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  std::string user, password;
  if (parseBasic(in, user, password)) {
    if (in.size() > 1024 || user.find(':') != std::string::npos) __builtin_trap();
    if (user.size() + 1 + password.size() > in.size()) __builtin_trap();
  }

  const std::string sid = sessionId(in, "ccsec_authd");
  if (!sid.empty() &&
      (sid.size() != 64 || sid.find_first_not_of("0123456789abcdef") != std::string::npos ||
       in.find(sid) == std::string_view::npos))
    __builtin_trap();

  if (auto path = normalizeUriPath(in)) {
    if (path->empty() || path->front() != '/' || path->size() > in.size() + 1) __builtin_trap();
    // (A decoded "%23" or "%3F" is a literal byte of a segment: not checked here.)
    if (path->find("//") != std::string::npos || path->find("/../") != std::string::npos ||
        path->find("/./") != std::string::npos)
      __builtin_trap();
    for (unsigned char c : *path)
      if (c < 0x20 || c == 0x7f || (c >= 'A' && c <= 'Z')) __builtin_trap();
    // Blocklist globs against the normalised path: a pattern from the first bytes of the input.
    const std::string_view pattern = in.substr(0, std::min<std::size_t>(in.size(), 64));
    (void)urlPatternMatches(pattern, *path);
    if (!urlPatternMatches("*", *path) || !urlPatternMatches(*path, *path)) {
      if (path->find('*') == std::string::npos) __builtin_trap();
    }
  }
  return 0;
}
