// `ccsec pki`: a lab CA and one key + certificate per host (docs/design.md §1, issue 3).
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "core/date.h"
#include "core/result.h"
#include "core/text.h"
#include "pki/ca.h"
#include "pki/files.h"
#include "pki/inventory_fleet.h"
#include "pki/verify.h"

namespace ccsec::cli {
namespace {

struct PkiArgs {
  std::string dir;
  std::string name;
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  int days = 0;
  std::string key = "ecdsa-p256";
  std::string ca_name = "ccsec CA";
  std::string inventory;
  bool all = false;
  std::string host;
  std::string cert;
  std::string ca_chain;
  std::string reason = "unspecified";
  std::string serial;
  bool previous = false;
  std::string ca;
  std::string crl;
  std::string format = "text";
  std::string as_of;
  int warn_days = 30;
};

// Prints one line (plus detail when present) and returns the exit code for the error's class.
int fail(const std::string& verb, const core::Error& e) { return reportError("pki " + verb, e); }

int usage(const std::string& verb, const std::string& message) {
  return fail(verb, core::makeError(message));
}

void printIssued(const pki::IssuedFiles& f) {
  std::cout << "wrote " << f.cert_path << " and " << f.key_path << " (serial " << f.serial << ", "
            << f.fingerprint << ")\n";
}

core::Result<pki::CaDirectory> openCa(const PkiArgs& a) { return pki::CaDirectory::open(a.dir); }

int runInit(const PkiArgs& a) {
  auto type = pki::parseKeyType(a.key);
  if (!type) return usage("init", "unknown --key " + a.key);
  auto ca = pki::CaDirectory::init(a.dir, *type, a.ca_name, a.days ? a.days : pki::kDefaultCaDays);
  if (!ca) return fail("init", ca.error());
  // The first (empty) CRL, so that peers which require one (the gateway fails closed without
  // tls.crl) start from a fresh CA; `ccsec pki crl` republishes it before its next update.
  auto crl = ca->writeCrl();
  if (!crl) return fail("init", crl.error());
  std::cout << "wrote " << a.dir << "/ca.pem, " << a.dir << "/ca.key (" << a.key << ") and "
            << a.dir << "/crl.pem (empty, number " << *crl << ")\n";
  return kExitClean;
}

// `issue --dir DIR INV --all|--host NAME`: SANs from the inventory. --all skips hosts that
// already have a certificate in DIR (re-running it is safe); --host insists.
int runIssueInventory(const PkiArgs& a) {
  if (a.all == !a.host.empty())
    return usage("issue", "with INV give exactly one of --all, --host NAME");
  if (!a.name.empty() || !a.dns.empty() || !a.ips.empty())
    return usage("issue",
                 "--name/--dns/--ip do not combine with INV (names come from the inventory)");
  auto model = loadInventoryOrReport(a.inventory, std::cerr);
  if (!model) return kExitUsage;
  auto ca = openCa(a);
  if (!ca) return fail("issue", ca.error());
  const int days = a.days ? a.days : pki::kDefaultHostDays;
  std::vector<const inventory::Host*> hosts;
  if (a.all) {
    for (const auto& h : model->hosts) hosts.push_back(&h);
  } else {
    const inventory::Host* h = model->findHost(a.host);
    if (!h) {
      std::vector<std::string> names;
      for (const auto& x : model->hosts) names.push_back(x.name);
      std::string hint = core::closestMatch(a.host, names);
      return usage("issue", "no host \"" + a.host + "\" in " + a.inventory +
                                (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    hosts.push_back(h);
  }
  std::size_t issued_count = 0, skipped = 0;
  for (const auto* h : hosts) {
    if (a.all &&
        (pki::fileExists(ca->certPath(h->name)) || pki::fileExists(ca->keyPath(h->name)))) {
      std::cout << "kept " << ca->certPath(h->name) << " (exists; use rotate to replace it)\n";
      ++skipped;
      continue;
    }
    auto issued = ca->issue(pki::requestForHost(*h, days));
    if (!issued) return fail("issue", issued.error());
    printIssued(*issued);
    ++issued_count;
  }
  if (a.all) std::cout << issued_count << " issued, " << skipped << " kept\n";
  return kExitClean;
}

int runIssue(const PkiArgs& a) {
  if (!a.inventory.empty()) return runIssueInventory(a);
  if (a.all || !a.host.empty()) return usage("issue", "--all and --host need an inventory file");
  if (a.name.empty()) return usage("issue", "--name is required (or give INV with --all/--host)");
  auto ca = openCa(a);
  if (!ca) return fail("issue", ca.error());
  pki::HostRequest req{a.name, a.dns, a.ips, a.days ? a.days : pki::kDefaultHostDays, {}};
  auto issued = ca->issue(req);
  if (!issued) return fail("issue", issued.error());
  printIssued(*issued);
  return kExitClean;
}

int runCsr(const PkiArgs& a) {
  auto type = pki::parseKeyType(a.key);
  if (!type) return usage("csr", "unknown --key " + a.key);
  pki::HostRequest req{a.name, a.dns, a.ips, pki::kDefaultHostDays, *type};
  auto path = pki::createRequest(a.dir, req);
  if (!path) return fail("csr", path.error());
  std::cout << "wrote " << *path << " and " << a.dir << "/hosts/" << a.name
            << ".key; have it signed, then run `ccsec pki import --dir " << a.dir << " --name "
            << a.name << " --cert SIGNED.pem`\n";
  return kExitClean;
}

int runImport(const PkiArgs& a) {
  std::optional<std::string> chain;
  if (!a.ca_chain.empty()) chain = a.ca_chain;
  auto path = pki::importCertificate(a.dir, a.name, a.cert, chain);
  if (!path) return fail("import", path.error());
  std::cout << "installed " << *path << "\n";
  return kExitClean;
}

int runRevoke(const PkiArgs& a) {
  auto reason = pki::parseRevocationReason(a.reason);
  if (!reason) return usage("revoke", "unknown --reason " + a.reason);
  if (a.name.empty() == a.serial.empty())
    return usage("revoke", "give exactly one of --name, --serial");
  auto ca = openCa(a);
  if (!ca) return fail("revoke", ca.error());
  auto serial = a.serial.empty() ? ca->revoke(a.name, *reason, a.previous)
                                 : ca->revokeSerial(a.serial, *reason);
  if (!serial) return fail("revoke", serial.error());
  std::cout << "revoked " << *serial << " (" << pki::toString(*reason)
            << "); run `ccsec pki crl --dir " << a.dir << "` to publish it\n";
  return kExitClean;
}

int runCrl(const PkiArgs& a) {
  auto ca = openCa(a);
  if (!ca) return fail("crl", ca.error());
  auto number = ca->writeCrl(a.days ? a.days : pki::kDefaultCrlDays);
  if (!number) return fail("crl", number.error());
  std::cout << "wrote " << a.dir << "/crl.pem (CRL number " << *number << ")\n";
  return kExitClean;
}

int runRotate(const PkiArgs& a) {
  auto ca = openCa(a);
  if (!ca) return fail("rotate", ca.error());
  auto issued = ca->rotate(a.name, a.days ? std::optional<int>(a.days) : std::nullopt);
  if (!issued) return fail("rotate", issued.error());
  printIssued(*issued);
  std::cout << "kept the previous pair as " << a.dir << "/hosts/" << a.name
            << ".prev.{pem,key}; revoke it with `ccsec pki revoke --dir " << a.dir << " --name "
            << a.name << " --previous --reason superseded`\n";
  return kExitClean;
}

int runVerify(const PkiArgs& a) {
  pki::VerifyOptions options;
  options.expiry_warning_days = a.warn_days;
  if (a.as_of.empty()) {
    options.now = std::time(nullptr);
  } else {
    auto day = core::Date::parse(a.as_of);
    if (!day) return usage("verify", "--as-of expects YYYY-MM-DD, got \"" + a.as_of + "\"");
    options.now = static_cast<std::time_t>(day->days() * 86400);
  }
  if (!a.ca.empty()) {
    options.ca_files.push_back(a.ca);
  } else if (!a.dir.empty()) {
    if (!pki::fileExists(a.dir + "/ca.pem"))
      return usage("verify", a.dir + "/ca.pem does not exist");
    options.ca_files.push_back(a.dir + "/ca.pem");
  }
  if (!a.crl.empty()) {
    options.crl_file = a.crl;
  } else if (!a.dir.empty() && pki::fileExists(a.dir + "/crl.pem")) {
    options.crl_file = a.dir + "/crl.pem";
  }
  auto model = loadInventoryOrReport(a.inventory, std::cerr);
  if (!model) return kExitUsage;
  auto report = pki::verifyFleet(pki::fleetFromInventory(*model), options);
  if (!report) return fail("verify", report.error());
  std::cout << (a.format == "json" ? report->json() : report->text());
  return checkStdout("pki verify", report->ok() ? kExitClean : kExitFindings);
}

CLI::App* addDir(CLI::App* sub, PkiArgs& a) {
  sub->add_option("--dir", a.dir, "CA directory")->required();
  return sub;
}

}  // namespace

void registerPki(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PkiArgs>();
  PkiArgs& a = *args;
  auto* pki = app.add_subcommand(
      "pki",
      "A lab CA and one key + certificate per host.\n"
      "Example: ccsec pki init --dir pki && ccsec pki issue --dir pki --name cg-a --ip 10.10.1.20");
  pki->require_subcommand(1);

  auto* init = pki->add_subcommand("init",
                                   "Create a CA: DIR/ca.pem, DIR/ca.key (0600).\nExample: ccsec "
                                   "pki init --dir pki --key ecdsa-p384");
  addDir(init, a);
  init->add_option("--key", a.key, "CA key type")
      ->check(CLI::IsMember({"ecdsa-p256", "ecdsa-p384", "rsa-3072"}))
      ->capture_default_str();
  init->add_option("--name", a.ca_name, "CA common name")->capture_default_str();
  init->add_option("--days", a.days, "validity in days (default 3650)")
      ->check(CLI::Range(1, 36500));
  init->callback([&exit_code, args] { exit_code = runInit(*args); });

  auto* issue = pki->add_subcommand(
      "issue",
      "Issue a key + certificate (serverAuth, clientAuth) for a host: DIR/hosts/NAME.pem, .key.\n"
      "Example: ccsec pki issue --dir pki --name cg-a --dns cg-a.corp.example.com --ip 10.10.1.20\n"
      "         ccsec pki issue --dir pki inventory.yaml --all");
  addDir(issue, a);
  issue->add_option("INV", a.inventory, "inventory file (with --all or --host)");
  issue->add_option("--name", a.name, "host name (CN, file name)");
  issue->add_option("--dns", a.dns, "SAN DNS name (repeatable; default: the name)");
  issue->add_option("--ip", a.ips, "SAN IP address (repeatable)");
  issue->add_option("--days", a.days, "validity in days (default 397)")
      ->check(CLI::Range(1, 36500));
  issue->add_flag("--all", a.all, "every inventory host");
  issue->add_option("--host", a.host, "one inventory host");
  issue->callback([&exit_code, args] { exit_code = runIssue(*args); });

  auto* csr = pki->add_subcommand(
      "csr",
      "Create a key and a certificate request for a third-party CA: DIR/hosts/NAME.csr, .key.\n"
      "Example: ccsec pki csr --dir pki --name cg-a --dns cg-a.corp.example.com --ip 10.10.1.20");
  addDir(csr, a);
  csr->add_option("--name", a.name, "host name (CN, file name)")->required();
  csr->add_option("--dns", a.dns, "SAN DNS name (repeatable; default: the name)");
  csr->add_option("--ip", a.ips, "SAN IP address (repeatable)");
  csr->add_option("--key", a.key, "key type")
      ->check(CLI::IsMember({"ecdsa-p256", "ecdsa-p384", "rsa-3072"}))
      ->capture_default_str();
  csr->callback([&exit_code, args] { exit_code = runCsr(*args); });

  auto* import = pki->add_subcommand("import",
                                     "Install a certificate signed by a third-party CA as "
                                     "DIR/hosts/NAME.pem (must match NAME.key).\n"
                                     "Example: ccsec pki import --dir pki --name cg-a --cert "
                                     "cg-a.signed.pem --ca-chain corp-ca.pem");
  addDir(import, a);
  import->add_option("--name", a.name, "host name")->required();
  import->add_option("--cert", a.cert, "signed certificate (PEM, may include intermediates)")
      ->required();
  import->add_option("--ca-chain", a.ca_chain,
                     "issuing CA chain (PEM) the certificate must chain to");
  import->callback([&exit_code, args] { exit_code = runImport(*args);
});

auto* revoke =
    pki->add_subcommand("revoke",
                        "Revoke a host certificate in DIR/index.json (publish with `crl`).\n"
                        "Example: ccsec pki revoke --dir pki --name cg-a --reason keyCompromise");
addDir(revoke, a);
revoke->add_option("--name", a.name, "host name");
revoke->add_option("--serial", a.serial, "serial number (upper-case hex) instead of --name");
revoke
    ->add_option("--reason", a.reason,
                 "unspecified|keyCompromise|affiliationChanged|superseded|"
                 "cessationOfOperation|privilegeWithdrawn")
    ->capture_default_str();
revoke->add_flag("--previous", a.previous, "revoke NAME.prev.pem (left by rotate)");
revoke->callback([&exit_code, args] { exit_code = runRevoke(*args); });

auto* crl = pki->add_subcommand(
    "crl",
    "Write DIR/crl.pem from the revocation index.\nExample: ccsec pki crl --dir pki --days 7");
addDir(crl, a);
crl->add_option("--days", a.days, "next update in days (default 7)")->check(CLI::Range(1, 3650));
crl->callback([&exit_code, args] { exit_code = runCrl(*args); });

auto* rotate = pki->add_subcommand(
    "rotate",
    "New key + certificate for a host; the old pair is kept as NAME.prev.{pem,key}.\n"
    "Example: ccsec pki rotate --dir pki --name cg-a");
addDir(rotate, a);
rotate->add_option("--name", a.name, "host name")->required();
rotate->add_option("--days", a.days, "validity (default: as before)")->check(CLI::Range(1, 36500));
rotate->callback([&exit_code, args] { exit_code = runRotate(*args); });

auto* verify = pki->add_subcommand(
    "verify",
    "Verify every host certificate of an inventory: chain, CRL, names, expiry, uniqueness.\n"
    "Exit 1 when a problem is found.\nExample: ccsec pki verify inventory.yaml --dir pki --format "
    "json");
verify->add_option("INV", a.inventory, "inventory file")->required();
verify->add_option("--dir", a.dir, "CA directory (DIR/ca.pem, DIR/crl.pem when present)");
verify->add_option("--ca", a.ca, "CA certificate(s) to chain to (instead of DIR/ca.pem)");
verify->add_option("--crl", a.crl, "CRL to check (instead of DIR/crl.pem)");
verify->add_option("--format", a.format, "text|json")
    ->check(CLI::IsMember({"text", "json"}))
    ->capture_default_str();
verify->add_option("--as-of", a.as_of, "check as of this UTC day (YYYY-MM-DD) instead of now");
verify->add_option("--warn-days", a.warn_days, "warn when expiring within N days")
    ->check(CLI::Range(0, 3650))
    ->capture_default_str();
verify->callback([&exit_code, args] { exit_code = runVerify(*args); });
}  // namespace ccsec::cli

}  // namespace ccsec::cli
