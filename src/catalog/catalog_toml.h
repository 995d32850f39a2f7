// Reading catalog entries out of a TOML table (a catalog file's root, or the [catalog]
// section of tandem.toml). Separate from catalog.h so only TOML readers see toml++.
#pragma once

#include <toml++/toml.h>

#include <string_view>

#include "catalog/catalog.h"

namespace tandem {

// `root` holds "campaigns" and/or "content" arrays of tables; anything else is an
// error naming the line.
StatusOr<Catalog> ReadCatalogTable(const toml::table& root, std::string_view origin);

}  // namespace tandem
