#include "gateway_plan/gateway_plan.h"

#include <gtest/gtest.h>

#include "inventory/loader.h"

namespace ccsec::gateway_plan {
namespace {

const inventory::Model& lab() {
  static const inventory::Model m = [] {
    auto r = inventory::loadFile("examples/lab.yaml");
    EXPECT_TRUE(r.ok());
    return std::move(*r.model);
  }();
  return m;
}

core::Result<DerivedGateway> derive(const std::string& host) {
  return deriveGateway(lab(), inventory::Catalog::builtin(), host, "/pki", "/inv");
}

const gateway::ListenerConfig* listener(const DerivedGateway& d, gateway::Mode mode,
                                        const std::string& listen) {
  for (const auto& l : d.config.listeners)
    if (l.mode == mode && l.listen.str() == listen) return &l;
  return nullptr;
}

TEST(DeriveGateway, ServerSideFrontsThePlaintextPortAndPinsTheClients) {
  auto d = derive("pg-a");
  ASSERT_TRUE(d.ok()) << d.error().message;
  const auto* l = listener(*d, gateway::Mode::kServer, "10.1.2.10:42030");
  ASSERT_NE(l, nullptr) << gatewayConfigYaml(d->config);
  EXPECT_EQ(l->forward.str(), "127.0.0.1:42027");
  EXPECT_EQ(l->protocol, gateway::Protocol::kGed188);
  EXPECT_EQ(l->tls.role, tls::Role::kServer);
  // lab.yaml gives pg-a a certificate.path: it overrides the pki layout, relative to the inventory.
  EXPECT_EQ(l->tls.cert_file, "/inv/certs/pg-a.pem");
  EXPECT_EQ(l->tls.key_file, "/inv/certs/pg-a.key");
  EXPECT_EQ(l->tls.ca_file, "/pki/ca.pem");
  EXPECT_EQ(l->tls.crl_file, "/pki/crl.pem");
  EXPECT_EQ(l->tls.allowed_peers,
            (std::vector<std::string>{"finesse-1", "finesse-1.lab.example.com"}));
  EXPECT_EQ(d->config.base_dir, "/inv");
}

TEST(DeriveGateway, ClientSideListensOnLoopbackAndPinsTheServer) {
  auto d = derive("finesse-1");
  ASSERT_TRUE(d.ok()) << d.error().message;
  const auto* a = listener(*d, gateway::Mode::kClient, "127.0.0.1:42027");
  ASSERT_NE(a, nullptr) << gatewayConfigYaml(d->config);
  EXPECT_EQ(a->forward.str(), "10.1.2.10:42030");
  EXPECT_EQ(a->tls.role, tls::Role::kClient);
  EXPECT_EQ(a->tls.allowed_peers, (std::vector<std::string>{"pg-a", "pg-a.lab.example.com"}));
  bool side_b = false;
  for (const auto& l : d->config.listeners) side_b = side_b || l.forward.str() == "10.1.2.11:43030";
  EXPECT_TRUE(side_b) << gatewayConfigYaml(d->config);
}

TEST(DeriveGateway, RefusesAHostWithNothingToFrontAndNamesWhatWasSkipped) {
  auto d = derive("cvp-1");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().cls, core::ErrorClass::kInput);
  EXPECT_NE(d.error().detail.find("skipped ged-125:cvp-1<-pg-a: listener has no separate TLS port"),
            std::string::npos)
      << d.error().detail;
  auto unknown = derive("no-such-host");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message, "host 'no-such-host' is not in the inventory");
}

TEST(DeriveGateway, YamlIsDeterministic) {
  auto a = derive("finesse-1");
  auto b = derive("finesse-1");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(gatewayConfigYaml(a->config), gatewayConfigYaml(b->config));
  EXPECT_EQ(gatewayConfigYaml(a->config).rfind("listeners:\n  - name: ", 0), 0u);
}

}  // namespace
}  // namespace ccsec::gateway_plan
