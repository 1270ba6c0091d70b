#include <gtest/gtest.h>

#include "inventory/graph.h"
#include "fixtures.h"

namespace ccsec::inventory {
namespace {

using testing::diags;
using testing::kMinimal;
using testing::load;

Model mustLoad(const std::string& yaml) {
  auto r = load(yaml);
  EXPECT_TRUE(r.ok()) << ::testing::PrintToString(diags(r));
  return r.ok() ? std::move(*r.model) : Model{};
}

TEST(Graph, DmpPortsBySide) {
  Model m = mustLoad(kMinimal);
  auto g = deriveGraph(m, Catalog::builtin());
  const Edge* a = g.find("dmp", "rgr-a", "pg-a");
  const Edge* b = g.find("dmp", "rgr-b", "pg-a");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->port, 40002);
  EXPECT_EQ(b->port, 41002);
  EXPECT_FALSE(a->tls);
  EXPECT_FALSE(a->ipsec);
  EXPECT_EQ(a->id(), "dmp:rgr-a<-pg-a");
}
}  // namespace
}  // namespace ccsec::inventory
