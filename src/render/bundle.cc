#include "render/bundle.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/handles.h"
#include "core/hex.h"
#include "core/text.h"
#include "render/registry.h"
#include "render/text_util.h"

namespace ccsec::render {

std::string CheckError::str() const {
  std::string s = target + ": " + feature + " at " + where;
  if (line > 0) s += " (line " + std::to_string(line) + ")";
  return s + ": " + message;
}

std::string sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  core::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1) {
    return {};
  }
  return core::hexLower({md, len});
}

core::Result<Bundle> renderBundle(const inventory::Model& model, const inventory::Catalog& catalog,
                                  const inventory::ChannelGraph& graph, const PolicyModel& policy,
                                  const std::vector<std::string>& targets,
                                  const RenderOptions& options) {
  std::vector<const Generator*> gens;
  if (targets.empty()) {
    gens = allGenerators();
  } else {
    std::vector<std::string> names;
    for (const Generator* g : allGenerators()) names.emplace_back(g->name());
    for (const auto& t : targets) {
      const Generator* g = findGenerator(t);
      if (g == nullptr) {
        std::string hint = core::closestMatch(t, names);
        return core::makeError("unknown target \"" + t + "\"" +
                                   (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"),
                               "targets: " + core::join(names, ", "));
      }
      if (std::find(gens.begin(), gens.end(), g) == gens.end()) gens.push_back(g);
    }
  }
  return renderBundle(RenderInput{model, catalog, graph, policy, options}, gens);
}

core::Result<Bundle> renderBundle(const RenderInput& in,
                                  const std::vector<const Generator*>& gens) {
  std::vector<std::string> errors;
  for (const Generator* g : gens) {
    for (const auto& e : g->check(in)) errors.push_back(e.str());
  }
  if (!errors.empty()) {
    return core::makeError(std::to_string(errors.size()) +
                               " inventory feature(s) cannot be rendered; nothing was written",
                           core::join(errors, "\n"));
  }
  Bundle b;
  std::map<std::string, std::string> file_target;  // path -> the target that wrote it
  file_target.emplace("manifest.json", "the bundle");
  for (const Generator* g : gens) {
    for (auto& f : g->render(in)) {
      auto [it, fresh] = file_target.emplace(f.path, std::string(g->name()));
      if (!fresh)
        return core::makeError("targets " + it->second + " and " + std::string(g->name()) +
                               " both write " + f.path + "; nothing was written");
      b.files.push_back(std::move(f));
    }
  }
  std::sort(b.files.begin(), b.files.end(),
            [](const RenderedFile& x, const RenderedFile& y) { return x.path < y.path; });

  nlohmann::ordered_json manifest;
  manifest["inventory"] = inventoryName(in.model.source_file);
  nlohmann::ordered_json tg = nlohmann::ordered_json::array();
  for (const Generator* g : gens) tg.push_back(std::string(g->name()));
  manifest["targets"] = tg;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < b.files.size(); ++i) {
    const auto& f = b.files[i];
    nlohmann::ordered_json jf;
    jf["path"] = f.path;
    jf["target"] = file_target.at(f.path);
    jf["sha256"] = sha256Hex(f.content);
    nlohmann::ordered_json rules = nlohmann::ordered_json::array();
    for (const auto& r : f.rules) {
      nlohmann::ordered_json jr;
      jr["rule"] = r.rule;
      jr["origin"] = r.origin;
      jr["line"] = r.line;
      rules.push_back(std::move(jr));
    }
    jf["rules"] = std::move(rules);
    files.push_back(std::move(jf));
  }
  manifest["files"] = std::move(files);
  b.files.push_back(RenderedFile{"manifest.json", manifest.dump(2) + "\n", {}});
  return b;
}

core::Result<void> writeBundle(const Bundle& bundle, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& f : bundle.files) {
    fs::path p = fs::path(dir) / f.path;
    fs::create_directories(p.parent_path(), ec);
    if (ec)
      return core::runtimeError("cannot create " + p.parent_path().string() + ": " + ec.message());
    fs::path tmp = p;
    tmp += ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out.write(f.content.data(), static_cast<std::streamsize>(f.content.size()));
      if (!out) return core::runtimeError("cannot write " + tmp.string());
    }
    fs::rename(tmp, p, ec);
    if (ec) return core::runtimeError("cannot rename " + tmp.string() + ": " + ec.message());
  }
  return {};
}

}  // namespace ccsec::render
