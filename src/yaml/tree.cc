#include "yaml/tree.h"

#include <yaml-cpp/exceptions.h>
#include <yaml.h>

#include <string>
#include <unordered_map>

namespace ccsec::yaml {

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

// RAII for libyaml's C structs (the parser and one event at a time).
struct ParserGuard {
  yaml_parser_t* p;
  ~ParserGuard() { yaml_parser_delete(p); }
};
struct EventGuard {
  yaml_event_t* e;
  ~EventGuard() { yaml_event_delete(e); }
};

YAML::Mark markOf(const yaml_mark_t& m) {
  YAML::Mark mark = YAML::Mark::null_mark();
  mark.pos = static_cast<int>(m.index);
  mark.line = static_cast<int>(m.line);
  mark.column = static_cast<int>(m.column);
  return mark;
}

std::string_view text(const yaml_char_t* p) {
  return p == nullptr ? std::string_view() : std::string_view(reinterpret_cast<const char*>(p));
}

// The YAML 1.2 core schema's null forms, which yaml-cpp reports as null for untagged plain
// scalars (and libyaml leaves to the application).
bool isNullScalar(std::string_view v) {
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

}  // namespace

// Builds the tree from libyaml's event stream. Tags follow yaml-cpp's convention, which the
// walker relies on: "?" for an untagged plain scalar or collection, "!" for an untagged quoted
// scalar or an explicit "!", otherwise the resolved tag ("tag:yaml.org,2002:str", ...).
class TreeBuilder {
 public:
  explicit TreeBuilder(Tree& t) : t_(t) { t_.tags_ = {"", "?", "!"}; }

  void scalar(const yaml_event_t& e) {
    const auto& d = e.data.scalar;
    const YAML::Mark mark = markOf(e.start_mark);
    std::string_view value(reinterpret_cast<const char*>(d.value), d.length);
    std::string_view tag = text(d.tag);
    const bool plain = d.style == YAML_PLAIN_SCALAR_STYLE;
    if (tag.empty() && plain && isNullScalar(value)) {
      attach(add(NodeKind::kNull, mark, 0, d.anchor));
      return;
    }
    if (t_.arena_.size() + value.size() > std::numeric_limits<std::uint32_t>::max())
      throw YAML::ParserException(mark, "document too large");
    std::uint16_t tagIndex = tag.empty() ? (plain ? kTagPlain : kTagNonSpecific) : internTag(tag);
    std::uint32_t i = add(NodeKind::kScalar, mark, tagIndex, d.anchor);
    t_.nodes_[i].a = static_cast<std::uint32_t>(t_.arena_.size());
    t_.nodes_[i].b = static_cast<std::uint32_t>(value.size());
    t_.arena_ += value;
    attach(i);
  }

  void alias(const yaml_event_t& e) {
    auto it = anchors_.find(std::string(text(e.data.alias.anchor)));
    if (it == anchors_.end()) throw YAML::ParserException(markOf(e.start_mark), "unknown anchor");
    attach(it->second);
  }

  void start(const yaml_event_t& e, NodeKind kind) {
    const yaml_char_t* tag =
        kind == NodeKind::kMap ? e.data.mapping_start.tag : e.data.sequence_start.tag;
    const yaml_char_t* anchor =
        kind == NodeKind::kMap ? e.data.mapping_start.anchor : e.data.sequence_start.anchor;
    std::string_view t = text(tag);
    open(add(kind, markOf(e.start_mark), t.empty() ? kTagPlain : internTag(t), anchor));
  }

  void end() { close(); }

 private:
  static constexpr std::uint16_t kTagPlain = 1;        // "?"
  static constexpr std::uint16_t kTagNonSpecific = 2;  // "!"

  std::uint16_t internTag(std::string_view tag) {
    for (std::size_t i = 0; i < t_.tags_.size(); ++i)
      if (t_.tags_[i] == tag) return static_cast<std::uint16_t>(i);
    if (t_.tags_.size() >= std::numeric_limits<std::uint16_t>::max())
      throw YAML::ParserException(YAML::Mark::null_mark(), "too many distinct tags");
    t_.tags_.emplace_back(tag);
    return static_cast<std::uint16_t>(t_.tags_.size() - 1);
  }

  std::uint32_t add(NodeKind kind, const YAML::Mark& mark, std::uint16_t tag,
                    const yaml_char_t* anchor) {
    if (t_.nodes_.size() >= Node::kNone - 1) throw YAML::ParserException(mark, "too many nodes");
    Tree::Record r;
    r.kind = kind;
    r.line = mark.line;
    r.column = mark.column;
    r.tag = tag;
    auto i = static_cast<std::uint32_t>(t_.nodes_.size());
    t_.nodes_.push_back(r);
    if (anchor != nullptr)
      anchors_[std::string(text(anchor))] = i;  // a redefinition wins, as in yaml-cpp
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
  std::unordered_map<std::string, std::uint32_t> anchors_;
  std::vector<std::vector<std::uint32_t>> open_;  // children of each open container
  std::vector<std::uint32_t> owner_;
  std::size_t depth_ = 0;
};

Tree Tree::parse(std::string_view text) {
  Tree t;
  t.nodes_.reserve(text.size() / 12 + 16);
  t.kids_.reserve(text.size() / 12 + 16);
  t.arena_.reserve(text.size() / 2 + 16);
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0)
    throw YAML::ParserException(YAML::Mark::null_mark(), "out of memory");
  ParserGuard parserGuard{&parser};
  static const char kEmpty[] = "";  // libyaml asserts on a null input pointer (empty view)
  const char* data = text.data() != nullptr ? text.data() : kEmpty;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(data), text.size());
  TreeBuilder builder(t);
  for (bool done = false; !done;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0) {
      std::string why = parser.problem != nullptr ? parser.problem : "malformed YAML";
      if (parser.context != nullptr) why += std::string(" ") + parser.context;
      throw YAML::ParserException(markOf(parser.problem_mark), why);
    }
    EventGuard eventGuard{&event};
    switch (event.type) {
      case YAML_SCALAR_EVENT:
        builder.scalar(event);
        break;
      case YAML_ALIAS_EVENT:
        builder.alias(event);
        break;
      case YAML_SEQUENCE_START_EVENT:
        builder.start(event, NodeKind::kSequence);
        break;
      case YAML_MAPPING_START_EVENT:
        builder.start(event, NodeKind::kMap);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        builder.end();
        break;
      case YAML_DOCUMENT_END_EVENT:  // the first document only
      case YAML_STREAM_END_EVENT:
        done = true;
        break;
      default:
        break;  // stream/document start, no-event
    }
  }
  if (t.root_ == Node::kNone) {
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

}  // namespace ccsec::yaml
