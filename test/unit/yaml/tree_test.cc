// The compact event-built YAML tree the loader walks (src/yaml/tree.h): it must
// answer exactly what yaml-cpp's DOM answered (kinds, scalars, tags, marks, aliases).
#include "yaml/tree.h"

#include <gtest/gtest.h>
#include <yaml-cpp/exceptions.h>

#include <string>
#include <vector>

namespace ccsec::yaml {
namespace {

TEST(YamlTree, KindsScalarsTagsAndMarks) {
  Tree t = Tree::parse("a: 1\nb: \"q\"\nc: ~\nd: [x, y]\ne: {f: g}\n");
  Node root = t.root();
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.size(), 5u);
  std::vector<std::string> keys;
  std::vector<Node> values;
  for (auto it = root.begin(); it != root.end(); ++it) {
    keys.emplace_back(it->first.Scalar());
    values.push_back(it->second);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_TRUE(values[0].IsScalar());
  EXPECT_EQ(values[0].Scalar(), "1");
  EXPECT_EQ(values[0].Tag(), "?");
  EXPECT_EQ(values[1].Scalar(), "q");
  EXPECT_EQ(values[1].Tag(), "!");
  EXPECT_TRUE(values[2].IsNull());
  EXPECT_EQ(values[2].Scalar(), "");
  ASSERT_TRUE(values[3].IsSequence());
  std::vector<std::string> items;
  for (const auto& item : values[3]) items.emplace_back(item.Scalar());
  EXPECT_EQ(items, (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(values[4].IsMap());
  EXPECT_EQ(values[0].Mark().line, 0);
  EXPECT_EQ(values[0].Mark().column, 3);
  EXPECT_EQ(values[4].Mark().line, 4);
  EXPECT_FALSE(Node().IsDefined());
  EXPECT_EQ(Node().Mark().line, -1);
}

TEST(YamlTree, AliasesShareTheAnchoredNodeAndDuplicateKeysStay) {
  Tree t = Tree::parse("base: &b {k: v}\nuse: *b\nuse: again\n");
  Node root = t.root();
  ASSERT_EQ(root.size(), 3u);
  auto it = root.begin();
  Node base = it->second;
  ++it;
  Node use = it->second;
  EXPECT_TRUE(use.IsMap());
  EXPECT_EQ(use.Mark().line, base.Mark().line);  // the anchored node's mark, like yaml-cpp
  EXPECT_EQ(use.Mark().column, base.Mark().column);
  EXPECT_EQ(use.begin()->second.Scalar(), "v");
  ++it;
  EXPECT_EQ(it->first.Scalar(), "use");
  EXPECT_EQ(it->second.Scalar(), "again");
}

TEST(YamlTree, EmptyDocumentIsNullAndErrorsThrow) {
  EXPECT_TRUE(Tree::parse("").root().IsNull());
  EXPECT_TRUE(Tree::parse("# only a comment\n").root().IsNull());
  EXPECT_THROW(Tree::parse("a: [1, 2\n"), YAML::Exception);
  EXPECT_THROW(Tree::parse("a: *nope\n"), YAML::Exception);
}

}  // namespace
}  // namespace ccsec::yaml
