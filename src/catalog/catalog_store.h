// What the catalog asks of the store.
#pragma once

#include <string_view>

#include "catalog/catalog.h"
#include "core/status.h"

namespace tandem {

class CatalogReads {
 public:
  virtual ~CatalogReads() = default;
  virtual StatusOr<Catalog> LoadCatalog() = 0;
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;
  // Writes every entry in one transaction: inserted, or replacing an entry with the same
  // key when `replace` (without it an existing key is a conflict and nothing is written).
  virtual Status PutCatalog(const Catalog& entries, bool replace) = 0;
  // Whether there was such an entry.
  virtual StatusOr<bool> DeleteCampaign(std::string_view key) = 0;
  virtual StatusOr<bool> DeleteContent(std::string_view asset_id) = 0;
};

}  // namespace tandem
