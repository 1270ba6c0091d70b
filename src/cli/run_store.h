#pragma once
// The findings store as the verbs see it: `--store URL` / `--no-store` on check, probe and
// directory check (and `--store` on history, diff --run, report), the default location
// ($XDG_STATE_HOME/ccsec/findings.db, else ~/.local/state/ccsec/findings.db), and recording a
// run with its inventory hash and tool version.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "policy/finding.h"
#include "store/findings_store.h"

namespace ccsec::cli {

struct StoreArgs {
  std::string uri;  // empty: the default store
  bool no_store = false;
};

/// Text for --help: where the default store is and how to opt out.
inline constexpr const char* kStoreHelp =
    "Findings store: sqlite:PATH or postgresql://… (default sqlite:$XDG_STATE_HOME/ccsec/"
    "findings.db, else ~/.local/state/ccsec/findings.db)";

/// Adds --store (and --no-store when `recording`) to `sub`.
void addStoreOptions(CLI::App* sub, StoreArgs& args, bool recording);

/// "sqlite:$XDG_STATE_HOME/ccsec/findings.db" (or ~/.local/state/…); empty when neither
/// XDG_STATE_HOME nor HOME is set.
std::string defaultStoreUri();

/// Opens the store named by `args` (the default one when empty; its directory is created).
core::Result<std::unique_ptr<store::FindingsStore>> openRunStore(const StoreArgs& args);

/// "sha256:<hex>" of the file's bytes; empty when it cannot be read.
std::string inventoryHash(const std::string& path);

/// Records a run of `command` unless --no-store: prints nothing on success and returns the run
/// id. A failure of an explicit --store is an error (the caller exits with its code); a failure
/// of the default store only warns on stderr (a read-only home must not fail `check`).
core::Result<std::optional<std::int64_t>> recordRun(const StoreArgs& args,
                                                    const std::string& command,
                                                    const std::string& inventory,
                                                    const std::vector<policy::Finding>& findings,
                                                    const std::string& facts = {});

/// Stored findings back as policy findings (for diffs).
std::vector<policy::Finding> fromStored(const std::vector<store::StoredFinding>& stored);

}  // namespace ccsec::cli
