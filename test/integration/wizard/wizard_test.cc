// ccsec wizard, scripted: the binary runs in a temp dir with test/integration/wizard/{answers.yaml,
// hosts.csv} (or variants written here); the written inventory is loaded by the real loader and
// checked by the real `ccsec check`.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ccsec/paths.h"
#include "inventory/loader.h"

namespace ccsec {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Wizard : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string t = (fs::temp_directory_path() / "ccsec-wizard-XXXXXX").string();
    ASSERT_NE(::mkdtemp(t.data()), nullptr);
    dir_ = t;
    const fs::path src = fs::path(CCSEC_SOURCE_DIR) / "test/integration/wizard";
    fs::copy_file(src / "hosts.csv", dir_ / "hosts.csv");
    fs::copy_file(src / "answers.yaml", dir_ / "answers.yaml");
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Runs `ccsec wizard ARGS` in the temp dir with stdin from `input`; returns the exit code.
  int wizard(const std::string& args, const std::string& input = "") {
    std::ofstream(dir_ / "stdin") << input;
    const std::string cmd = "cd " + dir_.string() + " && " + CCSEC_BIN + " wizard " + args +
                            " < stdin > stdout 2> stderr";
    const int st = std::system(cmd.c_str());
    out_ = slurp(dir_ / "stdout");
    err_ = slurp(dir_ / "stderr");
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  int check(const std::string& inv) {
    const std::string cmd = std::string(CCSEC_BIN) + " check " + (dir_ / inv).string() + " > " +
                            (dir_ / "check.out").string() + " 2>&1";
    const int st = std::system(cmd.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
  std::string out_, err_;
};

TEST_F(Wizard, YamlAnswersWriteAnInventoryCheckAcceptsAndRenderTheBundle) {
  ASSERT_EQ(wizard("--answers answers.yaml"), 0) << out_ << err_;
  ASSERT_TRUE(fs::exists(dir_ / "inventory.yaml"));
  auto r = inventory::loadFile((dir_ / "inventory.yaml").string(), inventory::Catalog::builtin());
  ASSERT_TRUE(r.ok()) << r.diagnostics.front().str();
  const auto& m = *r.model;
  EXPECT_EQ(m.deployment.name, "acme");
  EXPECT_EQ(m.deployment.security_model, inventory::SecurityModel::kAgentMedia);
  EXPECT_EQ(m.deployment.busy_hours, "07:00-21:00");
  ASSERT_EQ(m.sites.size(), 2u);
  EXPECT_TRUE(m.sites[0].perimeter.has_value());
  EXPECT_FALSE(m.sites[1].perimeter.has_value());
  ASSERT_EQ(m.site_links.size(), 1u);
  EXPECT_EQ(m.site_links[0].protection, inventory::LinkProtection::kIpsec);
  ASSERT_EQ(m.hosts.size(), 6u);
  // The address picked the zone; the OS defaults follow the role (VOS appliance, Linux store).
  EXPECT_EQ(m.findHost("aw-1")->zone, "east-dc");
  EXPECT_EQ(m.findHost("cucm-1")->os, inventory::Os::kVos);
  EXPECT_EQ(m.findHost("store-1")->os, inventory::Os::kLinux);
  EXPECT_EQ(m.findHost("pg-a")->os, inventory::Os::kWindows);
  EXPECT_EQ(m.findHost("rgr-b")->side, 'b');
  // Isolation on the Windows core hosts, with the non-isolated peers as boundaries.
  const auto* aw = m.findHost("aw-1");
  EXPECT_EQ(aw->protection.ipsec, inventory::IpsecMode::kIsolation);
  EXPECT_EQ(m.findHost("store-1")->protection.ipsec, inventory::IpsecMode::kNone);
  EXPECT_EQ(m.findHost("cucm-1")->protection.ipsec, inventory::IpsecMode::kNone);
  const auto& pgb = m.findHost("pg-a")->protection.ipsec_boundary;
  EXPECT_NE(std::find(pgb.begin(), pgb.end(), "cucm-1"), pgb.end()) << "jtapi peer";
  EXPECT_TRUE(*m.findHost("rgr-a")->protection.host_firewall);
  // ccsec check accepts it (0 clean or 1 findings; 2 would be an input error).
  const int rc = check("inventory.yaml");
  EXPECT_TRUE(rc == 0 || rc == 1) << rc << slurp(dir_ / "check.out");
  EXPECT_NE(out_.find("ccsec check inventory.yaml: "), std::string::npos) << out_;
  // No IPS-003: every peer an isolated host needs is isolated or a boundary.
  EXPECT_EQ(slurp(dir_ / "check.out").find("CCS-IPS-003"), std::string::npos);
  // The bundle, SQL hardening included.
  EXPECT_TRUE(fs::exists(dir_ / "bundle/hosts/rgr-a.sql-hardening.sql"));
  EXPECT_TRUE(fs::exists(dir_ / "bundle/hosts/rgr-a.firewall.ps1"));
  EXPECT_TRUE(fs::exists(dir_ / "bundle/hosts/store-1.nft"));
  EXPECT_TRUE(fs::exists(dir_ / "bundle/sites/east.perimeter.nft"));
  EXPECT_TRUE(fs::exists(dir_ / "bundle/manifest.json"));
  // The transcript shows each question with its answer.
  EXPECT_NE(out_.find("Security model [end-to-end]: agent-media\n"), std::string::npos) << out_;
  EXPECT_NE(out_.find("agent-media  signaling plus SRTP between caller and agent"),
            std::string::npos);
}

TEST_F(Wizard, KeyValueAnswersWithDefaultsAndNoRender) {
  write("a.conf",
        "# key = value form\nsites = lab\nsite.lab.zones = lab-dc:datacenter:10.10.0.0/16\n"
        "hosts_csv = hosts.csv\nipsec = none\nsql_hardening = no\nrender = no\n"
        "out = lab.yaml\n");
  // 10.10.x addresses all fall in lab-dc.
  ASSERT_EQ(wizard("--answers a.conf"), 0) << out_ << err_;
  auto r = inventory::loadFile((dir_ / "lab.yaml").string(), inventory::Catalog::builtin());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.model->deployment.name, "contact-center");  // default
  EXPECT_EQ(r.model->deployment.security_model, inventory::SecurityModel::kEndToEnd);
  EXPECT_EQ(r.model->deployment.busy_hours, "06:00-22:00");
  EXPECT_TRUE(r.model->site_links.empty());
  EXPECT_EQ(r.model->findHost("rgr-a")->protection.ipsec, inventory::IpsecMode::kNone);
  EXPECT_FALSE(fs::exists(dir_ / "bundle"));
  const int rc = check("lab.yaml");
  EXPECT_TRUE(rc == 0 || rc == 1) << slurp(dir_ / "check.out");
}

TEST_F(Wizard, UnknownKeyIsAnErrorWithLineAndHintNothingWritten) {
  write("a.yaml", "name: x\nsecurity_modle: signaling\n");
  EXPECT_EQ(wizard("--answers a.yaml"), 2);
  EXPECT_NE(err_.find("a.yaml:2: unknown answer key \"security_modle\" (did you mean "
                      "\"security_model\"?)"),
            std::string::npos)
      << err_;
  EXPECT_FALSE(fs::exists(dir_ / "inventory.yaml"));
}

TEST_F(Wizard, InvalidAnswerNamesFileLineAndKey) {
  write("a.conf", "name = t\n\nsecurity_model = full\n");
  EXPECT_EQ(wizard("--answers a.conf"), 2);
  EXPECT_NE(err_.find("a.conf:3: security_model: expected one of "
                      "unsecured|signaling|agent-media|end-to-end, found \"full\""),
            std::string::npos)
      << err_;
  write("b.conf", "sites = s\nsite.s.zones = s-dc:datacenter:10.10.0.1/16\n");
  EXPECT_EQ(wizard("--answers b.conf"), 2);
  EXPECT_NE(
      err_.find("b.conf:2: site.s.zones: zone s-dc: \"10.10.0.1/16\" is not a network prefix"),
      std::string::npos)
      << err_;
  EXPECT_FALSE(fs::exists(dir_ / "inventory.yaml"));
}

TEST_F(Wizard, CsvErrorsCarryCsvLineNumbers) {
  write("bad.csv",
        "name,address,roles\n"
        "ok-1,10.10.1.1,aw\n"
        "bad-1,10.99.0.1,aw\n"
        "bad-2,10.10.1.2,routr\n"
        "ok-1,10.10.1.3,aw\n"
        "bad-4,10.10.1.4\n");
  write("a.conf", "sites = s\nsite.s.zones = s-dc:datacenter:10.10.0.0/16\nhosts_csv = bad.csv\n");
  EXPECT_EQ(wizard("--answers a.conf"), 2);
  EXPECT_NE(err_.find("a.conf:3: hosts_csv: 4 bad host row(s) in bad.csv:"), std::string::npos)
      << err_;
  EXPECT_NE(err_.find("bad.csv:3: host bad-1: address 10.99.0.1 is in no zone (s-dc 10.10.0.0/16)"),
            std::string::npos)
      << err_;
  EXPECT_NE(err_.find("bad.csv:4: host bad-2: unknown role \"routr\" (did you mean \"router\"?)"),
            std::string::npos);
  EXPECT_NE(err_.find("bad.csv:5: host ok-1 is listed twice"), std::string::npos);
  EXPECT_NE(err_.find("bad.csv:6: expected name,address,roles[,os[,side]], found 2 fields"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "inventory.yaml"));
}

TEST_F(Wizard, ExistingInventoryIsNotOverwrittenUnlessAsked) {
  write("inventory.yaml", "keep me\n");
  write("a.conf", "sites = s\nsite.s.zones = s-dc:datacenter:10.10.0.0/16\nrender = no\n");
  EXPECT_EQ(wizard("--answers a.conf"), 2);
  EXPECT_NE(err_.find("inventory.yaml exists and overwrite is not yes"), std::string::npos) << err_;
  EXPECT_EQ(slurp(dir_ / "inventory.yaml"), "keep me\n");
  write("b.conf",
        "sites = s\nsite.s.zones = s-dc:datacenter:10.10.0.0/16\nrender = no\n"
        "overwrite = yes\n");
  EXPECT_EQ(wizard("--answers b.conf"), 0) << err_;
  EXPECT_NE(slurp(dir_ / "inventory.yaml").find("version: 1"), std::string::npos);
}

TEST_F(Wizard, PipedSessionReasksAfterAnInvalidAnswer) {
  // Lines on stdin (not a terminal): an invalid model is explained and asked again.
  const std::string input =
      "piped\n"                          // name
      "full\n"                           // security model: invalid
      "signaling\n"                      // asked again
      "\n\n"                             // tls, busy hours: defaults
      "s1\n\n"                           // sites; physical access default
      "s1-dc:datacenter:10.10.0.0/16\n"  // zones
      "\n"                               // perimeter: none
      "nope.csv\n"                       // missing file: asked again
      "hosts.csv\n"
      "\n\n\n"  // firewall, ipsec, sql
      "\n"      // out: inventory.yaml
      "no\n";   // render
  ASSERT_EQ(wizard("", input), 0) << out_ << err_;
  EXPECT_NE(out_.find("  ! expected one of unsecured|signaling|agent-media|end-to-end, found "
                      "\"full\""),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("  ! cannot read nope.csv"), std::string::npos) << out_;
  auto r = inventory::loadFile((dir_ / "inventory.yaml").string(), inventory::Catalog::builtin());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.model->deployment.security_model, inventory::SecurityModel::kSignaling);
  // Input that ends early writes nothing.
  fs::remove(dir_ / "inventory.yaml");
  EXPECT_EQ(wizard("", "x\n"), 2);
  EXPECT_NE(err_.find("input ended before security_model was answered"), std::string::npos) << err_;
  EXPECT_FALSE(fs::exists(dir_ / "inventory.yaml"));
}

}  // namespace
}  // namespace ccsec
