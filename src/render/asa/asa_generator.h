#pragma once
// Target "asa": sites/<site>.asa.cfg for every site whose perimeter vendor is asa. The file is
// a Cisco ASA CLI script: in multiple-context mode one `context` per `perimeter.contexts`
// entry (system execution space) and, per context after `changeto context`, the network
// objects, object-groups and two access lists: CCSEC_OUTSIDE_IN bound inbound on interface
// `outside` (every source there is outside the site, so "from outside" renders as `any`) and
// CCSEC_INSIDE_OUT bound on interface `inside`. The ASA is stateful: return traffic needs no rule.

#include "render/generator.h"

namespace ccsec::render {

class AsaGenerator final : public Generator {
 public:
  std::string_view name() const override { return "asa"; }
  FeatureSet features() const override;
  using Generator::fileFor;
  std::string fileFor(const Table& t) const override;
  std::vector<RenderedFile> render(const RenderInput& in) const override;

 protected:
  std::vector<CheckError> checkTarget(const RenderInput& in) const override;
};

}  // namespace ccsec::render
