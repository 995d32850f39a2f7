// OpenStore: the store a URL names, SQLite or PostgreSQL.
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace tandem {

// "sqlite:PATH" or "postgresql://user:pass@host:port/db". The parent directory of a
// SQLite file is created when missing.
StatusOr<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options);

}  // namespace tandem
