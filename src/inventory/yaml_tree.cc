#include "inventory/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <streambuf>

namespace ccsec::inventory::detail {

std::string_view Node::Scalar() const {
  if (Type() != NodeKind::kScalar) return {};
  const auto& r = tree_->nodes_[index_];
  return std::string_view(tree_->arena_).substr(r.a, r.b);
}

std::string_view Node::Tag() const {
  if (Type() == NodeKind::kUndefined) return {};
  return tree_->tags_[tree_->nodes_[index_].tag];
}

YAML::Mark Node::Mark() const {
  YAML::Mark m = YAML::Mark::null_mark();
  if (Type() == NodeKind::kUndefined) return m;
  const auto& r = tree_->nodes_[index_];
  m.line = r.line;
  m.column = r.column;
  return m;
}

std::size_t Node::size() const {
  NodeKind k = Type();
  if (k == NodeKind::kSequence) return tree_->nodes_[index_].b;
  if (k == NodeKind::kMap) return tree_->nodes_[index_].b / 2;
  return 0;
}

Node::Iterator Node::begin() const {
  NodeKind k = Type();
  if (k != NodeKind::kSequence && k != NodeKind::kMap) return Iterator(tree_, nullptr, false);
  const auto& r = tree_->nodes_[index_];
  return Iterator(tree_, tree_->kids_.data() + r.a, k == NodeKind::kMap);
}

Node::Iterator Node::end() const {
  NodeKind k = Type();
  if (k != NodeKind::kSequence && k != NodeKind::kMap) return Iterator(tree_, nullptr, false);
  const auto& r = tree_->nodes_[index_];
  return Iterator(tree_, tree_->kids_.data() + r.a + r.b, k == NodeKind::kMap);
}

namespace {

// A read-only streambuf over caller-owned bytes (no copy of the document).
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());  // read-only use: the get area is never written
    setg(p, p, p + s.size());
  }
};

}  // namespace

class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(Tree& t) : t_(t) {
    t_.tags_ = {"", "?", "!"};
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    attach(add(NodeKind::kNull, mark, 0, anchor));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || anchors_[anchor] == Node::kNone)
      throw YAML::ParserException(mark, "unknown anchor");
    attach(anchors_[anchor]);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (t_.arena_.size() + value.size() > std::numeric_limits<std::uint32_t>::max())
      throw YAML::ParserException(mark, "document too large");
    std::uint32_t i = add(NodeKind::kScalar, mark, internTag(tag), anchor);
    t_.nodes_[i].a = static_cast<std::uint32_t>(t_.arena_.size());
    t_.nodes_[i].b = static_cast<std::uint32_t>(value.size());
    t_.arena_ += value;
    attach(i);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(add(NodeKind::kSequence, mark, internTag(tag), anchor));
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(add(NodeKind::kMap, mark, internTag(tag), anchor));
  }
  void OnMapEnd() override { close(); }

 private:
  std::uint16_t internTag(const std::string& tag) {
    for (std::size_t i = 0; i < t_.tags_.size(); ++i)
      if (t_.tags_[i] == tag) return static_cast<std::uint16_t>(i);
    if (t_.tags_.size() >= std::numeric_limits<std::uint16_t>::max())
      throw YAML::ParserException(YAML::Mark::null_mark(), "too many distinct tags");
    t_.tags_.push_back(tag);
    return static_cast<std::uint16_t>(t_.tags_.size() - 1);
  }

  std::uint32_t add(NodeKind kind, const YAML::Mark& mark, std::uint16_t tag, YAML::anchor_t anchor) {
    if (t_.nodes_.size() >= Node::kNone - 1)
      throw YAML::ParserException(mark, "too many nodes");
    Tree::Record r;
    r.kind = kind;
    r.line = mark.line;
    r.column = mark.column;
    r.tag = tag;
    auto i = static_cast<std::uint32_t>(t_.nodes_.size());
    t_.nodes_.push_back(r);
    if (anchor != YAML::NullAnchor) {
      if (anchor >= anchors_.size()) anchors_.resize(anchor + 1, Node::kNone);
      anchors_[anchor] = i;
    }
    return i;
  }

  void attach(std::uint32_t i) {
    if (depth_ == 0) {
      t_.root_ = i;
    } else {
      open_[depth_ - 1].push_back(i);
    }
  }

  void open(std::uint32_t i) {
    attach(i);
    if (open_.size() <= depth_) open_.emplace_back();
    open_[depth_].clear();
    owner_.resize(depth_ + 1);
    owner_[depth_] = i;
    ++depth_;
  }

  void close() {
    --depth_;
    auto& kids = open_[depth_];
    auto& r = t_.nodes_[owner_[depth_]];
    r.a = static_cast<std::uint32_t>(t_.kids_.size());
    r.b = static_cast<std::uint32_t>(kids.size());
    t_.kids_.insert(t_.kids_.end(), kids.begin(), kids.end());
  }

  Tree& t_;
  std::vector<std::uint32_t> anchors_;
  std::vector<std::vector<std::uint32_t>> open_;  // children of each open container
  std::vector<std::uint32_t> owner_;
  std::size_t depth_ = 0;
};

Tree Tree::parse(std::string_view text) {
  Tree t;
  t.nodes_.reserve(text.size() / 12 + 16);
  t.kids_.reserve(text.size() / 12 + 16);
  t.arena_.reserve(text.size() / 2 + 16);
  ViewBuf buf(text);
  std::istream in(&buf);
  YAML::Parser parser(in);
  TreeBuilder builder(t);
  if (!parser.HandleNextDocument(builder) || t.root_ == Node::kNone) {
    Record r;
    r.kind = NodeKind::kNull;
    r.line = -1;
    r.column = -1;
    t.root_ = static_cast<std::uint32_t>(t.nodes_.size());
    t.nodes_.push_back(r);
  }
  t.nodes_.shrink_to_fit();
  t.kids_.shrink_to_fit();
  t.arena_.shrink_to_fit();
  return t;
}

}  // namespace ccsec::inventory::detail
