#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "cli/exit.h"
#include "store/audit_export.h"
#include "store/audit_store.h"

namespace ccsec::cli {

void registerAudit(CLI::App& app, int& exit_code) {
  auto* audit = app.add_subcommand("audit", "Read the audit store of the gateway and services");
  audit->require_subcommand(1);
  auto* sub = audit->add_subcommand(
      "export",
      "Print audit events as JSON lines (one object per event, fields id, time, time_ms, source,\n"
      "kind, peer_address, peer_identity, reason, detail), ordered by time, for Splunk/Elastic.\n"
      "Events are stored redacted; the export adds nothing.\n"
      "Example: ccsec audit export --store sqlite:/var/lib/ccsec/audit.db --since 2026-12-01\n"
      "         ccsec audit export --store postgresql://ccsec@db/audit --since "
      "2026-12-02T08:00:00Z --until 2026-12-02T09:00:00Z");
  struct Opts {
    std::string store, since, until;
  };
  auto opts = std::make_shared<Opts>();
  sub->add_option("--store", opts->store, "Audit store URI (sqlite:PATH or postgresql://…)")
      ->required();
  sub->add_option("--since", opts->since,
                  "First instant included: YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]]Z (or +HH:MM), "
                  "or UNIX milliseconds");
  sub->add_option("--until", opts->until, "First instant excluded (same forms as --since)");
  sub->callback([opts, &exit_code] {
    store::AuditQuery q;
    for (auto [text, dst] : {std::pair{&opts->since, &q.since_ms}, {&opts->until, &q.until_ms}}) {
      if (text->empty()) continue;
      auto t = store::parseAuditTime(*text);
      if (!t) {
        exit_code = reportError("audit export", t.error());
        return;
      }
      *dst = *t;
    }
    auto loc = store::parseStoreUri(opts->store);
    if (!loc) {
      exit_code = reportError("audit export", loc.error());
      return;
    }
    // Reading must not create an empty store where the operator mistyped a path.
    if (!loc->postgres && !std::filesystem::exists(loc->sqlite_path)) {
      exit_code =
          reportError("audit export", core::makeError("no audit store at " + loc->sqlite_path));
      return;
    }
    auto s = store::openAuditStore(opts->store);
    if (!s) {
      exit_code = reportError("audit export", s.error());
      return;
    }
    auto r = (*s)->scan(
        q, [](const store::AuditEvent& e) { std::cout << store::auditEventJsonLine(e) << '\n'; });
    if (!r) {
      exit_code = reportError("audit export", r.error());
      return;
    }
    exit_code = checkStdout("audit export", kExitClean);
  });
}

}  // namespace ccsec::cli
