// Every bundled example loads without a diagnostic and derives a graph.
#include <gtest/gtest.h>

#include "ccsec/paths.h"
#include "inventory/graph.h"
#include "inventory/loader.h"

namespace ccsec::inventory {
namespace {

class Examples : public ::testing::TestWithParam<const char*> {};

TEST_P(Examples, LoadWithoutDiagnostics) {
  std::string path = std::string(CCSEC_SOURCE_DIR "/examples/") + GetParam();
  auto r = loadFile(path);
  std::string all;
  for (const auto& d : r.diagnostics) all += d.str() + "\n";
  ASSERT_TRUE(r.ok()) << all;
  auto g = deriveGraph(*r.model, Catalog::builtin());
  EXPECT_FALSE(g.edges.empty());
}

INSTANTIATE_TEST_SUITE_P(Bundled, Examples,
                         ::testing::Values("lab.yaml", "reference.yaml", "insecure.yaml"));

}  // namespace
}  // namespace ccsec::inventory
