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
  std::vector<std::string> features() const override;
  std::vector<CheckError> check(const RenderInput& in) const override;
  std::vector<RenderedFile> render(const RenderInput& in) const override;
};

/// The nftables text of one table (host or perimeter). Exposed for tests.
RenderedFile renderNftTable(const Table& t, const inventory::Model& m);

}  // namespace ccsec::render
