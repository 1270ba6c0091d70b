#include "yaml/walker.h"

#include <yaml-cpp/exceptions.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ccsec::yaml {

std::string Diagnostic::str() const {
  std::string out = file;
  out += ':';
  out += std::to_string(line);
  out += ':';
  out += std::to_string(column);
  out += ": ";
  out += key_path.empty() ? "(document)" : key_path;
  out += ": ";
  out += message;
  return out;
}

std::string quote(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : text) {
    if (n++ == kMax) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string describe(const Node& node) {
  if (!node.IsDefined()) return "nothing";
  switch (node.Type()) {
    case NodeKind::kNull:
      return "null";
    case NodeKind::kScalar:
      return quote(node.Scalar());
    case NodeKind::kSequence:
      return "a sequence";
    case NodeKind::kMap:
      return "a mapping";
    case NodeKind::kUndefined:
      return "nothing";
  }
  return "something else";
}

SourceLoc Walker::loc(const Node& node) const {
  if (!node.IsDefined()) return {};
  YAML::Mark m = node.Mark();
  if (m.line < 0 || m.column < 0) return {};
  return SourceLoc{m.line + 1, m.column + 1};
}

void Walker::errorAt(SourceLoc where, const std::string& path, std::string message) {
  if (diagnostics.size() >= kMaxDiagnostics) {
    truncated = true;
    return;
  }
  if (where.line > 0 && !reported_.emplace(where.line, where.column, message).second) return;
  Diagnostic d;
  d.file = file_;
  d.line = where.line;
  d.column = where.column;
  d.key_path = path.empty() ? "(document)" : path;
  d.message = std::move(message);
  diagnostics.push_back(std::move(d));
}

void Walker::error(const Node& at, const std::string& path, std::string message) {
  errorAt(loc(at), path, std::move(message));
}

bool Walker::visit(const Node& node) {
  if (aborted_) return false;
  if (++visited_ > max_nodes_) {
    aborted_ = true;
    // This one diagnostic explains why validation stopped: keep it even when the list is full.
    if (diagnostics.size() >= kMaxDiagnostics) {
      diagnostics.pop_back();
      truncated = true;
    }
    error(node, "(document)",
          "expected at most " + std::to_string(max_nodes_) +
              " nodes after expanding aliases, found more (alias bomb?); validation stopped");
    return false;
  }
  return true;
}

std::optional<Fields> Walker::map(const Node& node, const std::string& path, const KeyTable& keys,
                                  bool check_required) {
  if (!visit(node)) return std::nullopt;
  if (!node.IsMap()) {
    error(node, path, "expected a mapping, found " + describe(node));
    return std::nullopt;
  }
  auto names = [&keys] {
    std::vector<std::string> out;
    for (const auto& k : keys) out.emplace_back(k.name);
    return out;
  };
  Fields out;
  out.items.reserve(keys.size());
  std::vector<Node> merges;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!visit(it->first)) return std::nullopt;
    if (!it->first.IsScalar()) {
      error(it->first, path, "expected a plain key, found " + describe(it->first));
      continue;
    }
    std::string_view key = it->first.Scalar();
    if (key == "<<" && it->first.Tag() != "!") {
      merges.push_back(it->second);
      continue;
    }
    if (const Field* first = out.find(key)) {
      error(it->first, keyPath(path, key),
            "expected each key once, found " + quote(key) + " again (first at line " +
                std::to_string(loc(first->key_node).line) + ")");
      continue;
    }
    bool known = false;
    for (const auto& k : keys) known = known || key == k.name;
    if (!known) {
      std::vector<std::string> all = names();
      std::string msg =
          "expected one of " + core::join(all, "|") + ", found unknown key " + quote(key);
      std::string hint = core::closestMatch(key, all);
      if (!hint.empty()) msg += " (did you mean " + quote(hint) + "?)";
      error(it->first, keyPath(path, key), std::move(msg));
      continue;
    }
    out.items.push_back(Field{key, it->first, it->second});
  }
  // Merge keys (YAML 1.1 `<<`): a mapping or a sequence of mappings; explicit keys win, and
  // earlier mappings of a sequence win over later ones.
  for (const auto& m : merges) {
    std::vector<Node> sources;
    if (m.IsMap()) {
      sources.push_back(m);
    } else if (m.IsSequence()) {
      for (const auto& s : m) sources.push_back(s);
    }
    if (sources.empty() && !m.IsMap()) {
      error(m, keyPath(path, "<<"),
            "expected a mapping or a sequence of mappings to merge, found " + describe(m));
      continue;
    }
    for (const auto& src : sources) {
      if (!visit(src)) return std::nullopt;
      if (!src.IsMap()) {
        error(src, keyPath(path, "<<"), "expected a mapping to merge, found " + describe(src));
        continue;
      }
      if (merge_depth_ >= kMaxMergeDepth) {
        error(src, keyPath(path, "<<"),
              "expected merges nested at most " + std::to_string(kMaxMergeDepth) +
                  " deep, found deeper (a mapping that merges itself through an alias?)");
        return std::nullopt;
      }
      ++merge_depth_;
      auto sub = map(src, path, keys, false);  // validates its keys (reports unknown ones)
      --merge_depth_;
      if (!sub) continue;
      for (auto& f : sub->items)
        if (!out.has(f.key)) out.items.push_back(std::move(f));  // explicit keys win
    }
  }
  for (const auto& k : keys) {
    if (check_required && k.required && !out.has(k.name)) {
      error(node, path, std::string("expected key \"") + k.name + "\", found none");
    }
  }
  return out;
}

std::vector<Node> Walker::seq(const Node& node, const std::string& path) {
  std::vector<Node> out;
  if (!visit(node)) return out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (!node.IsSequence()) {
    error(node, path, "expected a sequence, found " + describe(node));
    return out;
  }
  for (const auto& item : node) out.push_back(item);
  return out;
}

std::optional<std::string> Walker::str(const Node& node, const std::string& path) {
  if (!node.IsDefined()) return std::nullopt;  // a missing required key: reported by map()
  if (!visit(node)) return std::nullopt;
  if (!node.IsScalar()) {
    error(node, path, "expected a string, found " + describe(node));
    return std::nullopt;
  }
  if (node.Scalar().empty()) {
    error(node, path, "expected a non-empty string, found \"\"");
    return std::nullopt;
  }
  return std::string(node.Scalar());
}

std::optional<std::int64_t> Walker::integer(const Node& node, const std::string& path,
                                            std::int64_t lo, std::int64_t hi) {
  if (!node.IsDefined()) return std::nullopt;  // a missing required key: reported by map()
  if (!visit(node)) return std::nullopt;
  std::string range = "an integer " + std::to_string(lo) + ".." + std::to_string(hi);
  if (!node.IsScalar()) {
    error(node, path, "expected " + range + ", found " + describe(node));
    return std::nullopt;
  }
  std::string_view s = node.Scalar();
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty() || v < lo || v > hi) {
    error(node, path, "expected " + range + ", found " + describe(node));
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint16_t> Walker::port(const Node& node, const std::string& path) {
  auto v = integer(node, path, 1, 65535);
  if (!v) return std::nullopt;
  return static_cast<std::uint16_t>(*v);
}

std::optional<bool> Walker::boolean(const Node& node, const std::string& path) {
  if (!node.IsDefined()) return std::nullopt;  // a missing required key: reported by map()
  if (!visit(node)) return std::nullopt;
  if (node.IsScalar() && node.Tag() != "!") {
    std::string_view s = node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  error(node, path, "expected a boolean (true|false), found " + describe(node));
  return std::nullopt;
}

std::vector<std::string> Walker::strList(const Node& node, const std::string& path) {
  std::vector<std::string> out;
  auto items = seq(node, path);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto s = str(items[i], indexPath(path, i))) out.push_back(*s);
  }
  return out;
}

std::optional<std::string> Walker::oneOf(const Node& node, const std::string& path,
                                         const std::vector<std::string>& allowed) {
  if (!node.IsDefined()) return std::nullopt;  // a missing required key: reported by map()
  if (!visit(node)) return std::nullopt;
  if (node.IsScalar()) {
    for (const auto& a : allowed)
      if (node.Scalar() == a) return a;
  }
  std::string msg = "expected one of " + core::join(allowed, "|") + ", found " + describe(node);
  if (node.IsScalar()) {
    std::string hint = core::closestMatch(node.Scalar(), allowed);
    if (!hint.empty()) msg += " (did you mean " + quote(hint) + "?)";
  }
  error(node, path, std::move(msg));
  return std::nullopt;
}

// ---- byte-level pre-checks (before libyaml sees the text) ------------------------------

namespace {

struct TextPos {
  int line = 1;
  int column = 1;
};

TextPos positionOf(std::string_view text, std::size_t offset) {
  TextPos p;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

// Offset of the first byte that is not valid UTF-8, or npos.
std::size_t invalidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return i;
    }
    if (i + n >= s.size()) return i;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return i;
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

// Conservative nesting estimate: block indentation levels (including compact "- " and "? "
// entries) plus flow brackets outside quotes and comments. Returns the offset where the depth
// first exceeds `limit`, or npos.
std::size_t tooDeep(std::string_view s, int limit) {
  std::vector<std::size_t> indents;
  int flow = 0;
  bool in_single = false, in_double = false;
  std::size_t i = 0;
  while (i < s.size()) {
    // Start of a line.
    std::size_t line_start = i;
    std::size_t col = 0;
    while (i < s.size() && s[i] == ' ') ++i, ++col;
    bool blank = i >= s.size() || s[i] == '\n' || s[i] == '\r' || s[i] == '#';
    if (!blank && flow == 0 && !in_single && !in_double) {
      while (!indents.empty() && indents.back() >= col) indents.pop_back();
      indents.push_back(col);
      // Compact nested entries on one line: "- - - x", "- key:", "? ".
      while (i + 1 < s.size() && (s[i] == '-' || s[i] == '?') &&
             (s[i + 1] == ' ' || s[i + 1] == '\t')) {
        i += 2;
        col += 2;
        while (i < s.size() && s[i] == ' ') ++i, ++col;
        indents.push_back(col);
      }
      if (static_cast<int>(indents.size()) > limit) return i;
    }
    // Rest of the line.
    bool comment = false;
    for (; i < s.size() && s[i] != '\n'; ++i) {
      char c = s[i];
      if (comment) continue;
      if (in_double) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          in_double = false;
        continue;
      }
      if (in_single) {
        if (c == '\'') in_single = false;
        continue;
      }
      if (c == '#' && (i == line_start || s[i - 1] == ' ' || s[i - 1] == '\t')) {
        comment = true;
      } else if (c == '"') {
        in_double = true;
      } else if (c == '\'' && (i == line_start || s[i - 1] == ' ' || s[i - 1] == '[' ||
                               s[i - 1] == '{' || s[i - 1] == ',' || s[i - 1] == ':')) {
        in_single = true;
      } else if (c == '[' || c == '{') {
        ++flow;
        if (flow + static_cast<int>(indents.size()) > limit) return i;
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
    }
    if (i < s.size()) ++i;  // the '\n'
  }
  return std::string_view::npos;
}

Diagnostic single(const std::string& name, int line, int column, std::string message) {
  Diagnostic d;
  d.file = name;
  d.line = line;
  d.column = column;
  d.key_path = "(document)";
  d.message = std::move(message);
  return d;
}

}  // namespace

std::optional<Diagnostic> checkText(std::string_view text, const std::string& name,
                                    std::size_t max_bytes, int max_depth) {
  if (text.size() > max_bytes)
    return single(name, 0, 0,
                  "expected at most " + std::to_string(max_bytes) + " bytes, found " +
                      std::to_string(text.size()) + " bytes");
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    TextPos p = positionOf(text, nul);
    return single(name, p.line, p.column, "expected YAML text, found a NUL byte (binary file?)");
  }
  if (auto bad = invalidUtf8(text); bad != std::string_view::npos) {
    TextPos p = positionOf(text, bad);
    return single(name, p.line, p.column,
                  "expected UTF-8 text, found an invalid byte sequence (binary file?)");
  }
  if (auto deep = tooDeep(text, max_depth); deep != std::string_view::npos) {
    TextPos p = positionOf(text, deep);
    return single(name, p.line, p.column,
                  "expected nesting at most " + std::to_string(max_depth) +
                      " levels deep, found deeper nesting");
  }
  return std::nullopt;
}

void sortDiagnostics(std::vector<Diagnostic>& diagnostics, bool aborted) {
  auto end = aborted && !diagnostics.empty() ? diagnostics.end() - 1 : diagnostics.end();
  std::stable_sort(diagnostics.begin(), end, [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
}

core::Error toError(const std::vector<Diagnostic>& diagnostics, bool truncated) {
  if (diagnostics.empty()) return core::makeError("invalid YAML document");
  std::string detail;
  if (diagnostics.size() > 1) {
    for (const auto& d : diagnostics) detail += d.str() + "\n";
    if (truncated) detail += "(more problems not shown)\n";
  }
  return core::makeError(diagnostics.front().str(), std::move(detail));
}

core::Result<void> readDocument(std::string_view text, const std::string& name,
                                const std::function<void(Walker&, const Node&)>& read,
                                const DocumentLimits& limits) {
  if (auto d = checkText(text, name, limits.max_bytes, limits.max_depth))
    return toError({*d}, false);
  Tree tree;
  try {
    tree = Tree::parse(text);
  } catch (const YAML::Exception& e) {
    int line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
    int col = e.mark.column >= 0 ? e.mark.column + 1 : 0;
    return toError({single(name, line, col, "expected valid YAML, found a syntax error: " + e.msg)},
                   false);
  }
  Walker w(name, limits.max_nodes);
  read(w, tree.root());
  if (w.diagnostics.empty()) return {};
  sortDiagnostics(w.diagnostics, w.aborted());
  return toError(w.diagnostics, w.truncated);
}

core::Result<std::string> readFileText(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return core::makeError("cannot read " + path + ": " + ec.message());
  if (size > max_bytes)
    return core::makeError(path + ": expected at most " + std::to_string(max_bytes) +
                           " bytes, found " + std::to_string(size) + " bytes");
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::makeError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace ccsec::yaml
