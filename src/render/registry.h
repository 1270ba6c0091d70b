#pragma once
// The explicit list of generators (no self-registration: the list is the registry). Adding a
// target = a folder under src/render/, a Generator subclass and one line in registry.cc.

#include <string_view>
#include <vector>

#include "render/generator.h"

namespace ccsec::render {

/// Every generator, in the order `--target` lists them. Static storage; never null.
const std::vector<const Generator*>& allGenerators();
/// nullptr when unknown.
const Generator* findGenerator(std::string_view name);
/// The file the registered generator in charge renders for `t` ("hosts/x.nft"); "" when none.
std::string renderedFile(const Table& t);

}  // namespace ccsec::render
