// `ccsec rules` and `ccsec explain ID`: the rule catalogue.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/exit.h"
#include "core/text.h"
#include "policy/registry.h"

namespace ccsec::cli {

void registerRules(CLI::App& app, int& exit_code) {
  auto format = std::make_shared<std::string>("text");
  auto* sub = app.add_subcommand("rules", "List the rule catalogue");
  sub->footer("Examples:\n  ccsec rules\n  ccsec rules --format json");
  sub->add_option("--format", *format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  sub->callback([format, &exit_code] {
    if (*format == "json") {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const auto& r : policy::catalogue()) {
        list.push_back({{"id", r.id},
                        {"layer", policy::toString(r.layer)},
                        {"severity", policy::toString(r.severity)},
                        {"title", r.title},
                        {"reference", r.reference},
                        {"design", r.design},
                        {"keys", r.keys},
                        {"rationale", r.rationale},
                        {"remediation", r.remediation}});
      }
      std::cout << nlohmann::ordered_json{{"rules", std::move(list)}}.dump(2) << "\n";
      exit_code = checkStdout("rules", kExitClean);
      return;
    }
    std::size_t w_layer = 5, w_sev = 8;
    std::vector<policy::Rule> all = policy::catalogue();
    all.insert(all.end(), policy::probeRules().begin(), policy::probeRules().end());  // live rules
    for (const auto& r : all) {
      w_layer = std::max(w_layer, std::string_view(policy::toString(r.layer)).size());
    }
    std::cout << fmt::format("{:<11}  {:<{}}  {:<{}}  {}\n", "ID", "LAYER", w_layer, "SEVERITY",
                             w_sev, "TITLE");
    for (const auto& r : all) {
      std::cout << fmt::format("{:<11}  {:<{}}  {:<{}}  {}\n", r.id, policy::toString(r.layer),
                               w_layer, policy::toString(r.severity), w_sev, r.title);
    }
    exit_code = checkStdout("rules", kExitClean);
  });
}

void registerExplain(CLI::App& app, int& exit_code) {
  auto id = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("explain", "Explain one rule: rationale, remediation, source");
  sub->footer("Example:\n  ccsec explain CCS-TLS-001");
  sub->add_option("rule", *id, "Rule ID, e.g. CCS-TLS-001")->required();
  sub->callback([id, &exit_code] {
    std::string wanted = *id;
    std::transform(wanted.begin(), wanted.end(), wanted.begin(), [](unsigned char c) {
      return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    });
    const policy::Rule* r = policy::findRule(wanted);
    if (r == nullptr) {
      std::vector<std::string> ids;
      for (const auto& x : policy::catalogue()) ids.emplace_back(x.id);
      for (const auto& x : policy::probeRules()) ids.emplace_back(x.id);
      std::string hint = core::closestMatch(wanted, ids);
      std::cerr << "ccsec: explain: unknown rule \"" << *id << "\""
                << (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)")
                << "; `ccsec rules` lists them\n";
      exit_code = kExitUsage;
      return;
    }
    std::cout << fmt::format(
        "{}  {}\n\nLayer:       {}\nSeverity:    {}\nSource:      seed, \"{}\"\nDesign:      {}\n"
        "Reads:       {}\n\nWhy:\n  {}\n\nRemediation:\n  {}\n",
        r->id, r->title, policy::toString(r->layer), policy::toString(r->severity), r->reference,
        r->design, r->keys, r->rationale, r->remediation);
    exit_code = checkStdout("explain", kExitClean);
  });
}

}  // namespace ccsec::cli
