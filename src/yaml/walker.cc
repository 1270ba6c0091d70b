#include "inventory/yaml_walk.h"

#include <charconv>
#include <set>

namespace ccsec::inventory::detail {

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

}  // namespace ccsec::inventory::detail
