#pragma once
// `ccsec report`: one self-contained HTML file for people (inline CSS, JS and SVG; a Content
// Security Policy that forbids every fetch), from the check findings of an inventory, the runs
// of the findings store (trend), the Graphviz topology, the call-leg matrix and optionally one
// stored probe run (observed vs declared per endpoint). Every text that comes from the inventory,
// the store or a probe is HTML-escaped. Deterministic: the same inputs give the same bytes
// (`generated` is the only clock-dependent text, and the caller may fix it).
//
// The page's script honours a URL fragment: #severity=high&q=text&waived=hide sets the severity
// filter ("at or above"), the text search and whether waived findings show; a filtered-out
// finding carries the `hidden` attribute.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/graph.h"
#include "inventory/model.h"
#include "policy/call_legs.h"
#include "policy/finding.h"
#include "store/findings_store.h"

namespace ccsec::report {

/// & < > " ' escaped; bytes that are not valid UTF-8 replaced by U+FFFD.
std::string htmlEscape(std::string_view text);

/// One probed endpoint: what the inventory declares and what the probe saw.
struct ProbeEndpoint {
  std::string target;  // "pg-a:43020/tcp"
  std::string host;
  std::string purpose;
  std::string declared;               // "TLS ≥1.2, mutual" / "closed" …
  std::string observed;               // "TLSv1.2, TLSv1.3; client certificate required" …
  std::vector<std::string> findings;  // "high CCS-PRB-001 …" of this endpoint
};

struct ProbeSection {
  std::int64_t run_id = 0;
  std::string time;     // UTC
  std::string summary;  // the run's one-line summary
  std::vector<ProbeEndpoint> endpoints;
  std::vector<std::string> other;  // findings of the run tied to no probed endpoint
};

/// Builds the probe section from a stored run's facts JSON and its findings (matched to an
/// endpoint by target); an input error when the facts are not a probe facts document.
core::Result<ProbeSection> probeSection(const store::RunRecord& run,
                                        const std::vector<store::StoredFinding>& findings);

struct ReportInput {
  ReportInput(const inventory::Model& m, const inventory::ChannelGraph& g) : model(m), graph(g) {}
  const inventory::Model& model;
  const inventory::ChannelGraph& graph;
  std::vector<policy::Finding> findings;  // check findings, waivers applied
  std::vector<std::string> assumed;       // policy::Report::assumed
  std::string inventory_path;
  std::string inventory_hash;
  std::string tool_version;
  std::string generated;                // "2026-12-02T16:00:00Z"
  std::string store;                    // store description, empty with --no-store
  std::vector<store::RunRecord> trend;  // stored check runs of this inventory, oldest first
  std::string topology_svg;             // Graphviz output (an <svg> element) or empty
  std::string topology_error;           // why there is no topology
  std::vector<policy::CallLeg> legs;
  std::optional<ProbeSection> probe;
};

/// Graphviz SVG made fit to inline: XML prolog, doctype and comments removed; an input error
/// when it holds anything a Graphviz SVG does not (a script element, an event handler).
core::Result<std::string> inlineSvg(std::string_view svg);

std::string renderHtml(const ReportInput& in);

}  // namespace ccsec::report
