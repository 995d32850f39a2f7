// The campaign and content catalogs in SQLite. Writes REQUIRE a write transaction open
// on the connection.
#pragma once

#include "brief/catalog.h"
#include "store/sqlite/sqlite_db.h"

namespace tandem::sqlite {

StatusOr<Catalog> LoadCatalog(Database& db);
// Inserts the entries, or replaces existing ones when `replace`; without it an existing
// key is a conflict. A campaign whose utm_campaign another campaign already matches is
// a conflict either way.
Status PutCatalog(Database& db, const Catalog& entries, bool replace);
StatusOr<bool> DeleteCampaign(Database& db, std::string_view key);
StatusOr<bool> DeleteContent(Database& db, std::string_view asset_id);

}  // namespace tandem::sqlite
