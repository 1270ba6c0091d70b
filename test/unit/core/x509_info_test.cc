#include "core/x509_info.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fs = std::filesystem;

// Makes a real certificate with the openssl CLI and checks what ccsec reads from it.
TEST(X509Info, ReadsNamesDatesAndFingerprints) {
  fs::path dir = fs::temp_directory_path() / ("ccsec_x509_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 10"
      " -subj /CN=rgr-a -addext subjectAltName=DNS:rgr-a.corp.example.com,IP:10.10.1.10"
      " -keyout " +
      (dir / "k.pem").string() + " -out " + (dir / "c.pem").string() + " 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto info = ccsec::core::readCertificateFile((dir / "c.pem").string());
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->common_name, "rgr-a");
  EXPECT_TRUE(info->matchesDnsName("RGR-A.corp.example.com"));
  EXPECT_FALSE(info->matchesDnsName("rgr-b.corp.example.com"));
  EXPECT_TRUE(info->matchesIp("10.10.1.10"));
  EXPECT_EQ(info->not_after - info->not_before, 10);
  EXPECT_EQ(info->fingerprint_sha256.size(), 7u + 64u);
  EXPECT_NE(info->fingerprint_sha256, info->public_key_sha256);
  EXPECT_FALSE(ccsec::core::readCertificateFile((dir / "k.pem").string()).ok());
  fs::remove_all(dir);
}
