// The campaign and content catalog of the demo workspace, matching the campaigns and
// pages the workload generator sends (examples/catalog.toml, built in).
#pragma once

#include <string_view>

namespace tandem {

// The ingest source `tandem demo` creates; the demo website (/demo/) sends to it.
inline constexpr std::string_view kDemoSourceName = "Demo website";

std::string_view DemoCatalogToml();

}  // namespace tandem
