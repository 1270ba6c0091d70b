#include "cli/run_store.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "core/hex.h"
#include "store/audit_store.h"

namespace ccsec::cli {

void addStoreOptions(CLI::App* sub, StoreArgs& args, bool recording) {
  sub->add_option("--store", args.uri, kStoreHelp);
  if (recording)
    sub->add_flag("--no-store", args.no_store,
                  "Do not record this run in the findings store (CI, tests, read-only homes)");
}

std::string defaultStoreUri() {
  std::filesystem::path dir;
  if (const char* x = std::getenv("XDG_STATE_HOME"); x != nullptr && *x == '/')
    dir = std::filesystem::path(x) / "ccsec";
  else if (const char* h = std::getenv("HOME"); h != nullptr && *h != '\0')
    dir = std::filesystem::path(h) / ".local/state/ccsec";
  else
    return {};
  return "sqlite:" + (dir / "findings.db").string();
}

core::Result<std::unique_ptr<store::FindingsStore>> openRunStore(const StoreArgs& args) {
  std::string uri = args.uri;
  if (uri.empty()) {
    uri = defaultStoreUri();
    if (uri.empty())
      return core::makeError(
          "no default findings store: neither XDG_STATE_HOME nor HOME is set; "
          "give --store URL or --no-store");
    std::error_code ec;
    const auto dir = std::filesystem::path(uri.substr(7)).parent_path();
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return core::runtimeError("cannot create the findings store directory " + dir.string() +
                                ": " + ec.message());
  }
  return store::openFindingsStore(uri);
}

std::string inventoryHash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  return "sha256:" + core::hexLower({md, len});
}

core::Result<std::optional<std::int64_t>> recordRun(const StoreArgs& args,
                                                    const std::string& command,
                                                    const std::string& inventory,
                                                    const std::vector<policy::Finding>& findings,
                                                    const std::string& facts) {
  if (args.no_store) return std::optional<std::int64_t>();
  auto s = openRunStore(args);
  core::Result<std::int64_t> id = core::makeError("not stored");
  if (s) {
    store::RunRecord rec;
    rec.time_ms = store::nowMs();
    rec.command = command;
    rec.inventory = inventory;
    rec.summary = policy::summarize(findings).line();
    rec.facts = facts;
    rec.inventory_hash = inventoryHash(inventory);
    rec.tool_version = CCSEC_VERSION;
    std::vector<store::StoredFinding> stored;
    stored.reserve(findings.size());
    for (const auto& f : findings)
      stored.push_back({f.rule, policy::toString(f.severity), f.target, f.message, f.waived,
                        f.waiver_owner, f.waiver_reason, f.waiver_expires, f.loc.line});
    id = (*s)->saveRun(rec, stored);
    if (id) return std::optional<std::int64_t>(*id);
  }
  const core::Error& e = s ? id.error() : s.error();
  if (!args.uri.empty()) return e;
  std::cerr << "ccsec " << command << ": warning: run not stored: " << e.message
            << " (--no-store skips the store)\n";
  return std::optional<std::int64_t>();
}

std::vector<policy::Finding> fromStored(const std::vector<store::StoredFinding>& stored) {
  std::vector<policy::Finding> out;
  out.reserve(stored.size());
  for (const auto& s : stored) {
    policy::Finding f;
    f.rule = s.rule;
    f.severity = policy::parseSeverity(s.severity).value_or(policy::Severity::kInfo);
    f.target = s.target;
    f.message = s.message;
    f.waived = s.waived;
    f.waiver_owner = s.waiver_owner;
    f.waiver_reason = s.waiver_reason;
    f.waiver_expires = s.waiver_expires;
    f.loc.line = s.line;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ccsec::cli
