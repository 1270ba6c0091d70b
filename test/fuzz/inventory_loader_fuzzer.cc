// Fuzzes inventory::loadString (and, for inputs that validate, deriveGraph). Invariants: no
// crash, no hang; a rejected input has at least one diagnostic and at most kMaxDiagnostics; an
// accepted one has none and yields a graph whose edges name existing servers.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "inventory/graph.h"
#include "inventory/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ccsec::inventory;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult r = loadString(text, "fuzz.yaml");
  if (!r.ok()) {
    if (r.diagnostics.empty() || r.diagnostics.size() > kMaxDiagnostics) std::abort();
    for (const auto& d : r.diagnostics)
      if (d.str().empty() || d.line < 0 || d.column < 0) std::abort();
    return 0;
  }
  if (!r.diagnostics.empty()) std::abort();
  ChannelGraph g = deriveGraph(*r.model, Catalog::builtin());
  for (const auto& e : g.edges) {
    if (!r.model->findHost(e.server) && !r.model->findController(e.server)) std::abort();
    if (g.find(e.kind, e.server, e.client) == nullptr) std::abort();
  }
  return 0;
}
