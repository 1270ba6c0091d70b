// schema/inventory.v1.json and the loader accept the same keys, object by object.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "ccsec/paths.h"
#include "inventory/loader.h"

namespace ccsec::inventory {
namespace {

nlohmann::json readSchema() {
  std::ifstream in(CCSEC_SOURCE_DIR "/schema/inventory.v1.json");
  EXPECT_TRUE(in.good());
  return nlohmann::json::parse(in);
}

std::set<std::string> asSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(SchemaKeys, EveryObjectMatchesTheLoader) {
  const nlohmann::json schema = readSchema();
  std::set<std::string> defs;
  for (const auto& [name, def] : schema.at("$defs").items()) defs.insert(name);
  std::set<std::string> objects;
  for (const auto& a : acceptedKeys()) {
    objects.insert(a.object);
    const nlohmann::json& def = a.object == "root" ? schema : schema.at("$defs").at(a.object);
    std::set<std::string> props, required;
    for (const auto& [k, v] : def.at("properties").items()) props.insert(k);
    if (def.contains("required"))
      for (const auto& k : def.at("required")) required.insert(k.get<std::string>());
    EXPECT_EQ(props, asSet(a.keys)) << a.object;
    EXPECT_EQ(required, asSet(a.required)) << a.object;
    EXPECT_EQ(def.at("additionalProperties"), false) << a.object;
  }
  objects.erase("root");
  EXPECT_EQ(defs, objects);
}

TEST(SchemaKeys, EnumsMatchTheModelSpellings) {
  const nlohmann::json schema = readSchema();
  const auto& defs = schema.at("$defs");
  auto values = [&](const char* def, const char* prop) {
    std::set<std::string> out;
    for (const auto& v : defs.at(def).at("properties").at(prop).at("enum"))
      out.insert(v.get<std::string>());
    return out;
  };
  EXPECT_EQ(values("deployment", "security_model"),
            (std::set<std::string>{
                toString(SecurityModel::kUnsecured), toString(SecurityModel::kSignaling),
                toString(SecurityModel::kAgentMedia), toString(SecurityModel::kEndToEnd)}));
  EXPECT_EQ(values("protection", "ipsec"),
            (std::set<std::string>{toString(IpsecMode::kNone), toString(IpsecMode::kIsolation),
                                   toString(IpsecMode::kPeer)}));
  EXPECT_EQ(
      values("endpoint", "kind"),
      (std::set<std::string>{toString(EndpointKind::kIpPhone), toString(EndpointKind::kSoftphone),
                             toString(EndpointKind::kMobileAgent)}));
  std::set<std::string> kinds;
  for (const auto& c : Catalog::builtin().channels()) kinds.insert(c.name);
  EXPECT_EQ(values("channel", "kind"), kinds);
}

}  // namespace
}  // namespace ccsec::inventory
