// `ccsec history [--store URL]`: the runs of the findings store with their counts by severity.
#include <fmt/format.h>

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/run_store.h"
#include "core/date.h"

namespace ccsec::cli {

namespace {

constexpr const char* kSeverities[] = {"critical", "high", "medium", "low", "info"};

std::string utc(std::int64_t time_ms) {
  return core::utcTimestamp(static_cast<std::time_t>(time_ms / 1000));
}

int count(const store::RunRecord& r, const char* severity) {
  auto it = r.unwaived.find(severity);
  return it == r.unwaived.end() ? 0 : it->second;
}

}  // namespace

void registerHistory(CLI::App& app, int& exit_code) {
  struct Args {
    StoreArgs store;
    std::string format = "text";
  };
  auto args = std::make_shared<Args>();
  auto* sub = app.add_subcommand("history", "List the runs recorded in the findings store");
  sub->footer(
      "One line per run of check, probe or directory check: run id, time (UTC), command,\n"
      "unwaived findings per severity, waived, inventory and the first 12 hex digits of its\n"
      "SHA-256, and the ccsec version. Compare two runs with `ccsec diff --run A --run B`.\n\n"
      "Examples:\n"
      "  ccsec history\n"
      "  ccsec history --store postgresql://ccsec@db/ccsec --format json");
  addStoreOptions(sub, args->store, false);
  sub->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  sub->callback([args, &exit_code] {
    auto s = openRunStore(args->store);
    if (!s) {
      exit_code = reportError("history", s.error());
      return;
    }
    auto runs = (*s)->runs();
    if (!runs) {
      exit_code = reportError("history", runs.error());
      return;
    }
    if (args->format == "json") {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (const auto& r : *runs) {
        nlohmann::ordered_json counts;
        for (const char* sev : kSeverities) counts[sev] = count(r, sev);
        a.push_back({{"id", r.id},
                     {"time", utc(r.time_ms)},
                     {"command", r.command},
                     {"inventory", r.inventory},
                     {"inventory_hash", r.inventory_hash},
                     {"tool_version", r.tool_version},
                     {"unwaived", counts},
                     {"waived", r.waived}});
      }
      nlohmann::ordered_json doc{{"store", (*s)->describe()}, {"runs", a}};
      std::cout << doc.dump(2) << "\n";
    } else if (runs->empty()) {
      std::cout << "no runs in " << (*s)->describe() << "\n";
    } else {
      std::cout << fmt::format("{:>5}  {:<20}  {:<15}  {:>4} {:>4} {:>4} {:>4} {:>4} {:>6}  {}\n",
                               "RUN", "TIME", "COMMAND", "CRIT", "HIGH", "MED", "LOW", "INFO",
                               "WAIVED", "INVENTORY");
      for (const auto& r : *runs) {
        const std::string hash = r.inventory_hash.starts_with("sha256:")
                                     ? " (" + r.inventory_hash.substr(7, 12) + ")"
                                     : std::string();
        std::cout << fmt::format(
            "{:>5}  {:<20}  {:<15}  {:>4} {:>4} {:>4} {:>4} {:>4} {:>6}  {}{}{}\n", r.id,
            utc(r.time_ms), r.command, count(r, "critical"), count(r, "high"), count(r, "medium"),
            count(r, "low"), count(r, "info"), r.waived, r.inventory, hash,
            r.tool_version.empty() ? std::string() : " ccsec " + r.tool_version);
      }
      std::cout << fmt::format("{} runs in {}\n", runs->size(), (*s)->describe());
    }
    exit_code = checkStdout("history", kExitClean);
  });
}

}  // namespace ccsec::cli
