#pragma once
// A compact, read-only YAML document tree built from libyaml's event stream
// (yaml_parser_parse): the one YAML parser of ccsec. The inventory is the large YAML input:
// yaml-cpp's scanner alone took ~0.9 s for a 3.4 MB, 10,000-host inventory where libyaml's
// takes 0.08 s, and yaml-cpp's DOM (YAML::Node: per-node heap objects, linear allocating map
// lookups) cost more still. The small files (catalog, gateway, media and authd configs) are
// read through the same tree and the same strict walker (yaml/walker.h), so every YAML input
// reports mistakes the same way. yaml-cpp provides only the Mark/exception types used here.
//
// Layout: one contiguous vector of fixed-size node records, every scalar's bytes in one arena
// (scalars are string_views into it), the children of each container contiguous in one index
// vector (maps as key, value, key, value, ...). An alias is the index of its anchored node, so
// aliased subtrees are shared, exactly like yaml-cpp's DOM (marks are the anchored node's).
//
// Node is a cheap handle (tree pointer + index) whose member names mirror YAML::Node's so the
// strict walker reads the same. A Node is valid while its Tree lives; Trees are immutable after
// parse() and may be read from several threads.

#include <yaml-cpp/mark.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace ccsec::yaml {

class Tree;

enum class NodeKind : std::uint8_t { kUndefined, kNull, kScalar, kSequence, kMap };

class Node {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  Node() = default;  // undefined (an absent key)
  Node(const Tree* tree, std::uint32_t index) : tree_(tree), index_(index) {}

  NodeKind Type() const;
  bool IsDefined() const { return Type() != NodeKind::kUndefined; }
  bool IsNull() const { return Type() == NodeKind::kNull; }
  bool IsScalar() const { return Type() == NodeKind::kScalar; }
  bool IsSequence() const { return Type() == NodeKind::kSequence; }
  bool IsMap() const { return Type() == NodeKind::kMap; }
  /// The scalar's text ("" for non-scalars); valid while the Tree lives.
  std::string_view Scalar() const;
  /// yaml-cpp's tag: "?" plain, "!" quoted/non-specific, else the resolved tag.
  std::string_view Tag() const;
  /// 0-based line/column of the node (for an alias: of its anchored node).
  YAML::Mark Mark() const;
  /// Number of items (sequence) or of key/value pairs (map); 0 otherwise.
  std::size_t size() const;

  /// One element of iteration: for a sequence the item itself (first/second undefined), for a
  /// map `first` is the key and `second` the value (the element itself is the value).
  struct Item;
  class Iterator;
  Iterator begin() const;
  Iterator end() const;

 private:
  const Tree* tree_ = nullptr;
  std::uint32_t index_ = kNone;
};

struct Node::Item : Node {
  Item() = default;
  Item(Node self, Node k, Node v) : Node(self), first(k), second(v) {}
  Node first;
  Node second;
};

class Node::Iterator {
 public:
  Iterator(const Tree* tree, const std::uint32_t* pos, bool map)
      : tree_(tree), pos_(pos), map_(map) {}
  Item operator*() const { return item(); }
  struct Arrow {
    Item value;
    const Item* operator->() const { return &value; }
  };
  Arrow operator->() const { return Arrow{item()}; }
  Iterator& operator++() {
    pos_ += map_ ? 2 : 1;
    return *this;
  }
  bool operator==(const Iterator& o) const { return pos_ == o.pos_; }
  bool operator!=(const Iterator& o) const { return pos_ != o.pos_; }

 private:
  Item item() const {
    if (map_) return Item(Node(tree_, pos_[1]), Node(tree_, pos_[0]), Node(tree_, pos_[1]));
    return Item(Node(tree_, pos_[0]), Node(), Node());
  }
  const Tree* tree_;
  const std::uint32_t* pos_;
  bool map_;
};

class Tree {
 public:
  /// Parses the first document of `text` (throws YAML::ParserException with libyaml's problem
  /// text and position on malformed input; nesting depth is bounded by the caller, libyaml
  /// itself does not recurse). An empty stream gives a null root.
  static Tree parse(std::string_view text);

  Node root() const { return Node(this, root_); }

  Tree() = default;
  Tree(Tree&&) = default;
  Tree& operator=(Tree&&) = default;
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

 private:
  friend class Node;
  friend class TreeBuilder;
  struct Record {
    std::uint32_t a = 0;  // scalar: arena offset; container: first index into kids_
    std::uint32_t b = 0;  // scalar: length; container: number of kids_ entries
    std::int32_t line = 0;
    std::int32_t column = 0;
    std::uint16_t tag = 0;  // index into tags_
    NodeKind kind = NodeKind::kUndefined;
  };
  std::vector<Record> nodes_;
  std::vector<std::uint32_t> kids_;
  std::string arena_;
  std::vector<std::string> tags_;
  std::uint32_t root_ = Node::kNone;
};

inline NodeKind Node::Type() const {
  if (tree_ == nullptr || index_ == kNone) return NodeKind::kUndefined;
  return tree_->nodes_[index_].kind;
}

}  // namespace ccsec::yaml
