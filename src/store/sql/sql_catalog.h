// The campaign and content catalogs: the query behind CatalogReads (written once:
// CatalogReadsOn) and the catalog's writes. Writes REQUIRE a write transaction open on
// the connection.
#pragma once

#include "catalog/catalog.h"
#include "store/sql/sql_db.h"
#include "store/store.h"

namespace tandem::sql {

StatusOr<Catalog> LoadCatalog(Db& db);
// Inserts the entries, or replaces existing ones when `replace`; without it an existing
// key is a conflict. A campaign whose utm_campaign another campaign already matches is
// a conflict either way.
Status PutCatalog(Db& db, const Catalog& entries, bool replace);
StatusOr<bool> DeleteCampaign(Db& db, std::string_view key);
StatusOr<bool> DeleteContent(Db& db, std::string_view asset_id);

// CatalogReads on the connection to read on (see sql_reads.h).
template <typename Base>
class CatalogReadsOn : public Base {
 public:
  StatusOr<Catalog> LoadCatalog() override {
    return this->Reading([](Db& db) { return sql::LoadCatalog(db); });
  }
};

}  // namespace tandem::sql
