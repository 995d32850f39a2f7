// The campaign and content catalogs. Writes REQUIRE a write transaction open
// on the connection.
#pragma once

#include "catalog/catalog.h"
#include "store/sql/sql_db.h"

namespace tandem::sql {

StatusOr<Catalog> LoadCatalog(Db& db);
// Inserts the entries, or replaces existing ones when `replace`; without it an existing
// key is a conflict. A campaign whose utm_campaign another campaign already matches is
// a conflict either way.
Status PutCatalog(Db& db, const Catalog& entries, bool replace);
StatusOr<bool> DeleteCampaign(Db& db, std::string_view key);
StatusOr<bool> DeleteContent(Db& db, std::string_view asset_id);

}  // namespace tandem::sql
