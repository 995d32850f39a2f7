// OpenStore: the store a URL names, SQLite or PostgreSQL.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/store.h"

namespace tandem {

// "sqlite:PATH" or "postgresql://user:pass@host:port/db". The parent directory of a
// SQLite file is created when missing.
StatusOr<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options);

// The file of a "sqlite:PATH" URL; nullopt for PostgreSQL; 400 invalid_db_url otherwise.
StatusOr<std::optional<std::string>> SqlitePathOf(std::string_view url);

}  // namespace tandem
