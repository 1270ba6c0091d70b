#pragma once
// Where a YAML mistake is and what it is: the one error shape of every YAML input ccsec reads
// (inventory, catalog, gateway, media and authd configs):
//   "FILE:LINE:COL: key.path: expected …, found …"

#include <cstddef>
#include <string>

namespace ccsec::yaml {

/// 1-based line and column of a YAML node; 0 when synthesised or the whole file is at fault.
struct SourceLoc {
  int line = 0;
  int column = 0;
};

/// At most this many diagnostics are kept per document (then the result says `truncated`).
inline constexpr std::size_t kMaxDiagnostics = 50;

struct Diagnostic {
  std::string file;
  int line = 0;          // 1-based; 0 when the whole file is at fault
  int column = 0;        // 1-based
  std::string key_path;  // "hosts[3].protection.ipsec"
  std::string message;   // "expected one of none|isolation|peer, found \"isolaton\" (did you mean
                         // \"isolation\"?)"

  /// "FILE:LINE:COL: key.path: message"
  std::string str() const;
};

}  // namespace ccsec::yaml
