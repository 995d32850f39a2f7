// The campaign and content catalog of the demo workspace, matching the campaigns and
// pages the workload generator sends (examples/catalog.toml, built in).
#pragma once

#include <string_view>

namespace tandem {

std::string_view DemoCatalogToml();

}  // namespace tandem
