#pragma once
// Rendering a whole bundle: resolve targets, run every generator's check() first (fail closed:
// any error stops before a byte is rendered or written), render, and add manifest.json (every
// file with its sha256 and, per rendered rule, the origin edge and inventory line).

#include <string>
#include <vector>

#include "core/result.h"
#include "render/generator.h"

namespace ccsec::render {

struct Bundle {
  std::vector<RenderedFile> files;  // sorted by path; the last is manifest.json
};

/// Renders with `generators` (in order): every check() first, then every render(). Errors:
/// check() errors (one per detail line; nothing rendered), or two generators writing one path.
core::Result<Bundle> renderBundle(const RenderInput& in,
                                  const std::vector<const Generator*>& generators);

/// `targets` empty = all. Errors: unknown target (with a did-you-mean hint) or as above.
core::Result<Bundle> renderBundle(const inventory::Model& model, const inventory::Catalog& catalog,
                                  const inventory::ChannelGraph& graph, const PolicyModel& policy,
                                  const std::vector<std::string>& targets,
                                  const RenderOptions& options);

/// Writes every file under `dir` (created if missing). Files are written to a temporary name
/// and renamed into place, so a reader never sees a half-written file.
core::Result<void> writeBundle(const Bundle& bundle, const std::string& dir);

/// Lowercase hex SHA-256 of `data` (OpenSSL EVP).
std::string sha256Hex(std::string_view data);

}  // namespace ccsec::render
