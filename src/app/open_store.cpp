#include "app/open_store.h"

#include <filesystem>

#include <fmt/format.h>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace tandem {

StatusOr<std::optional<std::string>> SqlitePathOf(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.starts_with(kSqlite)) {
    std::string path(url.substr(kSqlite.size()));
    if (path.starts_with("//")) path.erase(0, 2);  // accept sqlite://PATH too
    if (path.empty()) {
      return InvalidArgument("invalid_db_url",
                             "--db sqlite: needs a file path, e.g. sqlite:var/tandem.db");
    }
    return std::optional<std::string>(std::move(path));
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return std::optional<std::string>();
  }
  return InvalidArgument(
      "invalid_db_url",
      fmt::format("unrecognized --db \"{}\": use sqlite:PATH or postgresql://...", url));
}

StatusOr<std::unique_ptr<Store>> OpenStore(std::string_view url, const StoreOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> path, SqlitePathOf(url));
  if (!path) return PgStore::Open(url, options);
  std::error_code ec;
  auto parent = std::filesystem::path(*path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) {
    return Unavailable("store_unavailable", fmt::format("cannot create directory {}: {}",
                                                        parent.string(), ec.message()));
  }
  return SqliteStore::Open(*path, options);
}

}  // namespace tandem
