// Hostile and degenerate inputs: one clear diagnostic, never a crash or a hang.
#include <gtest/gtest.h>

#include <string>

#include "fixtures.h"
#include "inventory/loader.h"

namespace ccsec::inventory {
namespace {

using testing::diags;
using testing::kMinimal;
using testing::load;
using testing::one;

TEST(LoaderLimits, EmptyFile) {
  const char* expected =
      "0:0: (document): expected an inventory (a mapping starting with \"version: 1\"), found an "
      "empty document";
  EXPECT_EQ(one(load("")), expected);
  EXPECT_EQ(one(load("\n  \n# just a comment\n")), expected);
}

TEST(LoaderLimits, NotAMapping) {
  EXPECT_EQ(one(load("hello\n")), "1:1: (document): expected a mapping, found \"hello\"");
  EXPECT_EQ(one(load("- 1\n- 2\n")), "1:1: (document): expected a mapping, found a sequence");
}

TEST(LoaderLimits, BinaryGarbage) {
  std::string nul = std::string("version: 1\nde") + '\0' + "ployment";
  EXPECT_EQ(one(load(nul)), "2:3: (document): expected YAML text, found a NUL byte (binary file?)");
  EXPECT_EQ(one(load("version: 1\nname: \xff\xfe\n")),
            "2:7: (document): expected UTF-8 text, found an invalid byte sequence (binary file?)");
  EXPECT_EQ(one(load("a: \xc0\xaf\n")),  // overlong encoding of '/'
            "1:4: (document): expected UTF-8 text, found an invalid byte sequence (binary file?)");
  EXPECT_EQ(one(load("a: \xe2\x82")),  // truncated sequence at the end
            "1:4: (document): expected UTF-8 text, found an invalid byte sequence (binary file?)");
  // Valid multi-byte UTF-8 is fine.
  auto r = load(std::string(kMinimal) + "    ou: \"OU=Zürich,DC=ex,DC=com\"\n");
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
}

TEST(LoaderLimits, SyntaxError) {
  EXPECT_EQ(one(load("version: 1\ndeployment: {name: x\n")),
            "3:1: (document): expected valid YAML, found a syntax error: did not find expected ',' "
            "or '}' "
            "while parsing a flow mapping");
}

TEST(LoaderLimits, DeepFlowNesting) {
  std::string deep =
      "version: 1\nhosts: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  EXPECT_EQ(one(load(deep)),
            "2:71: (document): expected nesting at most 64 levels deep, found deeper nesting");
}

TEST(LoaderLimits, DeepBlockNesting) {
  std::string deep = "version: 1\nhosts:\n";
  for (int i = 0; i < 200; ++i) deep += std::string(static_cast<std::size_t>(2 * i), ' ') + "- \n";
  EXPECT_EQ(one(load(deep)),
            "66:129: (document): expected nesting at most 64 levels deep, found deeper nesting");
  std::string compact = "version: 1\nhosts:\n";
  for (int i = 0; i < 100; ++i) compact += "- ";
  compact += "x\n";
  EXPECT_EQ(one(load(compact)),
            "3:201: (document): expected nesting at most 64 levels deep, found deeper nesting");
}

TEST(LoaderLimits, ModerateNestingIsNotRejected) {
  // Brackets inside quotes and comments do not count.
  auto r = load(std::string(kMinimal) + "    ou: \"" + std::string(200, '[') + "\" # " +
                std::string(200, '{') + "\n");
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
}

TEST(LoaderLimits, HugeFile) {
  std::string huge(kMaxFileBytes + 1, '#');
  EXPECT_EQ(one(load(huge)),
            "0:0: (document): expected at most 67108864 bytes, found 67108865 bytes");
}

TEST(LoaderLimits, AliasBombStopsAtTheNodeBudget) {
  // 200 aliases of a host whose role list has 1000 entries: 200,000 role nodes to visit, over
  // a budget of 50,000 (+2 per byte). The default budget (kMaxNodes) works the same way.
  std::string yaml = std::string(kMinimal) +
                     "  - &h {name: bomb, site: s1, zone: dc, address: 10.0.9.9, roles: &r [";
  for (int i = 0; i < 1000; ++i) yaml += i ? ", router" : "router";
  yaml += "]}\n";
  for (int i = 0; i < 200; ++i) yaml += "  - *h\n";
  LoadLimits limits;
  limits.max_nodes = 50'000;
  auto r = loadString(yaml, "t.yaml", Catalog::builtin(), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.truncated);
  ASSERT_LE(r.diagnostics.size(), kMaxDiagnostics);
  EXPECT_EQ(r.diagnostics.back().key_path, "(document)");
  EXPECT_EQ(r.diagnostics.back().message,
            "expected at most " + std::to_string(50'000 + 2 * yaml.size()) +
                " nodes after expanding aliases, found more (alias bomb?); validation stopped");
  // The same document within a budget that allows it is rejected only for its real problems.
  limits.max_nodes = 1'000'000;
  auto full = loadString(yaml, "t.yaml", Catalog::builtin(), limits);
  for (const auto& d : full.diagnostics) EXPECT_EQ(d.message.find("alias bomb"), std::string::npos);
}

TEST(LoaderLimits, AMappingThatMergesItselfIsAnErrorNotARecursion) {
  // Found by the loader fuzzer: `<<: *a` inside the mapping anchored as &a recursed until the
  // stack overflowed.
  std::string yaml =
      std::string(kMinimal) +
      "  - name: h1\n    site: s1\n    zone: dc\n    address: 10.0.9.9\n    roles: [router]\n"
      "    protection: &p\n      <<: *p\n";
  auto r = load(yaml);
  ASSERT_FALSE(r.ok());
  bool found = false;
  for (const auto& d : r.diagnostics)
    found = found || d.message.find("merges itself through an alias") != std::string::npos;
  EXPECT_TRUE(found) << ::testing::PrintToString(diags(r));
}

TEST(LoaderLimits, ManyErrorsAreCapped) {
  std::string yaml = kMinimal;
  for (int i = 0; i < 80; ++i)
    yaml += "  - {name: h" + std::to_string(i) +
            ", site: s1, zone: dc, address: nowhere, roles: [pg]}\n";
  auto r = load(yaml);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.diagnostics.size(), kMaxDiagnostics);
  EXPECT_EQ(r.diagnostics.front().str(),
            "t.yaml:26:45: hosts[3].address: expected an IPv4 or IPv6 address, found \"nowhere\"");
}

TEST(LoaderLimits, MissingFile) {
  auto r = loadFile("/nonexistent/inv.yaml");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].str(),
            "/nonexistent/inv.yaml:0:0: (document): expected a readable file, found No such file "
            "or directory");
}

}  // namespace
}  // namespace ccsec::inventory
