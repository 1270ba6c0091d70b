#pragma once
// `ccsec wizard`: a line-oriented walk-through that writes an inventory (docs/wizard.md).
//
// The questions are one list of keys (`name`, `security_model`, `sites`, `site.<S>.zones`,
// `hosts_csv`, `ipsec`, ...), each with a default and a validator. They are answered either
// interactively (an Input that reads lines: libedit's readline on a terminal, plain lines
// otherwise) or from an answers file (`--answers FILE`, YAML mapping or key=value lines), so a
// scripted run and a terminal session walk exactly the same code. An invalid interactive
// answer is explained and asked again; an invalid scripted answer (or an unknown key) is an
// error naming FILE:LINE and the key, and nothing is written.

#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"
#include "inventory/catalog.h"

namespace ccsec::cli::wizard {

/// Answers read from --answers FILE: key -> value and the line each came from.
struct Answers {
  std::string file;
  std::map<std::string, std::string> values;
  std::map<std::string, int> lines;
};

/// YAML (a mapping of scalars; a sequence of scalars becomes a comma-separated list) when the
/// file name ends in .yaml/.yml, else `key = value` lines ('#' comments, blank lines ignored).
/// Errors name FILE:LINE.
core::Result<Answers> loadAnswers(const std::string& path);

/// One source of interactive lines; nullopt at end of input.
using Input = std::function<std::optional<std::string>(const std::string& prompt)>;

/// A host row of the CSV import, resolved to its zone.
struct HostRow {
  std::string name, address, site, zone, os, side;
  std::vector<std::string> roles;
  int line = 0;
};

struct ZoneSpec {
  std::string name, kind, cidr;
};

struct SiteSpec {
  std::string name, physical_access = "controlled", perimeter = "none";
  std::vector<ZoneSpec> zones;
};

/// Everything the walk-through decided.
struct Plan {
  std::string name = "contact-center";
  std::string security_model = "end-to-end";
  std::string tls_min_version = "1.2";
  std::string busy_hours = "06:00-22:00";
  std::vector<SiteSpec> sites;
  std::vector<HostRow> hosts;
  bool host_firewall = true;
  std::string ipsec = "isolation";  // none | isolation | peer, for core hosts not on VOS
  std::string site_link = "ipsec";  // ipsec | none, between every two sites
  bool sql_hardening = true;
};

/// Parses the host CSV (name,address,roles[,os[,side]]; roles separated by ';' or spaces; an
/// optional header line starting with "name"). Each address must lie in a non-external zone of
/// `sites` (the longest prefix wins). Errors: one "FILE:LINE: message" per bad row.
core::Result<std::vector<HostRow>> importHosts(const std::string& path,
                                               const std::vector<SiteSpec>& sites,
                                               const inventory::Catalog& catalog);

/// The inventory YAML for a plan. `boundaries`: per isolation host, the peers it reaches
/// without IPsec (protection.ipsec_boundary). Deterministic.
std::string inventoryYaml(const Plan& plan,
                          const std::map<std::string, std::vector<std::string>>& boundaries);

/// The consequences of each security model (from the design's deployment models and SRTP
/// considerations), printed before the question.
const char* securityModelHelp();

struct Options {
  std::string answers_file;  // empty: interactive
  std::string out;           // --out overrides the `out` answer
  bool assume_yes = false;   // --yes: accept the default of every confirmation
};

/// Runs the walk-through; writes to `out`/`err`. Returns the process exit code (0 written,
/// 2 bad answers or input ended, 3 write failure).
int run(const Options& opts, const Input& input, std::ostream& out, std::ostream& err);

}  // namespace ccsec::cli::wizard
