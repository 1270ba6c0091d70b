#pragma once
// Target "nftables": hosts/<host>.nft for every Linux host (input hook, policy drop) and
// sites/<site>.perimeter.nft for every site whose perimeter vendor is nftables (forward hook).
// Each file replaces its table atomically when loaded with `nft -f`: an empty declaration,
// a delete and the full definition run in one transaction.

#include "render/generator.h"

namespace ccsec::render {

class NftablesGenerator final : public Generator {
 public:
  std::string_view name() const override { return "nftables"; }
  FeatureSet features() const override;
  using Generator::fileFor;
  std::string fileFor(const Table& t) const override;
  std::vector<RenderedFile> render(const RenderInput& in) const override;
};

/// The nftables text of one table (host or perimeter) as file `path`. Exposed for tests.
RenderedFile renderNftTable(const Table& t, const std::string& path, const inventory::Model& m);

}  // namespace ccsec::render
