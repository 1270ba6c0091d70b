#pragma once
// Target "windows-firewall": hosts/<host>.firewall.ps1 for every Windows host. Idempotent:
// the rule group "ccsec" is removed and re-created on every run; inbound is blocked by default
// on every profile; one New-NetFirewallRule per rendered rule. RPC dynamic ports are opened
// only for listeners the catalog marks `rpc_dynamic`.

#include "render/generator.h"

namespace ccsec::render {

class WindowsFirewallGenerator final : public Generator {
 public:
  std::string_view name() const override { return "windows-firewall"; }
  FeatureSet features() const override;
  using Generator::fileFor;
  std::string fileFor(const Table& t) const override;
  std::vector<RenderedFile> render(const RenderInput& in) const override;
};

}  // namespace ccsec::render
