// `ccsec graph INV [--format text|json|dot]`: the derived channel graph of an inventory.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command.h"
#include "cli/exit.h"
#include "cli/inventory_arg.h"
#include "inventory/catalog.h"
#include "inventory/graph.h"
#include "report/graph_dot.h"

namespace ccsec::cli {

namespace {

using inventory::ChannelGraph;
using inventory::Edge;

using report::portText;
using report::protectionText;

void printText(const ChannelGraph& g, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"KIND", "SERVER", "CLIENT", "PROTO", "PORT", "PROTECTION", "PERSONAL", "ORIGIN"});
  for (const auto& e : g.edges) {
    rows.push_back({e.kind, e.server, e.client + (e.client_is_endpoint ? " (endpoints)" : ""),
                    inventory::toString(e.proto), portText(e), protectionText(e),
                    e.personal_data ? "yes" : "no",
                    e.added ? "added:" + std::to_string(e.loc.line) : "derived"});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    out << line << "\n";
  }
  out << g.edges.size() << " edges\n";
}

void printJson(const ChannelGraph& g, std::ostream& out) {
  nlohmann::ordered_json edges = nlohmann::ordered_json::array();
  for (const auto& e : g.edges) {
    nlohmann::ordered_json j;
    j["kind"] = e.kind;
    j["server"] = e.server;
    j["client"] = e.client;
    j["client_is_endpoint"] = e.client_is_endpoint;
    j["proto"] = inventory::toString(e.proto);
    j["port"] = e.port;
    j["port_end"] = e.port_end;
    j["personal_data"] = e.personal_data;
    j["tls"] = e.tls;
    j["legacy_tls"] = e.legacy_tls;
    j["min_version"] = e.min_version;
    j["fallback"] = e.fallback;
    j["ipsec"] = e.ipsec;
    j["added"] = e.added;
    j["line"] = e.loc.line;
    edges.push_back(std::move(j));
  }
  nlohmann::ordered_json doc;
  doc["edges"] = std::move(edges);
  out << doc.dump(2) << "\n";
}

}  // namespace

void registerGraph(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand("graph", "Print the channel graph derived from an inventory");
  sub->footer("Example: ccsec graph examples/reference.yaml --format dot | dot -Tsvg > graph.svg");
  auto path = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  sub->add_option("inventory", *path, "Inventory YAML file")->required();
  sub->add_option("--format", *format, "Output format")
      ->check(CLI::IsMember({"text", "json", "dot"}));
  sub->callback([&exit_code, path, format] {
    auto model = loadInventoryOrReport(*path, std::cerr);
    if (!model) {
      exit_code = kExitUsage;
      return;
    }
    auto graph = inventory::deriveGraph(*model, inventory::Catalog::builtin());
    if (*format == "json")
      printJson(graph, std::cout);
    else if (*format == "dot")
      std::cout << report::plainDot(*model, graph);
    else
      printText(graph, std::cout);
    exit_code = checkStdout("graph", kExitClean);
  });
}

}  // namespace ccsec::cli
