// The one strict YAML reader (src/yaml/walker.h) as the config readers use it: readDocument()
// with a key table and typed reads. Every mistake is "FILE:LINE:COL: key.path: expected …,
// found …"; all mistakes of a document are reported at once, in file order.
#include "yaml/walker.h"

#include <gtest/gtest.h>

#include <string>

namespace ccsec::yaml {
namespace {

const KeyTable kKeys{{"name", true}, {"port"}, {"enabled"}, {"tags"}};

struct Read {
  std::string name;
  std::int64_t port = 0;
  bool enabled = false;
  std::vector<std::string> tags;
};

core::Result<Read> read(const std::string& text) {
  Read out;
  auto r = readDocument(text, "cfg.yaml", [&out](Walker& w, const Node& root) {
    auto f = w.map(root, "", kKeys);
    if (!f) return;
    if (auto s = w.str((*f)["name"], "name")) out.name = *s;
    if (auto v = w.integer((*f)["port"], "port", 1, 65535)) out.port = *v;
    if (auto v = w.boolean((*f)["enabled"], "enabled")) out.enabled = *v;
    out.tags = w.strList((*f)["tags"], "tags");
  });
  if (!r) return r.error();
  return out;
}

TEST(YamlWalker, ReadsAValidDocument) {
  auto r = read("name: a\nport: 80\nenabled: true\ntags: [x, y]\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "a");
  EXPECT_EQ(r->port, 80);
  EXPECT_TRUE(r->enabled);
  EXPECT_EQ(r->tags, (std::vector<std::string>{"x", "y"}));
}

TEST(YamlWalker, UnknownKeyNamesFileLineColumnPathAndHint) {
  auto r = read("name: a\nportt: 80\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cfg.yaml:2:1: portt: expected one of name|port|enabled|tags, found unknown key "
            "\"portt\" (did you mean \"port\"?)");
}

TEST(YamlWalker, DuplicateKeyIsAnError) {
  auto r = read("name: a\nport: 80\nport: 81\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cfg.yaml:3:1: port: expected each key once, found \"port\" again (first at line 2)");
}

TEST(YamlWalker, WrongTypeAndOutOfRangeNameWhatWasExpected) {
  auto r = read("name: [a]\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cfg.yaml:1:7: name: expected a string, found a sequence");
  r = read("name: a\nport: 70000\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cfg.yaml:2:7: port: expected an integer 1..65535, found \"70000\"");
  r = read("name: a\nenabled: yes\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cfg.yaml:2:10: enabled: expected a boolean (true|false), found \"yes\"");
}

TEST(YamlWalker, EveryMistakeIsReportedInFileOrder) {
  auto r = read("port: x\nenabled: 3\ncolour: red\n");
  ASSERT_FALSE(r.ok());
  // The first (in file order) is the message; the detail lists them all.
  EXPECT_EQ(r.error().message, "cfg.yaml:1:1: (document): expected key \"name\", found none");
  const std::string& d = r.error().detail;
  EXPECT_NE(d.find("cfg.yaml:1:7: port:"), std::string::npos) << d;
  EXPECT_NE(d.find("cfg.yaml:2:10: enabled:"), std::string::npos) << d;
  EXPECT_NE(d.find("cfg.yaml:3:1: colour:"), std::string::npos) << d;
  EXPECT_NE(d.find("(document): expected key \"name\", found none"), std::string::npos) << d;
  EXPECT_LT(d.find("cfg.yaml:1:7"), d.find("cfg.yaml:2:10"));
}

TEST(YamlWalker, SyntaxErrorsAndHostileBytesAreOneDiagnostic) {
  auto r = read("name: [a\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind(
                "cfg.yaml:2:1: (document): expected valid YAML, found a syntax error", 0),
            0u)
      << r.error().message;
  r = read(std::string("name: a\0b\n", 10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cfg.yaml:1:8: (document): expected YAML text, found a NUL byte (binary file?)");
  r = read(std::string(40, '[') + std::string(40, ']'));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("expected nesting at most 32 levels deep"), std::string::npos);
  r = read("");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cfg.yaml:0:0: (document): expected a mapping, found null");
}

}  // namespace
}  // namespace ccsec::yaml
