#pragma once
// Findings and probe facts by run: each `ccsec probe` run is stored with a run id so that a later
// run can be compared with it (`--diff-run ID`). SQLite (embedded default) or PostgreSQL, the
// same URI spellings as the audit store (parseStoreUri). The schema carries a version in
// `ccsec_schema` (component "findings"); opening migrates an older schema forward and refuses a
// newer one. Threading: one FindingsStore per thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace ccsec::store {

inline constexpr int kFindingsSchemaVersion = 1;

struct StoredFinding {
  std::string rule;
  std::string severity;
  std::string target;
  std::string message;
  bool waived = false;
};

struct RunRecord {
  std::int64_t id = 0;       // assigned by saveRun
  std::int64_t time_ms = 0;  // UNIX time, milliseconds
  std::string command;       // "probe"
  std::string inventory;     // inventory path as given
  std::string summary;       // one line
  std::string facts;         // JSON document of the observed facts (may be empty)
};

class FindingsStore {
 public:
  virtual ~FindingsStore() = default;
  /// Stores the run and its findings in one transaction; returns the new run id.
  virtual core::Result<std::int64_t> saveRun(const RunRecord& run,
                                             const std::vector<StoredFinding>& findings) = 0;
  /// Findings of a run (stored order); error when the run does not exist.
  virtual core::Result<std::vector<StoredFinding>> findings(std::int64_t run_id) = 0;
  /// Runs, oldest first (facts left empty).
  virtual core::Result<std::vector<RunRecord>> runs() = 0;
  virtual int schemaVersion() const = 0;
  virtual std::string describe() const = 0;
};

core::Result<std::unique_ptr<FindingsStore>> openFindingsStore(const std::string& uri,
                                                               const std::string& base_dir = {});

}  // namespace ccsec::store
