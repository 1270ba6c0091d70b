#pragma once
// The rule interface: a Rule is static data (ID, layer, severity, texts) plus a pure check
// function over a Context. Each rules_<area>.cc lists its rules in a table beside their checks;
// registry.cc concatenates the tables (no self-registration).
//
// Contract for check functions: read only the Context, append findings through `emit()` (which
// fills rule, reference and remediation), one finding per (rule, target): when a target has
// several problems under one rule, report them in one message at the highest severity. Checks
// run single-threaded and must be O(n log n) in the size of the inventory (bench/check).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "core/x509_info.h"
#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "inventory/model.h"
#include "policy/finding.h"

namespace ccsec::policy {

/// Layers of the design (seed "Security Layers"), the grouping of text output.
enum class Layer {
  kNetwork,
  kIpsec,
  kTls,
  kMedia,
  kDirectory,
  kHost,
  kEndpoint,
  kCollaboration,
  kPhysical,
  kPolicy,  // meta rules about the check itself (waivers)
};
const char* toString(Layer l);

/// Check options: "today" and the tunable thresholds (`--set key=value`).
struct Options {
  core::Date as_of = core::Date::today();
  std::map<std::string, std::int64_t, std::less<>> thresholds = defaultThresholds();
  /// `--set av_busy_hours=HH:MM-HH:MM`: the busy window full antivirus scans must avoid
  /// (CCS-HST-005), minutes since midnight; it may wrap midnight; start == end: none.
  int av_busy_start = 7 * 60;
  int av_busy_end = 19 * 60;

  /// aw_per_site 2, patch_age_days 30, cert_warn_days 30, av_definitions_age_days 1,
  /// agents_per_ipsec_host 1000.
  static std::map<std::string, std::int64_t, std::less<>> defaultThresholds();
  /// Value of a known threshold key (asserts the key exists).
  std::int64_t threshold(std::string_view key) const;
  /// Applies "key=value" (value a non-negative integer; `ads_per_site` is an alias of
  /// `aw_per_site`; `av_busy_hours` takes HH:MM-HH:MM). Unknown keys fail with a "did you
  /// mean" hint.
  core::Result<void> set(std::string_view assignment);
};

/// "HH:MM-HH:MM" → (start, end) minutes since midnight; nullopt when malformed.
std::optional<std::pair<int, int>> parseWindow(std::string_view window);

/// What a host's `certificate:` entry resolved to (read once per check, shared by TLS rules).
struct CertificateFacts {
  std::optional<core::CertificateInfo> info;  // when `path` was given and readable
  std::string error;                          // when `path` was given and not readable
  std::optional<std::string> fingerprint;     // declared `fingerprint:` (lower case)
};

/// Everything a rule may read. All references outlive the check.
struct Context {
  const inventory::Model& model;
  const inventory::ChannelGraph& graph;
  const inventory::Catalog& catalog;
  const Options& options;
  /// Host name → certificate facts, for hosts with a `certificate:` entry.
  const std::map<std::string, CertificateFacts, std::less<>>& certificates;

  /// True when one of the host's roles is a core role of the catalog.
  bool isCore(const inventory::Host& host) const;
  /// True when one of the host's roles runs SQL Server (catalog `sql`).
  bool hasSqlRole(const inventory::Host& host) const;
  /// Zone name of an edge end (host or endpoint group); empty if unknown.
  std::string_view zoneOf(std::string_view name, bool is_endpoint) const;
};

struct Rule;
using CheckFn = void (*)(const Rule& rule, const Context& ctx, std::vector<Finding>& out);

struct Rule {
  std::string_view id;  // "CCS-NET-001": stable and public
  Layer layer = Layer::kNetwork;
  Severity severity = Severity::kInfo;  // severity of the rule's main finding
  std::string_view title;
  std::string_view reference;  // seed section, e.g. "Network Firewalls"
  std::string_view rationale;
  std::string_view remediation;
  CheckFn check = nullptr;       // nullptr for meta rules evaluated by the engine (CCS-POL-001)
  std::string_view design = {};  // docs/design.md section it rests on, in the project's words
  std::string_view keys = {};    // inventory keys it reads
};

/// Appends a finding of `rule` for `target`. `what` says what is wrong and names the target;
/// the message becomes "<what>. Remediation: <rule remediation>". Severity defaults to the
/// rule's.
void emit(const Rule& rule, std::vector<Finding>& out, std::string target, std::string_view what,
          inventory::SourceLoc loc, std::optional<Severity> severity = std::nullopt);
/// Same with a remediation of its own for this finding (a variant of the rule's: e.g. the
/// vendor's update path on a VOS appliance instead of WSUS on Windows).
void emitWith(const Rule& rule, std::vector<Finding>& out, std::string target,
              std::string_view what, inventory::SourceLoc loc, Severity severity,
              std::string_view remediation);

/// Convenience for "not stated" facts (docs/design.md §3): low severity; `what` ends with "is" or
/// "are" and the message continues "not stated in the inventory".
/// Its remediation is what to record: "state <record> in the inventory (<key>)", never the
/// rule's fix for a bad value (docs/design.md §3).
void emitNotStated(const Rule& rule, std::vector<Finding>& out, std::string target,
                   std::string_view what, inventory::SourceLoc loc, std::string_view record,
                   std::string_view key);

}  // namespace ccsec::policy
