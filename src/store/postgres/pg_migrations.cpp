#include "store/postgres/pg_migrations.h"

#include <fmt/format.h>

#include <chrono>

#include "store/schema/schema.h"

namespace tandem::pg {
namespace {

// The advisory lock key migrations hold ("tandem" in ASCII).
constexpr int64_t kMigrationLock = 0x74616e64656d;

}  // namespace

StatusOr<int> SchemaVersion(Connection& conn) {
  TANDEM_ASSIGN_OR_RETURN(Result exists,
                          conn.Query("SELECT to_regclass('schema_migrations') IS NOT NULL"));
  if (!exists.Bool(0, 0)) return 0;
  TANDEM_ASSIGN_OR_RETURN(Result version,
                          conn.Query("SELECT COALESCE(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(version.Int(0, 0));
}

Status Migrate(Connection& conn) {
  for (const auto& migration : schema::PostgresMigrations()) {
    TANDEM_RETURN_IF_ERROR(conn.Exec("BEGIN"));
    auto applied = [&]() -> StatusOr<bool> {
      TANDEM_RETURN_IF_ERROR(conn.LockAdvisory(kMigrationLock));
      TANDEM_RETURN_IF_ERROR(
          conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                    "description TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
      TANDEM_ASSIGN_OR_RETURN(Result done,
                              conn.Query("SELECT 1 FROM schema_migrations WHERE version = $1",
                                         {int64_t{migration.version}}));
      if (done.rows() > 0) return false;
      TANDEM_RETURN_IF_ERROR(conn.Exec(migration.sql));
      const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      TANDEM_RETURN_IF_ERROR(
          conn.Query("INSERT INTO schema_migrations (version, description, applied_at) "
                     "VALUES ($1, $2, $3)",
                     {int64_t{migration.version}, migration.description, now})
              .status());
      return true;
    }();
    if (!applied.ok()) {
      (void)conn.Exec("ROLLBACK");
      return Status(applied.status().code(), applied.status().error_code(),
                    fmt::format("migration {} ({}): {}", migration.version, migration.description,
                                applied.status().message()));
    }
    TANDEM_RETURN_IF_ERROR(conn.Exec("COMMIT"));
  }
  return OkStatus();
}

}  // namespace tandem::pg
