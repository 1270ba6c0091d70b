// `ccsec rules` and `ccsec explain ID`: the rule catalogue.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cli/command.h"
#include "core/text.h"
#include "policy/registry.h"

namespace ccsec::cli {

void registerRules(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("rules", "List the rule catalogue");
  sub->footer("Example:\n  ccsec rules");
  sub->callback([&exit_code] {
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
    exit_code = kExitClean;
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
        "{}  {}\n\nLayer:       {}\nSeverity:    {}\nSource:      seed, \"{}\"\n\n"
        "Why:\n  {}\n\nRemediation:\n  {}\n",
        r->id, r->title, policy::toString(r->layer), policy::toString(r->severity), r->reference,
        r->rationale, r->remediation);
    exit_code = kExitClean;
  });
}

}  // namespace ccsec::cli
