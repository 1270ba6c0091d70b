#include "core/cert_identity.h"

#include <gtest/gtest.h>

namespace ccsec::core {
namespace {

CertificateInfo cert(std::string cn, std::vector<std::string> dns, std::vector<std::string> ips) {
  CertificateInfo c;
  c.common_name = std::move(cn);
  c.dns_names = std::move(dns);
  c.ip_addresses = std::move(ips);
  return c;
}

TEST(CertIdentity, SanDnsNamesWinOverTheCommonName) {
  EXPECT_TRUE(certificateCarriesName("x", {"cg-a.example.com"}, "CG-A.example.com"));
  EXPECT_FALSE(certificateCarriesName("cg-a", {"other"}, "cg-a"));  // CN ignored when SANs exist
  EXPECT_TRUE(certificateCarriesName("cg-a", {}, "cg-a"));          // CN stands in without SANs
  EXPECT_FALSE(certificateCarriesName("", {}, "cg-a"));
}

TEST(CertIdentity, WildcardsNameNoHost) {
  EXPECT_FALSE(certificateCarriesName("", {"*.example.com"}, "cg-a.example.com"));
  EXPECT_TRUE(certificateCarriesName("", {"*.example.com"}, "*.example.com"));
}

TEST(CertIdentity, HostIsNamedByItsDnsIdentityAndAddress) {
  const HostIdentity h{"cg-a", std::string("cg-a.example.com"), std::string("10.0.0.1")};
  EXPECT_FALSE(certificateNameProblem(cert("cg-a", {"cg-a.example.com", "cg-a"}, {"10.0.0.1"}), h));
  EXPECT_FALSE(certificateNameProblem(cert("cg-a", {"cg-a.example.com"}, {}), h));  // no IP SAN
  auto by_name_only = certificateNameProblem(cert("cg-a", {"cg-a"}, {"10.0.0.1"}), h);
  ASSERT_TRUE(by_name_only);  // dns_name stated: the short name is not enough
  EXPECT_EQ(by_name_only->kind, NameProblem::Kind::kName);
  EXPECT_EQ(by_name_only->message, "names DNS:cg-a, IP:10.0.0.1 but not cg-a.example.com");
  auto moved = certificateNameProblem(cert("cg-a", {"cg-a.example.com"}, {"10.0.0.2"}), h);
  ASSERT_TRUE(moved);
  EXPECT_EQ(moved->kind, NameProblem::Kind::kAddress);
  const HostIdentity short_name{"cg-a", std::nullopt, std::nullopt};
  EXPECT_FALSE(certificateNameProblem(cert("cg-a", {}, {}), short_name));
}

}  // namespace
}  // namespace ccsec::core
