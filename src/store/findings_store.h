#pragma once
// Findings by run: every `ccsec check`, `ccsec probe` and `ccsec directory check` run is stored
// with a run id (time, command, inventory path and SHA-256, tool version, findings with their
// waiver state), so that `ccsec history` can list runs, `ccsec diff --run A --run B` and
// `probe --diff-run ID` can compare them and `ccsec report` can draw the trend. SQLite (embedded
// default) or PostgreSQL, the same URI spellings as the audit store (parseStoreUri).
//
// The schema carries a version in `ccsec_schema` (component "findings"); opening migrates an
// older schema forward, one version per transaction, and refuses a newer one. Version 1 (the
// first `probe` store) held runs and findings; version 2 adds the inventory hash and tool version
// to runs and the waiver owner, reason, expiry and inventory line to findings. The table names
// (probe_runs, probe_findings) are those of version 1 and stay. Threading: one FindingsStore per
// thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace ccsec::store {

inline constexpr int kFindingsSchemaVersion = 2;

struct StoredFinding {
  std::string rule;
  std::string severity;
  std::string target;
  std::string message;
  bool waived = false;
  std::string waiver_owner;    // set when waived (schema 2)
  std::string waiver_reason;   // set when waived (schema 2)
  std::string waiver_expires;  // YYYY-MM-DD, set when waived (schema 2)
  int line = 0;                // inventory line of the fact (0: none; schema 2)
};

struct RunRecord {
  std::int64_t id = 0;         // assigned by saveRun
  std::int64_t time_ms = 0;    // UNIX time, milliseconds
  std::string command;         // "check", "probe", "directory check"
  std::string inventory;       // inventory path as given
  std::string summary;         // one line
  std::string facts;           // JSON document of the observed facts (may be empty)
  std::string inventory_hash;  // "sha256:<hex>" of the inventory file (empty before schema 2)
  std::string tool_version;    // ccsec version that wrote the run (empty before schema 2)
  // Filled by runs(): unwaived findings per severity ("critical" … "info") and waived ones.
  std::map<std::string, int, std::less<>> unwaived;
  int waived = 0;
};

class FindingsStore {
 public:
  virtual ~FindingsStore() = default;
  /// Stores the run and its findings in one transaction; returns the new run id.
  virtual core::Result<std::int64_t> saveRun(const RunRecord& run,
                                             const std::vector<StoredFinding>& findings) = 0;
  /// Findings of a run (stored order); an input error when the run does not exist.
  virtual core::Result<std::vector<StoredFinding>> findings(std::int64_t run_id) = 0;
  /// One run with its facts (counts left empty); an input error when it does not exist.
  virtual core::Result<RunRecord> run(std::int64_t run_id) = 0;
  /// Runs, oldest first, with their counts (facts left empty).
  virtual core::Result<std::vector<RunRecord>> runs() = 0;
  virtual int schemaVersion() const = 0;
  virtual std::string describe() const = 0;
};

core::Result<std::unique_ptr<FindingsStore>> openFindingsStore(const std::string& uri,
                                                               const std::string& base_dir = {});

}  // namespace ccsec::store
