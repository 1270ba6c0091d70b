#pragma once
// The one strict YAML reader: reads yaml/tree.h nodes against a schema written as key tables
// and typed reads, with "FILE:LINE:COL: key.path: expected …, found …" diagnostics. Every YAML
// input of ccsec goes through it (inventory loader, component catalog, gateway, media and
// authd configs), so every one rejects unknown keys (with a "did you mean" hint), duplicate
// keys, wrong types and out-of-range numbers the same way. A schema (which keys, which types)
// stays with the module that owns the input; only this machinery is shared.
// Not thread-safe; one Walker per document.
//
// Bounds: at most kMaxDiagnostics diagnostics are kept (then `truncated`); at most
// `max_nodes` nodes are visited (aliases count every time they are reached), after which one
// diagnostic is written and every further read returns nothing (`aborted`).

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/result.h"
#include "core/text.h"
#include "yaml/diagnostic.h"
#include "yaml/tree.h"

namespace ccsec::yaml {

struct KeySpec {
  const char* name;
  bool required = false;
};
using KeyTable = std::vector<KeySpec>;

struct Field {
  std::string_view key;  // into the Tree's arena
  Node key_node;
  Node value;
};

/// Fields of a mapping by key (merge keys `<<:` already applied; explicit keys win).
class Fields {
 public:
  std::vector<Field> items;  // few keys per object: a linear scan beats a tree
  const Field* find(std::string_view key) const {
    for (const auto& f : items)
      if (f.key == key) return &f;
    return nullptr;
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  /// The value node, or an undefined node when absent.
  Node operator[](std::string_view key) const {
    const Field* f = find(key);
    return f ? f->value : Node();
  }
};

/// Human description of a node for "found …": quoted scalar (shortened), "a mapping", ...
std::string describe(const Node& node);
std::string quote(std::string_view text);

class Walker {
 public:
  Walker(std::string file, std::size_t max_nodes) : file_(std::move(file)), max_nodes_(max_nodes) {}

  void error(const Node& at, const std::string& path, std::string message);
  void errorAt(SourceLoc loc, const std::string& path, std::string message);
  SourceLoc loc(const Node& node) const;

  /// A mapping with exactly the keys of `keys` (required ones present). Reports a non-mapping,
  /// non-scalar or duplicate keys, unknown keys (with a "did you mean" hint) and missing keys.
  /// nullopt when the node is not a mapping (already reported).
  std::optional<Fields> map(const Node& node, const std::string& path, const KeyTable& keys,
                            bool check_required = true);
  /// Items of a sequence (empty when it is not one; reported). A null node is an empty list.
  std::vector<Node> seq(const Node& node, const std::string& path);

  std::optional<std::string> str(const Node& node, const std::string& path);
  std::optional<std::int64_t> integer(const Node& node, const std::string& path, std::int64_t lo,
                                      std::int64_t hi);
  std::optional<std::uint16_t> port(const Node& node, const std::string& path);
  std::optional<bool> boolean(const Node& node, const std::string& path);
  std::vector<std::string> strList(const Node& node, const std::string& path);
  /// One of `allowed` (which are also the "did you mean" candidates).
  std::optional<std::string> oneOf(const Node& node, const std::string& path,
                                   const std::vector<std::string>& allowed);

  /// An enum spelled as toString() spells it; `all` lists every value.
  template <class E, std::size_t N>
  std::optional<E> enumeration(const Node& node, const std::string& path,
                               const std::array<E, N>& all) {
    if (!node.IsDefined()) return std::nullopt;  // a missing required key: reported by map()
    if (node.IsScalar() && !aborted_) {
      // Fast path (the common case): a valid spelling, no candidate list built.
      for (E e : all) {
        if (node.Scalar() == toString(e)) {
          if (!visit(node)) return std::nullopt;
          return e;
        }
      }
    }
    std::vector<std::string> names;
    for (E e : all) names.emplace_back(toString(e));
    auto s = oneOf(node, path, names);
    if (!s) return std::nullopt;
    for (E e : all)
      if (*s == toString(e)) return e;
    return std::nullopt;
  }

  /// Counts one visited node; false once the budget is spent.
  bool visit(const Node& node);
  bool aborted() const { return aborted_; }
  /// True (and marks the result truncated) once kMaxDiagnostics are kept: callers on hot paths
  /// skip building messages that would be dropped.
  bool full() {
    if (diagnostics.size() < kMaxDiagnostics) return false;
    truncated = true;
    return true;
  }

  const std::string& file() const { return file_; }
  std::vector<Diagnostic> diagnostics;
  bool truncated = false;

 private:
  std::string file_;
  std::size_t max_nodes_;
  std::size_t visited_ = 0;
  // Merge keys nested inside merged mappings; an alias can make a mapping merge itself, so the
  // depth is bounded (the schema itself is finite, merges are the only unbounded recursion).
  static constexpr int kMaxMergeDepth = 16;
  int merge_depth_ = 0;
  bool aborted_ = false;
  // (line, column, message) of every diagnostic kept: one YAML node reached through several
  // aliases is one mistake, reported once (at its first path).
  std::set<std::tuple<int, int, std::string>> reported_;
};

inline std::string keyPath(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out = parent;
  out += '.';
  out += key;
  return out;
}
inline std::string indexPath(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

/// Byte-level checks before libyaml sees the text, each one clear diagnostic instead of a
/// parser error or a hang: more than `max_bytes`, a NUL byte (binary file), invalid UTF-8,
/// nesting deeper than `max_depth` (a conservative count of block indents and flow brackets).
std::optional<Diagnostic> checkText(std::string_view text, const std::string& name,
                                    std::size_t max_bytes, int max_depth);

/// The diagnostics in file order, so a user fixes them top to bottom; when `aborted`, the
/// last one (why validation stopped) stays last.
void sortDiagnostics(std::vector<Diagnostic>& diagnostics, bool aborted);

/// Diagnostics (non-empty, sorted) as one error: the first as the message, every one as a
/// detail line (so a user fixes them all in one pass).
core::Error toError(const std::vector<Diagnostic>& diagnostics, bool truncated);

/// Bounds of a small YAML document (a service's config file).
struct DocumentLimits {
  std::size_t max_bytes = 1u << 20;
  int max_depth = 32;
  std::size_t max_nodes = 100'000;  // aliases count each time they are reached
};

/// Reads one small YAML document strictly: checkText(), libyaml's parse (a syntax error is a
/// diagnostic with its line and column), then `read` walks the root with a Walker; the reader
/// reports its own semantic mistakes through Walker::error so they carry the same
/// "FILE:LINE:COL: key.path:" prefix. Ok when no diagnostic was written, else toError().
core::Result<void> readDocument(std::string_view text, const std::string& name,
                                const std::function<void(Walker&, const Node&)>& read,
                                const DocumentLimits& limits = {});

/// The bytes of the file at `path` (at most `max_bytes`; more is an error naming the file).
core::Result<std::string> readFileText(const std::string& path, std::size_t max_bytes = 1u << 20);

}  // namespace ccsec::yaml
